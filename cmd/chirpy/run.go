package main

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
	"syscall"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"chirpy/internal/auth"
	"chirpy/internal/config"
	"chirpy/internal/connlimit"
	"chirpy/internal/idempotency"
	"chirpy/internal/logging"
	"chirpy/internal/polka"
	"chirpy/internal/server"
	"chirpy/internal/store"
)

const usage = `Usage:
  chirpy                    serve the API (configured by the environment and .env)
  chirpy polka send ...     deliver a Polka webhook, as Polka does
  chirpy polka secret       print a new whsec_ webhook signing secret
  chirpy polka inbox ...    list the webhook deliveries recorded (from DB_URL)

chirpy polka -h tells more; each polka command takes -h for its flags.
`

// Run runs the chirpy command line, and returns when it is done or ctx is
// canceled. lookupEnv is the environment (os.LookupEnv); a .env file in the
// working directory fills in what it does not set. An error is also reported
// on stderr: as a log line of the server's format when serving, as a line of
// text otherwise.
func Run(ctx context.Context, args []string, lookupEnv config.LookupFunc, stdout, stderr io.Writer) error {
	if len(args) > 1 {
		var err error
		switch args[1] {
		case "-h", "-help", "--help", "help":
			fmt.Fprint(stdout, usage)
		case "polka":
			err = runPolka(ctx, args[2:], lookupEnv, stdout, stderr)
		default:
			fmt.Fprint(stderr, usage)
			err = fmt.Errorf("unknown command %q", args[1])
		}
		if err != nil {
			fmt.Fprintf(stderr, "chirpy: %v\n", err)
		}
		return err
	}
	cfg, err := config.Load(lookupEnv, os.DirFS("."), ".env")
	if err == nil {
		err = serve(ctx, cfg, stdout, stderr)
	}
	if err != nil {
		reportFatal(stderr, cfg.LogFormat, err)
	}
	return err
}

// reportFatal writes the error a server stops with as one line, through the
// handler of its logs: LOG_FORMAT's, or JSON (the default) when LOG_FORMAT is
// what is wrong.
func reportFatal(stderr io.Writer, format string, err error) {
	logging.New(stderr, format, slog.LevelError).Error(err.Error())
}

// servingNotifier is a stdout that wants to know the addresses the server
// listens on, once it does: with PORT=0, that is how a test finds its server.
type servingNotifier interface {
	Serving(addr net.Addr)
	ServingMetrics(addr net.Addr)
}

// minSecretBytes is the shortest JWT_SECRET accepted without a warning: HS256
// keys should be at least as long as the hash (RFC 7518 §3.2).
const minSecretBytes = 32

// Server timeouts (READ_HEADER_TIMEOUT is configured). Bodies are at most
// 64 KiB and every handler is short, except a long chirp list, which
// WriteTimeout still leaves a minute to stream.
const (
	readTimeout  = 30 * time.Second
	writeTimeout = 60 * time.Second
	idleTimeout  = 2 * time.Minute
	// maxHeaderBytes makes the request line and headers at most 16 KiB (what
	// a connection may hold of them while it waits): net/http reads 4 KiB
	// more than its MaxHeaderBytes before it answers 431.
	maxHeaderBytes = 16<<10 - 4<<10
	// shutdownTimeout is how long in-flight requests get to finish after
	// SIGINT or SIGTERM.
	shutdownTimeout = 30 * time.Second
	// pruneEvery is how often the webhook inbox, the login attempts and the
	// idempotency keys are pruned.
	pruneEvery = 5 * time.Minute
)

// serve runs the API server until ctx is canceled, then shuts it down
// gracefully.
func serve(ctx context.Context, cfg config.Config, stdout, stderr io.Writer) error {
	logger := logging.New(stdout, cfg.LogFormat, cfg.LogLevel)
	for _, w := range config.DotenvWarnings(os.DirFS("."), ".env") {
		logger.Warn(w)
	}

	applied, err := store.Migrate(ctx, cfg.DBURL)
	if err != nil {
		return dbError(err)
	}
	for _, m := range applied {
		logger.Info("applied migration", "version", m.Version, "file", m.File, "duration", m.Duration)
	}
	st, err := store.Open(ctx, cfg.DBURL, store.Options{MaxConns: cfg.DBMaxConns, NoPreparedStatements: !cfg.DBPreparedStatements})
	if err != nil {
		return dbError(err)
	}
	// At exit: nothing is left to do about a pool that closes badly.
	defer func() { _ = st.Close() }()
	params := auth.PasswordParams
	if cfg.FastPasswordHashing {
		logger.Warn("PASSWORD_HASH_COST=test: passwords are hashed far too cheaply for real ones")
		params = auth.TestPasswordParams
	}
	hasher, err := auth.NewHasher(params, runtime.GOMAXPROCS(0))
	if err != nil {
		return err
	}
	// The decoy hash just used 19 MiB of working memory that the process
	// would otherwise keep resident for minutes; give it back now.
	debug.FreeOSMemory()
	if len(cfg.JWTSecret) < minSecretBytes {
		logger.Warn("JWT_SECRET is short: a secret under 32 bytes can be guessed offline from any token; generate one with openssl rand -hex 32")
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

	var metrics *server.Metrics
	var metricsSrv *http.Server
	var reg *prometheus.Registry
	if cfg.MetricsAddr != "" {
		reg = prometheus.NewRegistry()
		reg.MustRegister(poolMetrics(st))
		metrics = server.NewMetrics(reg)
		hasher.OnWait = func(d time.Duration) { metrics.HashWait.Observe(d.Seconds()) }
		mln, err := net.Listen("tcp", cfg.MetricsAddr)
		if err != nil {
			return fmt.Errorf("cannot listen on %s (METRICS_ADDR): %w", cfg.MetricsAddr, err)
		}
		mux := http.NewServeMux()
		// The default registry holds the Go runtime's and the process's
		// metrics (go_*, process_*), the same for every server of a process.
		gatherers := prometheus.Gatherers{prometheus.DefaultGatherer, reg}
		mux.Handle("GET /metrics", promhttp.HandlerFor(gatherers, promhttp.HandlerOpts{ErrorLog: slog.NewLogLogger(logger.Handler(), slog.LevelWarn)}))
		metricsSrv = httpServer(mux, cfg, logger)
		go func() {
			if err := metricsSrv.Serve(mln); !errors.Is(err, http.ErrServerClosed) {
				logger.Error("the metrics server stopped", "error", err)
			}
		}()
		defer func() { _ = metricsSrv.Close() }() // at exit: its error is its listener's
		logger.Info("serving metrics", "addr", mln.Addr().String())
		if n, ok := stdout.(servingNotifier); ok {
			n.ServingMetrics(mln.Addr())
		}
	}

	limits := loginLimits(cfg)
	handler := server.NewServer(server.Deps{
		Logger:         logger,
		Store:          st,
		Hasher:         hasher,
		JWTSecret:      cfg.JWTSecret,
		PolkaKeys:      auth.NewAPIKeys(cfg.PolkaKeys),
		PolkaSigner:    signer,
		Dev:            cfg.IsDev(),
		LoginLimits:    limits,
		RequestTimeout: cfg.RequestTimeout,
		WebhookTimeout: cfg.WebhookTimeout,
		Metrics:        metrics,
		TrustedProxies: cfg.TrustedProxies,
	})
	tcp, err := net.Listen("tcp", net.JoinHostPort(cfg.Host, strconv.Itoa(cfg.Port)))
	if err != nil {
		return fmt.Errorf("cannot listen on %s (HOST, PORT): %w", net.JoinHostPort(cfg.Host, strconv.Itoa(cfg.Port)), err)
	}
	maxConns := cfg.MaxConnections
	if maxConns == 0 {
		maxConns = defaultMaxConnections(cfg.DBMaxConns)
	}
	ln := connlimit.New(tcp, maxConns, cfg.MaxConnectionsPerClient, cfg.TrustedProxies)
	srv := httpServer(ln.Guard(handler), cfg, logger)
	srv.ConnState, srv.ConnContext = ln.ConnState, ln.ConnContext
	if reg != nil {
		reg.MustRegister(connMetrics(ln))
	}
	logger.Info("serving", "addr", ln.Addr().String(), "platform", cfg.Platform, "max_connections", maxConns)
	if n, ok := stdout.(servingNotifier); ok {
		n.Serving(ln.Addr())
	}

	pruneCtx, stopPruning := context.WithCancel(context.WithoutCancel(ctx))
	pruned := make(chan struct{})
	go func() {
		defer close(pruned)
		prune(pruneCtx, st, logger, pruneEvery, limits.Window)
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

// httpServer serves h with the timeouts and limits of every listener of
// Chirpy's, the metrics' too: without them, a connection idle or slow to
// send its request is held for ever.
func httpServer(h http.Handler, cfg config.Config, logger *slog.Logger) *http.Server {
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: cfg.ReadHeaderTimeout,
		ReadTimeout:       readTimeout,
		WriteTimeout:      writeTimeout,
		IdleTimeout:       idleTimeout,
		MaxHeaderBytes:    maxHeaderBytes,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
}

func loginLimits(cfg config.Config) auth.LoginLimits {
	l := auth.DefaultLoginLimits
	l.PerClient = cfg.LoginLimitPerClient
	return l
}

// defaultMaxConnections is the connection cap: 10,000 (each connection holds
// some 20 to 100 KiB while it waits), or less below the descriptor limit,
// with room for the database pool and the files the process opens.
func defaultMaxConnections(dbConns int) int {
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		return 1000
	}
	return max(min(int(lim.Cur)-2*dbConns-100, 10000), 64)
}

// dbError names DB_URL in an error that is about reaching the database.
func dbError(err error) error {
	if errors.Is(err, store.ErrUnavailable) || errors.Is(err, store.ErrInvalid) {
		return fmt.Errorf("DB_URL: %w", err)
	}
	return err
}

// prune deletes, now and then every interval until ctx is done, the webhook
// deliveries older than polka.InboxRetention, the login attempts whose
// window (loginWindow long) has run out, and the idempotency keys older than
// idempotency.Retention. Several servers may each do so;
// deleting what another already deleted is harmless.
func prune(ctx context.Context, st *store.Store, logger *slog.Logger, interval, loginWindow time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		n, err := st.PruneInbox(ctx, polka.InboxRetention)
		switch {
		case err != nil && ctx.Err() == nil:
			logger.Warn("pruning the webhook inbox failed; will try again", "error", err, "next_in", interval)
		case n > 0:
			logger.Info("pruned the webhook inbox", "deleted", n, "older_than", polka.InboxRetention)
		}
		if _, err := st.PruneLoginAttempts(ctx, loginWindow); err != nil && ctx.Err() == nil {
			logger.Warn("pruning login attempts failed; will try again", "error", err, "next_in", interval)
		}
		if _, err := st.PruneIdempotencyKeys(ctx, idempotency.Retention); err != nil && ctx.Err() == nil {
			logger.Warn("pruning idempotency keys failed; will try again", "error", err, "next_in", interval)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
