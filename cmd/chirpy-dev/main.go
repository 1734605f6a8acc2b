// Command chirpy-dev sets up a development environment for chirpy: a .env
// with a fresh JWT_SECRET, and unless DB_URL is set, a local PostgreSQL
// cluster in .pgdata/. The Makefile runs it (make run, make db-start,
// make db-stop); the server itself never depends on it.
package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"

	"chirpy/internal/config"
	"chirpy/internal/dev/pgcluster"
)

const (
	dataDir  = ".pgdata"
	database = "chirpy"
	usage    = `Usage (from the repository root):
  chirpy-dev run <chirpy binary>   write .env if missing, start the local database
                                   unless DB_URL is set, then exec the server
  chirpy-dev db-start              start the local database and print its DB_URL
  chirpy-dev db-stop               stop the local database
`
)

// devDefaults are what `make run` serves with unless the environment or .env
// say otherwise: the course's CLI tests need reset and send this Polka key,
// and a person reads the logs in a terminal.
var devDefaults = map[string]string{
	"PLATFORM":   "dev",
	"POLKA_KEY":  "f271c81ff7084ee5b99a5091b42d486e",
	"LOG_FORMAT": "text",
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
		c, err := pgcluster.New(dataDir)
		if err != nil {
			return err
		}
		if !c.Initialized() {
			return nil
		}
		if err := c.StopDaemon(ctx); err != nil {
			return err
		}
		fmt.Fprintf(os.Stderr, "chirpy-dev: stopped the PostgreSQL cluster in %s\n", dataDir)
		return nil
	default:
		fmt.Fprint(os.Stderr, usage)
		return fmt.Errorf("unknown command %q", args[0])
	}
}

func runServer(ctx context.Context, binary string) error {
	if err := ensureDotenv(".env", ".env.example"); err != nil {
		return err
	}
	// As the server reads them: the environment first, then .env.
	lookup, err := config.WithDotenv(os.LookupEnv, os.DirFS("."), ".env")
	if err != nil {
		return err
	}
	env := os.Environ()
	if dbURL, _ := lookup("DB_URL"); dbURL == "" {
		c, err := startLocalDB(ctx)
		if err != nil {
			return err
		}
		env = setenv(env, "DB_URL", c.URL(database))
	}
	for k, v := range devDefaults {
		if _, ok := lookup(k); !ok {
			env = setenv(env, k, v)
		}
	}
	path, err := filepath.Abs(binary)
	if err != nil {
		return err
	}
	// The server replaces this process, so signals reach it directly.
	return syscall.Exec(path, []string{path}, env)
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

// ensureDotenv writes .env from .env.example, with a fresh JWT_SECRET, unless
// .env exists.
func ensureDotenv(path, example string) error {
	if _, err := os.Stat(path); err == nil {
		return nil
	} else if !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	tmpl, err := os.ReadFile(example)
	if err != nil {
		return fmt.Errorf("no %s to write %s from: %w", example, path, err)
	}
	secret := make([]byte, 64)
	rand.Read(secret)
	line := []byte("JWT_SECRET=" + base64.StdEncoding.EncodeToString(secret))
	out := bytes.Replace(tmpl, []byte("JWT_SECRET="), line, 1)
	if bytes.Equal(out, tmpl) {
		out = append(append(tmpl, line...), '\n')
	}
	if err := os.WriteFile(path, out, 0o600); err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "chirpy-dev: wrote %s from %s with a new JWT_SECRET\n", path, example)
	return nil
}

// startLocalDB creates (first time) and starts the cluster in .pgdata, and
// creates the chirpy database in it.
func startLocalDB(ctx context.Context) (*pgcluster.Cluster, error) {
	c, err := pgcluster.New(dataDir)
	if err != nil {
		return nil, err
	}
	if !c.Initialized() {
		fmt.Fprintf(os.Stderr, "chirpy-dev: creating a PostgreSQL cluster in %s with %s\n", dataDir, c.BinDir)
		if err := c.Init(ctx); err != nil {
			return nil, err
		}
	}
	if !c.Running(ctx) {
		if err := c.StartDaemon(ctx); err != nil {
			return nil, err
		}
		fmt.Fprintf(os.Stderr, "chirpy-dev: started PostgreSQL on 127.0.0.1:%d (data in %s; make db-stop stops it)\n", c.Port, dataDir)
	}
	if err := c.CreateDatabase(ctx, database); err != nil {
		return nil, fmt.Errorf("create database %s: %w", database, err)
	}
	return c, nil
}
