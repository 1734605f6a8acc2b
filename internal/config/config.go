// Package config turns the environment (and an optional .env file) into a
// validated Config, once, at start.
package config

import (
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"chirpy/internal/logging"
)

// Config is everything the server needs to know from outside.
type Config struct {
	DBURL     string
	Platform  string
	JWTSecret []byte
	// PolkaKeys are the accepted API keys of Polka (key rotation means more
	// than one may be valid at a time).
	PolkaKeys []string
	Port      int
	// PolkaWebhookSecret (whsec_...), when set, requires every webhook to carry
	// a valid Standard Webhooks signature.
	PolkaWebhookSecret string
	// DBMaxConns bounds the connection pool; every connection may be busy and
	// every one is kept open, so load never waits on reconnects.
	DBMaxConns int
	// LogFormat is logging.FormatJSON (the default) or logging.FormatText;
	// LogLevel the least severe level logged (default info).
	LogFormat string
	LogLevel  slog.Level
	// Host is the address to listen on; empty: every interface.
	Host string
	// MaxConnections caps the client connections held at once; 0: derived
	// from the descriptor limit at start. MaxConnectionsPerClient caps those
	// of one client address (a trusted proxy's excepted).
	MaxConnections, MaxConnectionsPerClient int
	// TrustedProxies are the load balancers whose X-Forwarded-For names the
	// client.
	TrustedProxies []netip.Prefix
	// DBPreparedStatements is false behind a pooler in transaction mode that
	// cannot keep prepared statements (PgBouncer before 1.21).
	DBPreparedStatements bool
	// LoginLimitPerClient is how many logins a minute one client address may
	// try, whatever the emails.
	LoginLimitPerClient int
	// Deadlines: what a request may wait for (the database, a password
	// hashing slot), a webhook delivery's share of the database, and how
	// long a client may take to send its headers.
	RequestTimeout, WebhookTimeout, ReadHeaderTimeout time.Duration
	// MetricsAddr is where Prometheus metrics are served (/metrics); empty:
	// nowhere.
	MetricsAddr string
	// FastPasswordHashing hashes passwords far too cheaply for real ones,
	// for test suites (PASSWORD_HASH_COST=test; only with PLATFORM=dev).
	FastPasswordHashing bool
}

// IsDev reports whether the server runs for development and tests, where
// POST /admin/reset is allowed.
func (c Config) IsDev() bool { return c.Platform == "dev" }

// Defaults for optional variables.
const (
	DefaultPort                = 8080
	DefaultDBMaxConns          = 16
	DefaultLoginLimitPerClient = 300
	// A browser opens 6 connections to a host; an office behind one address
	// several dozen of those.
	DefaultMaxConnectionsPerClient = 256
	DefaultRequestTimeout          = 10 * time.Second
	DefaultWebhookTimeout          = 5 * time.Second
	DefaultReadHeaderTimeout       = 5 * time.Second
)

// LookupFunc looks up an environment variable, reporting whether it is set
// (os.LookupEnv).
type LookupFunc func(key string) (value string, ok bool)

// Load reads the configuration from lookupEnv, falling back to the variables
// of the dotenv file (usually ".env") for anything not set there: a variable
// set in the environment, even to "", always wins. A missing dotenv file is
// not an error. The error names every problem at once; with it, the Config
// holds only what could be read, so that LogFormat can say how to report it.
func Load(lookupEnv LookupFunc, dotenv fs.FS, dotenvName string) (Config, error) {
	env, err := WithDotenv(lookupEnv, dotenv, dotenvName)
	if err != nil {
		// Report it as the environment alone asks.
		format, _ := logging.ParseFormat(value(lookupEnv, "LOG_FORMAT"))
		return Config{LogFormat: format}, err
	}
	lookup := func(k string) string { v, _ := env(k); return v }
	var c Config
	var problems []string

	if c.DBURL = lookup("DB_URL"); c.DBURL == "" {
		problems = append(problems, "DB_URL is not set (e.g. postgres://postgres@127.0.0.1:5432/chirpy?sslmode=disable)")
	}
	if secret := lookup("JWT_SECRET"); secret == "" {
		problems = append(problems, "JWT_SECRET is not set (generate one with: openssl rand -hex 32)")
	} else {
		c.JWTSecret = []byte(secret)
	}
	c.Platform = lookup("PLATFORM")
	for _, k := range strings.Split(lookup("POLKA_KEY"), ",") {
		if k = strings.TrimSpace(k); k != "" {
			c.PolkaKeys = append(c.PolkaKeys, k)
		}
	}
	c.PolkaWebhookSecret = lookup("POLKA_WEBHOOK_SECRET")
	c.Port, err = intVar(lookup, "PORT", DefaultPort, 0, 65535)
	if err != nil {
		problems = append(problems, err.Error())
	}
	c.DBMaxConns, err = intVar(lookup, "DB_MAX_CONNS", DefaultDBMaxConns, 1, 10000)
	if err != nil {
		problems = append(problems, err.Error())
	}
	c.Host = lookup("HOST")
	if c.MetricsAddr = lookup("METRICS_ADDR"); c.MetricsAddr != "" {
		if _, _, err := net.SplitHostPort(c.MetricsAddr); err != nil {
			problems = append(problems, fmt.Sprintf("METRICS_ADDR=%q is not host:port, such as 127.0.0.1:9090", c.MetricsAddr))
		}
	}
	for _, d := range []struct {
		name string
		dst  *time.Duration
		def  time.Duration
	}{
		{"REQUEST_TIMEOUT", &c.RequestTimeout, DefaultRequestTimeout},
		{"WEBHOOK_TIMEOUT", &c.WebhookTimeout, DefaultWebhookTimeout},
		{"READ_HEADER_TIMEOUT", &c.ReadHeaderTimeout, DefaultReadHeaderTimeout},
	} {
		if *d.dst, err = durationVar(lookup, d.name, d.def); err != nil {
			problems = append(problems, err.Error())
		}
	}
	switch cost := lookup("PASSWORD_HASH_COST"); cost {
	case "", "owasp":
	case "test":
		c.FastPasswordHashing = true
		if !c.IsDev() {
			problems = append(problems, "PASSWORD_HASH_COST=test is only for test suites, with PLATFORM=dev")
		}
	default:
		problems = append(problems, fmt.Sprintf("PASSWORD_HASH_COST=%q is not owasp or test", cost))
	}
	if c.LoginLimitPerClient, err = intVar(lookup, "LOGIN_LIMIT_PER_CLIENT", DefaultLoginLimitPerClient, 1, 1<<30); err != nil {
		problems = append(problems, err.Error())
	}
	if c.MaxConnections, err = intVar(lookup, "MAX_CONNECTIONS", 0, 1, 1<<20); err != nil {
		problems = append(problems, err.Error())
	}
	if c.MaxConnectionsPerClient, err = intVar(lookup, "MAX_CONNECTIONS_PER_CLIENT", DefaultMaxConnectionsPerClient, 1, 1<<20); err != nil {
		problems = append(problems, err.Error())
	}
	if c.TrustedProxies, err = prefixes(lookup("TRUSTED_PROXIES")); err != nil {
		problems = append(problems, err.Error())
	}
	if c.DBPreparedStatements, err = ParsePreparedStatements(lookup("DB_PREPARED_STATEMENTS")); err != nil {
		problems = append(problems, err.Error())
	}
	if c.LogFormat, err = logging.ParseFormat(lookup("LOG_FORMAT")); err != nil {
		problems = append(problems, err.Error())
	}
	if c.LogLevel, err = logging.ParseLevel(lookup("LOG_LEVEL")); err != nil {
		problems = append(problems, err.Error())
	}
	if len(problems) > 0 {
		return Config{LogFormat: c.LogFormat}, errors.New(strings.Join(problems, "; "))
	}
	return c, nil
}

// prefixes reads a comma-separated list of addresses and CIDR prefixes.
func prefixes(s string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f == "" {
			continue
		}
		p, err := netip.ParsePrefix(f)
		if err != nil {
			a, aerr := netip.ParseAddr(f)
			if aerr != nil {
				return nil, fmt.Errorf("TRUSTED_PROXIES: %q is not an address or a prefix such as 10.0.0.0/8", f)
			}
			p = netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen())
		}
		out = append(out, p.Masked())
	}
	return out, nil
}

func durationVar(lookup func(string) string, name string, def time.Duration) (time.Duration, error) {
	s := lookup(name)
	if s == "" {
		return def, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d <= 0 || d > time.Hour {
		return 0, fmt.Errorf("%s=%q is not a duration such as 10s, up to 1h", name, s)
	}
	return d, nil
}

func value(lookup LookupFunc, key string) string {
	v, _ := lookup(key)
	return v
}

func intVar(lookup func(string) string, name string, def, lo, hi int) (int, error) {
	s := lookup(name)
	if s == "" {
		return def, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < lo || n > hi {
		return 0, fmt.Errorf("%s=%q is not a whole number from %d to %d", name, s, lo, hi)
	}
	return n, nil
}

// ParsePreparedStatements reads DB_PREPARED_STATEMENTS: on unless off.
func ParsePreparedStatements(v string) (bool, error) {
	switch strings.ToLower(v) {
	case "", "on", "true", "yes":
		return true, nil
	case "off", "false", "no":
		return false, nil
	}
	return false, fmt.Errorf("DB_PREPARED_STATEMENTS=%q is not on or off", v)
}
