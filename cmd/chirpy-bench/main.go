// Command chirpy-bench measures a chirpy server under load against a
// throwaway PostgreSQL, and measures in the same run what PostgreSQL itself
// can do with each scenario's statement (pgbench -M prepared, as many clients
// as the load has connections), so that the ratio of the two means something
// on a shared, noisy machine. `make bench` runs it.
package main

import (
	"context"
	"crypto/rand"
	"database/sql"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"syscall"
	"time"

	_ "github.com/lib/pq"

	"chirpy/internal/dev/pgbouncer"
	"chirpy/internal/dev/pgcluster"
)

const polkaKey = "bench-polka-key"

// clusterSettings are PostgreSQL's defaults for durability (fsync and
// synchronous commit on, as in production: a webhook's 204 means committed),
// with room for the connections and the data in memory.
var clusterSettings = []string{
	"max_connections = 200",
	"shared_buffers = 256MB",
}

type config struct {
	server   string
	conns    int
	warmup   time.Duration
	duration time.Duration
	users    int
	chirps   int
	listRuns int
	logins   int
	markdown string
	smoke    bool
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintf(os.Stderr, "chirpy-bench: %v\n", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("chirpy-bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var cfg config
	fs.StringVar(&cfg.server, "server", "bin/chirpy", "the chirpy binary to measure")
	fs.IntVar(&cfg.conns, "conns", 32, "connections of the load (and pgbench clients)")
	fs.DurationVar(&cfg.duration, "duration", 5*time.Second, "how long each scenario is measured")
	fs.StringVar(&cfg.markdown, "markdown", "", "also write the table as Markdown to this file")
	fs.BoolVar(&cfg.smoke, "smoke", false, "a seconds-long run with small data, to prove the benchmark works")
	runPattern := fs.String("run", "", "only the scenarios whose names match this regular expression")
	err := fs.Parse(args)
	if err != nil {
		return err
	}
	cfg.warmup, cfg.users, cfg.chirps, cfg.listRuns, cfg.logins = time.Second, 5000, 200_000, 5, 200
	if cfg.smoke {
		cfg.duration, cfg.warmup, cfg.users, cfg.chirps, cfg.listRuns, cfg.logins = time.Second, 200*time.Millisecond, 500, 20_000, 1, 20
	}
	if _, err := os.Stat(cfg.server); err != nil {
		return fmt.Errorf("no server binary at %s (make bench builds it): %w", cfg.server, err)
	}
	if cfg.server, err = filepath.Abs(cfg.server); err != nil {
		return err
	}
	only, err := regexp.Compile(*runPattern)
	if err != nil {
		return fmt.Errorf("-run: %w", err)
	}

	loadBefore := loadAverage()
	fmt.Fprintln(stderr, "starting PostgreSQL ...")
	cluster, err := pgcluster.StartThrowaway(ctx, clusterSettings...)
	if err != nil {
		return err
	}
	defer func() {
		if err := cluster.Remove(); err != nil {
			fmt.Fprintln(stderr, "removing PostgreSQL:", err)
		}
	}()
	if err := cluster.CreateDatabase(ctx, "chirpy"); err != nil {
		return err
	}
	dbURL := cluster.URL("chirpy")

	secret := []byte(rand.Text() + rand.Text())
	logDir, err := os.MkdirTemp("", "chirpy-bench-")
	if err != nil {
		return err
	}
	defer func() { _ = os.RemoveAll(logDir) }() // best effort: a temporary directory
	env := []string{"DB_URL=" + dbURL, "JWT_SECRET=" + string(secret), "PLATFORM=prod", "POLKA_KEY=" + polkaKey}
	// Settings to experiment with pass through to the server.
	for _, k := range []string{"DB_MAX_CONNS", "GOGC", "GOMEMLIMIT", "GOMAXPROCS", "GODEBUG"} {
		if v, ok := os.LookupEnv(k); ok {
			env = append(env, k+"="+v)
		}
	}
	stopPooled := func() {}
	srv, err := startServer(ctx, cfg.server, env, filepath.Join(logDir, "server.log"))
	if err != nil {
		return err
	}
	defer srv.stop()

	db, err := sql.Open("postgres", dbURL)
	if err != nil {
		return err
	}
	defer db.Close()
	fmt.Fprintf(stderr, "seeding %d users and %d chirps ...\n", cfg.users, cfg.chirps)
	if err := seed(ctx, db, cfg.users, cfg.chirps); err != nil {
		return err
	}

	b := &bench{cfg: cfg, srv: srv, secret: secret, log: stderr,
		ceil: func(script string) (float64, error) {
			return pgbenchTPS(ctx, cluster, "chirpy", script, cfg.conns, cfg.duration)
		}}
	// The same server through PgBouncer (transaction pooling, as many
	// server connections as the server's own pool, prepared statements
	// off), started when first measured.
	var pooled *bench
	viaPgBouncer := func(scenario func(*bench) (row, error)) func() (row, error) {
		return func() (row, error) {
			if pooled == nil {
				fmt.Fprintln(stderr, "starting PgBouncer and a server behind it ...")
				bouncer, err := pgbouncer.Start(ctx, cluster, "chirpy", pgbouncer.PoolSize(16))
				if err != nil {
					return row{}, err
				}
				defer func() {
					if pooled == nil {
						bouncer.Stop()
					}
				}()
				penv := append(slices.Clone(env), "DB_URL="+bouncer.URL("chirpy"), "DB_PREPARED_STATEMENTS=off")
				psrv, err := startServer(ctx, cfg.server, penv, filepath.Join(logDir, "server-pgbouncer.log"))
				if err != nil {
					return row{}, err
				}
				stopPooled = func() { psrv.stop(); bouncer.Stop() }
				pooled = &bench{cfg: cfg, srv: psrv, secret: secret, log: stderr,
					ceil: func(string) (float64, error) { return 0, nil }}
			}
			r, err := scenario(pooled)
			r.Scenario += " via PgBouncer"
			r.Note = strings.TrimSpace(r.Note + " transaction pooling, unprepared")
			return r, err
		}
	}
	defer func() { stopPooled() }()

	var rows []row
	for _, s := range []struct {
		name string
		run  func() (row, error)
	}{
		{"get-chirp", b.getChirpByID},
		{"chirps-by-author", b.getChirpsByAuthor},
		{"all-chirps", b.getAllChirps},
		{"page-first", func() (row, error) { return b.getChirpPage(0) }},
		{"page-deep", func() (row, error) { return b.getChirpPage(cfg.chirps * 3 / 4) }},
		{"post-chirps", b.postChirps},
		{"webhooks", b.webhooksAcrossUsers},
		{"webhook-retried", b.webhookRetried},
		{"logins", func() (row, error) { return b.concurrentLogins(cfg.logins) }},
		{"pgbouncer-get-chirp", viaPgBouncer((*bench).getChirpByID)},
		{"pgbouncer-post-chirps", viaPgBouncer((*bench).postChirps)},
		{"pgbouncer-webhooks", viaPgBouncer((*bench).webhooksAcrossUsers)},
	} {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if !only.MatchString(s.name) {
			continue
		}
		r, err := s.run()
		if err != nil {
			return err
		}
		rows = append(rows, r)
	}

	about := describe(ctx, db, cfg, loadBefore)
	fmt.Fprintln(stdout, about)
	fmt.Fprintln(stdout)
	writeText(stdout, rows)
	if cfg.markdown != "" {
		f, err := os.Create(cfg.markdown)
		if err != nil {
			return err
		}
		writeMarkdown(f, about, rows)
		if err := f.Close(); err != nil {
			return err
		}
	}
	for _, r := range rows {
		if r.Errors > 0 {
			return fmt.Errorf("%s: %d requests failed (%s)", r.Scenario, r.Errors, r.Note)
		}
	}
	return nil
}

// describe says what the figures were measured on.
// loadAverage is the host's load over the last minute (Linux), or "?".
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if f := strings.Fields(string(b)); err == nil && len(f) > 0 {
		return f[0]
	}
	return "?"
}

func describe(ctx context.Context, db *sql.DB, cfg config, loadBefore string) string {
	var pg string
	if err := db.QueryRowContext(ctx, "SHOW server_version").Scan(&pg); err != nil {
		pg = "(version unknown)"
	}
	cpu := "unknown CPU"
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if name, ok := strings.CutPrefix(line, "model name"); ok {
				cpu = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(name), ":"))
				break
			}
		}
	}
	mode := ""
	if cfg.smoke {
		mode = " (smoke run: small data, 1 s scenarios; not a measurement)"
	}
	goVersion := runtime.Version()
	if out, err := exec.CommandContext(ctx, "go", "env", "GOVERSION").Output(); err == nil {
		goVersion = strings.TrimSpace(string(out))
	}
	return fmt.Sprintf("chirpy-bench%s, %s: %d CPUs (%s), PostgreSQL %s (fsync and synchronous_commit on), %s; "+
		"server, PostgreSQL and load generator on the same machine; %d connections, %v per scenario after %v warm-up; "+
		"%d chirps, %d users; the host's load average was %s when the run began (other work on the machine: "+
		"figures of runs that began above 0.5 are not comparable).",
		mode, time.Now().UTC().Format("2006-01-02"), runtime.NumCPU(), cpu, pg, goVersion,
		cfg.conns, cfg.duration, cfg.warmup, cfg.chirps, cfg.users, loadBefore)
}
