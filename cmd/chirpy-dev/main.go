// Command chirpy-dev sets up a development environment for chirpy: a .env
// with a fresh JWT_SECRET, and unless DB_URL is set, a local PostgreSQL
// cluster in .pgdata/ (or, as root in a checkout the postgres user cannot
// enter, in /var/tmp). The Makefile runs it (make run, make db-start,
// make db-stop); the server itself never depends on it.
package main

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/signal"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"syscall"

	"chirpy/internal/config"
	"chirpy/internal/dev/pgcluster"
)

const (
	database = "chirpy"
	usage    = `Usage (from the repository root):
  chirpy-dev run <chirpy binary>   write .env if missing, start the local database
                                   unless DB_URL is set, then exec the server
  chirpy-dev db-start              start the local database and print its DB_URL
  chirpy-dev db-stop               stop the local database

The server listens on 127.0.0.1 only, unless HOST is set in the environment or
.env: HOST= (set, but empty) listens on every interface.
`
)

// devDefaults are what `make run` serves with unless the environment or .env
// say otherwise: the course's CLI tests need reset and send this Polka key, a
// person reads the logs in a terminal, and a development server with a
// well-known Polka key and /admin/reset is for this machine only.
var devDefaults = map[string]string{
	"PLATFORM":   "dev",
	"POLKA_KEY":  "f271c81ff7084ee5b99a5091b42d486e",
	"LOG_FORMAT": "text",
	"HOST":       "127.0.0.1",
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:]); err != nil {
		fmt.Fprintf(os.Stderr, "chirpy-dev: %v\n", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string) error {
	if len(args) == 0 {
		fmt.Fprint(os.Stderr, usage)
		return errors.New("no command")
	}
	switch args[0] {
	case "run":
		if len(args) != 2 {
			return errors.New("usage: chirpy-dev run <chirpy binary>")
		}
		return runServer(ctx, args[1])
	case "db-start":
		c, err := startLocalDB(ctx)
		if err != nil {
			return err
		}
		fmt.Println(c.URL(database))
		return nil
	case "db-stop":
		c, dir, err := localCluster()
		if err != nil {
			return err
		}
		if !c.Initialized() || !c.Running(ctx) {
			fmt.Fprintf(os.Stderr, "chirpy-dev: the PostgreSQL cluster in %s is not running\n", dir)
			return nil
		}
		if err := c.StopDaemon(ctx); err != nil {
			return err
		}
		fmt.Fprintf(os.Stderr, "chirpy-dev: stopped the PostgreSQL cluster in %s\n", dir)
		return nil
	default:
		fmt.Fprint(os.Stderr, usage)
		return fmt.Errorf("unknown command %q", args[0])
	}
}

func runServer(ctx context.Context, binary string) error {
	secret, _ := os.LookupEnv("JWT_SECRET")
	if err := ensureDotenv(".env", ".env.example", secret != ""); err != nil {
		return err
	}
	// As the server reads them: the environment first, then .env.
	lookup, err := config.WithDotenv(os.LookupEnv, os.DirFS("."), ".env")
	if err != nil {
		return err
	}
	env := withDevDefaults(os.Environ(), lookup)
	if dbURL, _ := lookup("DB_URL"); dbURL == "" {
		c, err := startLocalDB(ctx)
		if err != nil {
			return err
		}
		env = setenv(env, "DB_URL", c.URL(database))
	}
	path, err := filepath.Abs(binary)
	if err != nil {
		return err
	}
	// The server replaces this process, so signals reach it directly.
	return syscall.Exec(path, []string{path}, env)
}

// withDevDefaults returns env with each of devDefaults that lookup (the
// environment, then .env) does not know. A variable set empty counts as set:
// HOST= means every interface, as it does for the server.
func withDevDefaults(env []string, lookup config.LookupFunc) []string {
	for k, v := range devDefaults {
		if _, ok := lookup(k); !ok {
			env = setenv(env, k, v)
		}
	}
	return env
}

// setenv returns env with key set to value, replacing any entry for key (the
// first of duplicate entries would win).
func setenv(env []string, key, value string) []string {
	out := env[:0:0]
	for _, kv := range env {
		if !strings.HasPrefix(kv, key+"=") {
			out = append(out, kv)
		}
	}
	return append(out, key+"="+value)
}

// emptySecret matches a JWT_SECRET line without a value, as .env.example has.
var emptySecret = regexp.MustCompile(`(?m)^[ \t]*JWT_SECRET[ \t]*=[ \t]*$`)

// anySecret matches a JWT_SECRET line with a value.
var anySecret = regexp.MustCompile(`(?m)^[ \t]*JWT_SECRET[ \t]*=[ \t]*\S`)

// ensureDotenv writes .env from .env.example, with a fresh JWT_SECRET, unless
// .env exists; an existing .env whose JWT_SECRET is empty or missing (a copy
// of .env.example, say) gets a fresh one too, unless the environment sets it.
func ensureDotenv(path, example string, secretInEnv bool) error {
	content, err := os.ReadFile(path)
	created := errors.Is(err, fs.ErrNotExist)
	switch {
	case created:
		if content, err = os.ReadFile(example); err != nil {
			return fmt.Errorf("no %s to write %s from: %w", example, path, err)
		}
	case err != nil:
		return err
	case secretInEnv || anySecret.Match(content):
		return nil
	}
	// What openssl rand -hex 32 prints, the form the documents recommend.
	secret := make([]byte, 32)
	rand.Read(secret)
	line := "JWT_SECRET=" + hex.EncodeToString(secret)
	if loc := emptySecret.FindIndex(content); loc != nil {
		content = slices.Concat(content[:loc[0]], []byte(line), content[loc[1]:])
	} else {
		if len(content) > 0 && content[len(content)-1] != '\n' {
			content = append(content, '\n')
		}
		content = append(content, line+"\n"...)
	}
	mode := os.FileMode(0o600)
	if fi, err := os.Stat(path); err == nil {
		mode = fi.Mode().Perm()
	}
	if err := os.WriteFile(path, content, mode); err != nil {
		return err
	}
	if created {
		fmt.Fprintf(os.Stderr, "chirpy-dev: wrote %s from %s with a new JWT_SECRET\n", path, example)
	} else {
		fmt.Fprintf(os.Stderr, "chirpy-dev: %s had no JWT_SECRET; wrote a new one into it\n", path)
	}
	return nil
}

// startLocalDB creates (first time) and starts the local cluster, and
// creates the chirpy database in it.
func startLocalDB(ctx context.Context) (*pgcluster.Cluster, error) {
	c, dir, err := localCluster()
	if err != nil {
		return nil, err
	}
	if !c.Initialized() {
		if dir != inCheckout {
			if err := preparePrivateDir(filepath.Dir(c.DataDir)); err != nil {
				return nil, err
			}
			fmt.Fprintf(os.Stderr, "chirpy-dev: the postgres user cannot enter this checkout, so its cluster lives in %s\n", dir)
		}
		fmt.Fprintf(os.Stderr, "chirpy-dev: creating a PostgreSQL cluster in %s with %s\n", dir, c.BinDir)
		if err := c.Init(ctx); err != nil {
			return nil, err
		}
	}
	if !c.Running(ctx) {
		if err := c.StartDaemon(ctx); err != nil {
			return nil, err
		}
		fmt.Fprintf(os.Stderr, "chirpy-dev: started PostgreSQL on 127.0.0.1:%d (data in %s; make db-stop stops it)\n", c.Port, dir)
	}
	if err := c.CreateDatabase(ctx, database); err != nil {
		return nil, fmt.Errorf("create database %s: %w", database, err)
	}
	return c, nil
}

// inCheckout is where the local cluster lives, relative to the checkout
// (chirpy-dev runs from its root), unless the postgres user cannot reach it.
const inCheckout = ".pgdata"

// outsideRoot holds the clusters of checkouts the postgres user cannot
// enter: /var/tmp, unlike /tmp, outlives a reboot, as .pgdata would.
const outsideRoot = "/var/tmp"

// localCluster returns the local cluster of this checkout, which need not
// exist yet, and its directory as a person would type it.
func localCluster() (*pgcluster.Cluster, string, error) {
	dir, err := localDataDir()
	if err != nil {
		return nil, "", err
	}
	c, err := pgcluster.New(dir)
	if err != nil {
		return nil, "", err
	}
	return c, dir, nil
}

func localDataDir() (string, error) {
	checkout, err := os.Getwd()
	if err != nil {
		return "", err
	}
	// One name per checkout, however the shell reached it.
	if checkout, err = filepath.EvalSymlinks(checkout); err != nil {
		return "", err
	}
	euid, canEnter := os.Geteuid(), true
	if euid == 0 {
		if canEnter, err = pgcluster.CanEnter(checkout); err != nil {
			return "", err
		}
	}
	return dataDirFor(euid, checkout, canEnter), nil
}

// dataDirFor is where the local cluster of the checkout lives: in it, unless
// we are root and the postgres user, who runs the server then, cannot enter
// it (a clone under a 0700 /root); then under outsideRoot, in a directory
// named after the checkout's path, where the same checkout finds it again.
func dataDirFor(euid int, checkout string, postgresCanEnter bool) string {
	if euid != 0 || postgresCanEnter {
		return inCheckout
	}
	sum := sha256.Sum256([]byte(checkout))
	return filepath.Join(outsideRoot, "chirpy-dev-"+hex.EncodeToString(sum[:6]), "pgdata")
}

// preparePrivateDir makes dir, mode 0700, for the postgres user (ourselves
// unless we are root) to keep a data directory in.
func preparePrivateDir(dir string) error {
	cred, err := pgcluster.Credential()
	if err != nil {
		return err
	}
	uid, gid := os.Getuid(), os.Getgid()
	if cred != nil {
		uid, gid = int(cred.Uid), int(cred.Gid)
	}
	return privateDir(dir, uid, gid)
}

// privateDir makes dir, mode 0700 and owned by uid:gid, unless it exists as
// such. Every user may write in /var/tmp, and its names are predictable, so
// a directory that another user made there first, a symlink or a directory
// others may write in is refused rather than trusted with the database.
func privateDir(dir string, uid, gid int) error {
	if err := os.Mkdir(dir, 0o700); err != nil && !errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("create %s: %w", dir, err)
	}
	fi, err := os.Lstat(dir)
	if err != nil {
		return err
	}
	if !fi.IsDir() {
		return fmt.Errorf("%s is not a directory (a symlink?); remove it and try again", dir)
	}
	// Ours if we made it just now (or were stopped before the chown).
	if st, ok := fi.Sys().(*syscall.Stat_t); !ok || (int(st.Uid) != uid && int(st.Uid) != os.Geteuid()) {
		return fmt.Errorf("%s belongs to another user; remove it and try again", dir)
	}
	if perm := fi.Mode().Perm(); perm&0o077 != 0 {
		return fmt.Errorf("%s has mode %v, open to other users; remove it and try again", dir, perm)
	}
	if err := os.Chown(dir, uid, gid); err != nil {
		return fmt.Errorf("give %s to uid %d: %w", dir, uid, err)
	}
	return nil
}
