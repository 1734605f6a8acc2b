// Package app is the chirpy program: Run reads its arguments and environment,
// starts what they ask for, and returns when it is done or ctx is canceled.
package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"time"

	"chirpy/internal/auth"
	"chirpy/internal/config"
	"chirpy/internal/database"
	"chirpy/internal/polka"
	"chirpy/internal/postgres"
	"chirpy/internal/server"
)

const usage = `Usage:
  chirpy                 serve the API (configured by the environment and .env)
  chirpy polka send ...  deliver a Polka webhook, as Polka does (chirpy polka send -h)
`

// Run runs the chirpy command line. lookupEnv is the environment
// (os.LookupEnv); a .env file in the working directory fills in what it does
// not set.
func Run(ctx context.Context, args []string, lookupEnv config.LookupFunc, stdout, stderr io.Writer) error {
	if len(args) > 1 {
		switch args[1] {
		case "-h", "-help", "--help", "help":
			fmt.Fprint(stdout, usage)
			return nil
		case "polka":
			return runPolka(ctx, args[2:], lookupEnv, stdout, stderr)
		default:
			fmt.Fprint(stderr, usage)
			return fmt.Errorf("unknown command %q", args[1])
		}
	}
	cfg, err := config.Load(lookupEnv, os.DirFS("."), ".env")
	if err != nil {
		return err
	}
	logs := newBufferedWriter(stdout)
	defer logs.Close()
	return serve(ctx, cfg, slog.New(slog.NewTextHandler(logs, nil)))
}

// minSecretBytes is the shortest JWT_SECRET accepted without a warning: HS256
// keys should be at least as long as the hash (RFC 7518 §3.2).
const minSecretBytes = 32

// Server timeouts. Bodies are at most 1 MiB and every handler is short, except
// a long chirp list, which WriteTimeout still leaves a minute to stream.
const (
	readHeaderTimeout = 5 * time.Second
	readTimeout       = 30 * time.Second
	writeTimeout      = 60 * time.Second
	idleTimeout       = 2 * time.Minute
	maxHeaderBytes    = 64 << 10
	// shutdownTimeout is how long in-flight requests get to finish after
	// SIGINT or SIGTERM.
	shutdownTimeout = 30 * time.Second
)

func serve(ctx context.Context, cfg config.Config, logger *slog.Logger) error {
	db, err := postgres.Open(ctx, cfg.DBURL, cfg.DBMaxConns)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := postgres.Migrate(ctx, db, logger); err != nil {
		return err
	}
	queries, err := database.Prepare(ctx, db)
	if err != nil {
		return fmt.Errorf("prepare queries: %w", err)
	}
	defer queries.Close()
	hasher, err := auth.NewHasher(auth.PasswordParams, runtime.GOMAXPROCS(0))
	if err != nil {
		return err
	}
	// The decoy hash just used 19 MiB of working memory that the process
	// would otherwise keep resident for minutes; give it back now.
	debug.FreeOSMemory()
	if len(cfg.JWTSecret) < minSecretBytes {
		logger.Warn("JWT_SECRET is short: a secret under 32 bytes can be guessed offline from any token; generate one with openssl rand -base64 64")
	}
	if len(cfg.PolkaKeys) == 0 {
		logger.Warn("POLKA_KEY is not set: every Polka webhook will be refused with 401")
	}
	var signer *polka.Signer
	if cfg.PolkaWebhookSecret != "" {
		if signer, err = polka.NewSigner(cfg.PolkaWebhookSecret); err != nil {
			return fmt.Errorf("POLKA_WEBHOOK_SECRET: %w", err)
		}
	}

	handler := server.NewServer(server.Deps{
		Logger:      logger,
		DB:          db,
		Queries:     queries,
		Hasher:      hasher,
		JWTSecret:   cfg.JWTSecret,
		PolkaKeys:   auth.NewAPIKeys(cfg.PolkaKeys),
		PolkaSigner: signer,
		Dev:         cfg.IsDev(),
		// 10 attempts a minute per email and client (a success starts the
		// count again): enough for a person mistyping, far too few for
		// guessing.
		LoginThrottle: auth.NewLoginThrottle(10, time.Minute),
	})
	srv := &http.Server{
		Handler:           handler,
		ReadHeaderTimeout: readHeaderTimeout,
		ReadTimeout:       readTimeout,
		WriteTimeout:      writeTimeout,
		IdleTimeout:       idleTimeout,
		MaxHeaderBytes:    maxHeaderBytes,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
	ln, err := net.Listen("tcp", net.JoinHostPort("", strconv.Itoa(cfg.Port)))
	if err != nil {
		return fmt.Errorf("cannot listen on port %d (PORT): %w", cfg.Port, err)
	}
	logger.Info("serving", "addr", ln.Addr().String(), "platform", cfg.Platform)

	pruneCtx, stopPruning := context.WithCancel(context.WithoutCancel(ctx))
	pruned := make(chan struct{})
	go func() {
		defer close(pruned)
		polka.RunPruner(pruneCtx, queries, logger, time.Hour)
	}()
	defer func() { stopPruning(); <-pruned }()

	serveErr := make(chan error, 1)
	go func() { serveErr <- srv.Serve(ln) }()
	select {
	case err := <-serveErr:
		return err
	case <-ctx.Done():
	}

	logger.Info("shutting down: finishing requests in flight", "timeout", shutdownTimeout)
	shutdownCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), shutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-serveErr; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	logger.Info("stopped")
	return nil
}
