// Package pgbouncer runs the system's PgBouncer in front of a pgcluster
// server, in transaction pooling mode, for tests of Chirpy behind a pooler.
// Behind transaction pooling lib/pq needs binary_parameters=yes for any query
// with parameters: without it a query's Parse and its Bind can reach two
// different server connections, and the answer is another query's rows.
package pgbouncer

import (
	"bufio"
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"time"

	_ "github.com/lib/pq" // the "postgres" driver

	"chirpy/internal/dev/pgcluster"
)

// DefaultPoolSize is the server connections per database and user: small, so
// that a test with a few clients already shares them.
const DefaultPoolSize = 4

var plainName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// Bouncer is one PgBouncer, a child of this process, listening on 127.0.0.1.
type Bouncer struct {
	Port int

	dir   string
	child *exec.Cmd
	done  chan struct{} // closed when child exits
	log   string        // the log's tail, kept by Stop
}

// Option changes the configuration of Start.
type Option func(*config)

type config struct {
	poolSize int
}

// PoolSize sets default_pool_size: the server connections of each pool.
func PoolSize(n int) Option { return func(c *config) { c.poolSize = n } }

const installHint = "install it (Debian/Ubuntu: apt-get install pgbouncer; macOS: brew install pgbouncer)"

// Find returns the pgbouncer binary: $PGBOUNCER, then PATH, then
// /usr/sbin/pgbouncer (Debian's, off a non-root PATH).
func Find() (string, error) {
	if p := os.Getenv("PGBOUNCER"); p != "" {
		if _, err := os.Stat(p); err != nil {
			return "", fmt.Errorf("PGBOUNCER=%s: %w; %s", p, err, installHint)
		}
		return p, nil
	}
	if p, err := exec.LookPath("pgbouncer"); err == nil {
		return p, nil
	}
	if _, err := os.Stat("/usr/sbin/pgbouncer"); err == nil {
		return "/usr/sbin/pgbouncer", nil
	}
	return "", errors.New("pgbouncer not found in $PGBOUNCER, on PATH or in /usr/sbin; " + installHint)
}

// Start runs PgBouncer in front of the running cluster target, serving
// dbname (and, through a fallback entry, any other database of target) to
// the postgres user without a password, and waits until a client reaches
// dbname through it. It runs as the postgres user when we are root
// (PgBouncer refuses root), in a temporary directory of its own that Stop
// deletes.
func Start(ctx context.Context, target *pgcluster.Cluster, dbname string, opts ...Option) (*Bouncer, error) {
	cfg := config{poolSize: DefaultPoolSize}
	for _, o := range opts {
		o(&cfg)
	}
	if !plainName.MatchString(dbname) {
		// It goes unquoted into pgbouncer.ini and a connection string.
		return nil, fmt.Errorf("pgbouncer: database name %q is not letters, digits and underscores", dbname)
	}
	if cfg.poolSize < 1 {
		return nil, fmt.Errorf("pgbouncer: pool size %d, want at least 1", cfg.poolSize)
	}
	bin, err := Find()
	if err != nil {
		return nil, err
	}
	cred, err := pgcluster.Credential()
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "chirpy-pgbouncer-")
	if err != nil {
		return nil, err
	}
	b := &Bouncer{dir: dir}
	if err := b.start(ctx, bin, cred, target, dbname, cfg); err != nil {
		log := b.Log()
		b.Stop()
		return nil, fmt.Errorf("pgbouncer: %w\n%s", err, log)
	}
	return b, nil
}

func (b *Bouncer) start(ctx context.Context, bin string, cred *syscall.Credential, target *pgcluster.Cluster, dbname string, cfg config) error {
	port, err := freePort()
	if err != nil {
		return err
	}
	b.Port = port
	server := fmt.Sprintf("host=127.0.0.1 port=%d user=postgres", target.Port)
	ini := strings.Join([]string{
		"[databases]",
		dbname + " = " + server + " dbname=" + dbname,
		"* = " + server,
		"",
		"[pgbouncer]",
		"listen_addr = 127.0.0.1",
		"listen_port = " + strconv.Itoa(port),
		"unix_socket_dir =",
		"auth_type = trust",
		// trust still wants the file; listing postgres lets it in.
		"auth_file = " + filepath.Join(b.dir, "userlist.txt"),
		// SHOW POOLS and the like, through the pgbouncer database.
		"admin_users = postgres",
		"pool_mode = transaction",
		"default_pool_size = " + strconv.Itoa(cfg.poolSize),
		"max_client_conn = 500",
		// lib/pq sends it at every connection; PgBouncer refuses unknown
		// startup parameters.
		"ignore_startup_parameters = extra_float_digits",
		"logfile = " + b.logPath(),
		"",
	}, "\n")
	files := map[string]string{"pgbouncer.ini": ini, "userlist.txt": `"postgres" ""` + "\n"}
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(b.dir, name), []byte(content), 0o600); err != nil {
			return err
		}
	}
	// A stderr of its own: errors before the log file is open (a bad
	// configuration) are written only there.
	stderr, err := os.Create(b.stderrPath())
	if err != nil {
		return err
	}
	// The child writes to its own copy; ours is only closed.
	defer func() { _ = stderr.Close() }()
	if cred != nil {
		// It runs as postgres: its directory and files are that user's.
		for _, name := range []string{"", "pgbouncer.ini", "userlist.txt"} {
			if err := os.Chown(filepath.Join(b.dir, name), int(cred.Uid), int(cred.Gid)); err != nil {
				return err
			}
		}
	}
	// In the foreground (no -d), so that it stays our child.
	cmd := exec.Command(bin, filepath.Join(b.dir, "pgbouncer.ini"))
	cmd.Dir = b.dir
	cmd.Stderr = stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: cred, Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start %s: %w", bin, err)
	}
	b.child, b.done = cmd, make(chan struct{})
	go func() { _ = cmd.Wait(); close(b.done) }() // its exit status stays in ProcessState
	return b.waitReady(ctx, dbname)
}

// waitReady waits until a client reaches dbname through the bouncer, which
// also proves the way on to the server.
func (b *Bouncer) waitReady(ctx context.Context, dbname string) error {
	db, err := sql.Open("postgres", b.URL(dbname))
	if err != nil {
		return err
	}
	defer db.Close()
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	for {
		pingCtx, cancelPing := context.WithTimeout(ctx, time.Second)
		err := db.PingContext(pingCtx)
		cancelPing()
		if err == nil {
			return nil
		}
		select {
		case <-b.done:
			return fmt.Errorf("exited at start: %v", b.child.ProcessState)
		case <-ctx.Done():
			return fmt.Errorf("not ready on 127.0.0.1:%d: %w", b.Port, err)
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// URL returns the connection URL of database dbname through the bouncer.
func (b *Bouncer) URL(dbname string) string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/%s?sslmode=disable", b.Port, dbname)
}

// Stop ends the bouncer (SIGTERM: at once, dropping its connections), waits
// for it to exit and deletes its directory. Log still answers afterwards.
func (b *Bouncer) Stop() {
	if b.child != nil {
		// An error is a bouncer that has exited already: done is closed.
		_ = b.child.Process.Signal(syscall.SIGTERM)
		select {
		case <-b.done:
		case <-time.After(10 * time.Second):
			_ = b.child.Process.Kill() // as for Signal
			<-b.done
		}
		b.child = nil
	}
	if b.dir != "" {
		b.log = b.Log()
		_ = os.RemoveAll(b.dir) // best effort: a temporary directory
		b.dir = ""
	}
}

// Log returns the end of the bouncer's log, for a failure message.
func (b *Bouncer) Log() string {
	if b.dir == "" {
		return b.log
	}
	for _, p := range []string{b.logPath(), b.stderrPath()} {
		if out, err := os.ReadFile(p); err == nil && len(out) > 0 {
			return lastLines(out, 20)
		}
	}
	return ""
}

func (b *Bouncer) logPath() string    { return filepath.Join(b.dir, "pgbouncer.log") }
func (b *Bouncer) stderrPath() string { return filepath.Join(b.dir, "stderr.log") }

func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

func lastLines(b []byte, n int) string {
	var lines []string
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		lines = append(lines, sc.Text())
	}
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
