package config

import (
	"log/slog"
	"strings"
	"testing"
	"testing/fstest"
	"time"
)

func env(m map[string]string) LookupFunc {
	return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
}

func TestLoad(t *testing.T) {
	dotenv := fstest.MapFS{".env": {Data: []byte(
		"DB_URL=postgres://from-dotenv\nJWT_SECRET=dotenv-secret\nPLATFORM=dev\nPOLKA_KEY=a, b ,,c\n",
	)}}
	c, err := Load(env(map[string]string{"JWT_SECRET": "env-secret", "PORT": "9090"}), dotenv, ".env")
	if err != nil {
		t.Fatal(err)
	}
	if string(c.JWTSecret) != "env-secret" {
		t.Errorf("JWT_SECRET = %q: .env overrode the environment", c.JWTSecret)
	}
	if c.DBURL != "postgres://from-dotenv" || !c.IsDev() || c.Port != 9090 {
		t.Errorf("got %+v", c)
	}
	if strings.Join(c.PolkaKeys, "|") != "a|b|c" {
		t.Errorf("PolkaKeys = %q, want [a b c]", c.PolkaKeys)
	}
	if c.DBMaxConns != DefaultDBMaxConns {
		t.Errorf("DBMaxConns = %d, want default %d", c.DBMaxConns, DefaultDBMaxConns)
	}
}

// A variable set in the environment wins over .env even when it is empty:
// PLATFORM= in production must not be turned into dev by a stray .env.
func TestLoadSetButEmptyWins(t *testing.T) {
	dotenv := fstest.MapFS{".env": {Data: []byte("PLATFORM=dev\nPOLKA_KEY=k\n")}}
	c, err := Load(env(map[string]string{"DB_URL": "u", "JWT_SECRET": "s", "PLATFORM": "", "POLKA_KEY": ""}), dotenv, ".env")
	if err != nil {
		t.Fatal(err)
	}
	if c.IsDev() || len(c.PolkaKeys) != 0 {
		t.Fatalf(".env overrode variables set to \"\": %+v", c)
	}
}

func TestLoadDefaultsWithoutDotenv(t *testing.T) {
	c, err := Load(env(map[string]string{"DB_URL": "u", "JWT_SECRET": "s"}), fstest.MapFS{}, ".env")
	if err != nil {
		t.Fatal(err)
	}
	if c.Port != 8080 || c.IsDev() || len(c.PolkaKeys) != 0 || c.LogFormat != "json" || c.LogLevel != slog.LevelInfo ||
		c.Host != "" || c.MaxConnections != 0 || len(c.TrustedProxies) != 0 || !c.DBPreparedStatements {
		t.Errorf("got %+v", c)
	}
}

func TestLoadNamesEveryProblem(t *testing.T) {
	_, err := Load(env(map[string]string{"PORT": "http", "DB_MAX_CONNS": "0", "LOG_FORMAT": "xml", "LOG_LEVEL": "loud",
		"MAX_CONNECTIONS": "-1", "TRUSTED_PROXIES": "10.0.0.0/8, lb", "DB_PREPARED_STATEMENTS": "maybe"}), nil, "")
	if err == nil {
		t.Fatal("Load succeeded without DB_URL and JWT_SECRET")
	}
	msg := err.Error()
	for _, want := range []string{"DB_URL is not set", "JWT_SECRET is not set", `PORT="http"`, `DB_MAX_CONNS="0"`, `LOG_FORMAT="xml"`, `LOG_LEVEL="loud"`, `MAX_CONNECTIONS="-1"`, `"lb"`, `DB_PREPARED_STATEMENTS="maybe"`} {
		if !strings.Contains(msg, want) {
			t.Errorf("error %q does not mention %q", msg, want)
		}
	}
	if strings.Contains(msg, "\n") {
		t.Errorf("error %q spans several lines", msg)
	}
}

func TestLoadRejectsBrokenDotenv(t *testing.T) {
	dotenv := fstest.MapFS{".env": {Data: []byte("JWT_SECRET='unterminated\n")}}
	if _, err := Load(env(nil), dotenv, ".env"); err == nil || !strings.Contains(err.Error(), ".env, line 1") || strings.Contains(err.Error(), "unterminated") {
		t.Fatalf("Load with a broken .env = %v, want an error naming .env", err)
	}
}

func TestLoadNetworkSettings(t *testing.T) {
	c, err := Load(env(map[string]string{"DB_URL": "x", "JWT_SECRET": "s", "HOST": "127.0.0.1", "MAX_CONNECTIONS": "500",
		"TRUSTED_PROXIES": "10.0.0.0/8, 192.168.1.7 ,::1", "DB_PREPARED_STATEMENTS": "off"}), nil, "")
	if err != nil {
		t.Fatal(err)
	}
	var proxies []string
	for _, p := range c.TrustedProxies {
		proxies = append(proxies, p.String())
	}
	if c.Host != "127.0.0.1" || c.MaxConnections != 500 || c.DBPreparedStatements ||
		strings.Join(proxies, " ") != "10.0.0.0/8 192.168.1.7/32 ::1/128" {
		t.Fatalf("got %+v", c)
	}
}

// Each number and duration is accepted up to its bounds inclusive and refused
// one step beyond them.
func TestLoadBounds(t *testing.T) {
	for _, tc := range []struct {
		name, value string
		got         func(*Config) any // nil: refused
		want        any
	}{
		{"PORT", "0", func(c *Config) any { return c.Port }, 0},
		{"PORT", "65535", func(c *Config) any { return c.Port }, 65535},
		{"PORT", "65536", nil, nil},
		{"PORT", "-1", nil, nil},
		{"DB_MAX_CONNS", "1", func(c *Config) any { return c.DBMaxConns }, 1},
		{"DB_MAX_CONNS", "10000", func(c *Config) any { return c.DBMaxConns }, 10000},
		{"DB_MAX_CONNS", "10001", nil, nil},
		{"REQUEST_TIMEOUT", "1ns", func(c *Config) any { return c.RequestTimeout }, time.Nanosecond},
		{"REQUEST_TIMEOUT", "1h", func(c *Config) any { return c.RequestTimeout }, time.Hour},
		{"REQUEST_TIMEOUT", "1h0m0.000000001s", nil, nil},
		{"REQUEST_TIMEOUT", "0s", nil, nil},
		{"REQUEST_TIMEOUT", "-1s", nil, nil},
		{"REQUEST_TIMEOUT", "soon", nil, nil},
		{"WEBHOOK_TIMEOUT", "2s", func(c *Config) any { return c.WebhookTimeout }, 2 * time.Second},
		{"READ_HEADER_TIMEOUT", "3s", func(c *Config) any { return c.ReadHeaderTimeout }, 3 * time.Second},
	} {
		c, err := Load(env(map[string]string{"DB_URL": "u", "JWT_SECRET": "s", tc.name: tc.value}), nil, "")
		if tc.got == nil {
			if err == nil || !strings.Contains(err.Error(), tc.name+"=\""+tc.value+"\"") {
				t.Errorf("%s=%s: Load = %v, want it refused", tc.name, tc.value, err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s=%s: %v", tc.name, tc.value, err)
			continue
		}
		if got := tc.got(&c); got != tc.want {
			t.Errorf("%s=%s: got %v, want %v", tc.name, tc.value, got, tc.want)
		}
	}
}
