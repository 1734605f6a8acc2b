package config

import (
	"strings"
	"testing"
	"testing/fstest"
)

func TestDotenvWarnings(t *testing.T) {
	fsys := fstest.MapFS{".env": {Data: []byte(`# a comment
PLATFORM=dev
JWT_SECRET=Zm9vYmFyYmF6cXV1eGZvb2JhcmJhenF1dXhmb29iYXJiYXpxdXV4Zm9vYmFyYmF6cXV1eGZv
b2JhcmJhenF1dXg=
export PORT=8081

POLKA_KEYS=x
POLKA_WEBHOOK_SECRET="whsec_a
b"
LOG_LEVEL = debug
+abc/def
HOST='127.0.0.1' junk
`)}}
	got := DotenvWarnings(fsys, ".env")
	want := []string{".env, line 4, names no setting", ".env, line 7, names no setting of Chirpy's", ".env, line 11, is not NAME=value", ".env, line 12: what follows"}
	if len(got) != len(want) {
		t.Fatalf("warnings %q, want %d", got, len(want))
	}
	for i := range want {
		if !strings.Contains(got[i], want[i]) {
			t.Errorf("warning %q, want %q", got[i], want[i])
		}
	}
	if w := DotenvWarnings(fsys, "missing"); w != nil {
		t.Errorf("a missing file: %q", w)
	}
	// Every setting the server reads is known.
	for _, name := range []string{"DB_URL", "METRICS_ADDR", "TRUSTED_PROXIES", "PASSWORD_HASH_COST"} {
		clean := fstest.MapFS{".env": {Data: []byte(name + "=x\n")}}
		if w := DotenvWarnings(clean, ".env"); w != nil {
			t.Errorf("%s: %q", name, w)
		}
	}
	// Nothing but a comment follows these closing quotes.
	for _, line := range []string{`DB_URL="x"`, `DB_URL='x' # the local one`, `DB_URL="x\"y"`} {
		quoted := fstest.MapFS{".env": {Data: []byte(line + "\n")}}
		if w := DotenvWarnings(quoted, ".env"); w != nil {
			t.Errorf("%s: %q", line, w)
		}
	}
}

// A line that is not NAME=value is ignored, with a warning: the settings
// around it are read as if it were not there.
func TestLoadIgnoresLinesThatAreNotAssignments(t *testing.T) {
	dotenv := fstest.MapFS{".env": {Data: []byte("DB_URL=postgres://db\nJWT_SECRET=abc+def\nghi/jkl\n" +
		"POLKA_WEBHOOK_SECRET=\"whsec_a\nb\"\nPORT='9000' # a comment\nHOST=h\r\n")}}
	c, err := Load(env(nil), dotenv, ".env")
	if err != nil {
		t.Fatal(err)
	}
	if c.DBURL != "postgres://db" || string(c.JWTSecret) != "abc+def" || c.PolkaWebhookSecret != "whsec_a\nb" || c.Port != 9000 || c.Host != "h" {
		t.Fatalf("got %+v", c)
	}
}

// No message about the configuration quotes a secret, or a line of .env (the
// rest of a secret split over two lines, most often): lines are named by
// number.
func TestMessagesNeverQuoteSecrets(t *testing.T) {
	const (
		jwt     = "Zm9vYmFyYmF6cXV1eGZvb2Jh/cmJhenF1dXhm"
		jwtRest = "b2JhcmJhenF1dXhmb29i+YXJiYXpx"
		polka   = "f271c81ff7084ee5b99a5091b42d486e"
		whsec   = "whsec_c2VjcmV0c2VjcmV0c2VjcmV0"
		dbPass  = "s3cr3tPa55"
	)
	dbURL := "postgres://chirpy:" + dbPass + "@db.example:5432/chirpy"
	secrets := []string{jwt, jwtRest, polka, whsec, dbPass}
	for _, tc := range []struct {
		name   string
		dotenv string
		env    map[string]string
	}{
		{"the rest of a secret on a line of its own", "JWT_SECRET=" + jwt + "\n" + jwtRest + "\n", nil},
		{"the rest of a secret that looks like NAME=", "JWT_SECRET=" + jwt + "\n" + jwtRest + "=\n", nil},
		{"the rest of a secret with spaces", "JWT_SECRET=" + jwt + "\n" + jwtRest + " " + jwtRest + "\n", nil},
		{"an unterminated double quote", "DB_URL=" + dbURL + "\nJWT_SECRET=\"" + jwt + "\n" + jwtRest + "\n", nil},
		{"an unterminated single quote", "POLKA_KEY='" + polka + "\n", nil},
		{"junk after a quoted secret", "POLKA_WEBHOOK_SECRET=\"" + whsec + "\"" + jwtRest + "\n", nil},
		{"a secret as a name", jwtRest + "=" + polka + "\n", nil},
		{"a YAML line", "JWT_SECRET: " + jwt + "\n", nil},
		{"other settings wrong", "", map[string]string{"DB_URL": dbURL, "JWT_SECRET": jwt, "POLKA_KEY": polka,
			"POLKA_WEBHOOK_SECRET": whsec, "PORT": "x", "LOG_FORMAT": "xml", "PASSWORD_HASH_COST": "test"}},
		{"everything unset but secrets in .env", "DB_URL=" + dbURL + "\nJWT_SECRET=" + jwt + "\nPOLKA_KEY=" + polka +
			"\nPOLKA_WEBHOOK_SECRET=" + whsec + "\nREQUEST_TIMEOUT=forever\n", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fsys := fstest.MapFS{".env": {Data: []byte(tc.dotenv)}}
			messages := DotenvWarnings(fsys, ".env")
			if _, err := Load(env(tc.env), fsys, ".env"); err != nil {
				messages = append(messages, err.Error())
			}
			if len(messages) == 0 {
				t.Fatal("no warning and no error")
			}
			for _, m := range messages {
				for _, s := range secrets {
					if strings.Contains(m, s) || strings.Contains(m, s[:8]) {
						t.Errorf("message %q quotes a secret (%s...)", m, s[:8])
					}
				}
			}
		})
	}
}

// A quoted value may end with a line break, so that its closing quote starts
// the next line, and may hold its own quote, escaped.
func TestLoadQuotedValues(t *testing.T) {
	dotenv := fstest.MapFS{".env": {Data: []byte("DB_URL=u\nJWT_SECRET=\"a\\\"b\"\nPOLKA_WEBHOOK_SECRET=\"whsec_a\n\"\nHOST=h\n")}}
	c, err := Load(env(nil), dotenv, ".env")
	if err != nil {
		t.Fatal(err)
	}
	if c.PolkaWebhookSecret != "whsec_a\n" || c.Host != "h" || string(c.JWTSecret) != `a"b` {
		t.Fatalf("got %+v", c)
	}
}

// A quoted value never closed is named by its setting, when it is one.
func TestLoadNamesTheUnclosedValue(t *testing.T) {
	for text, want := range map[string]string{
		"JWT_SECRET='abc\n":  ".env, line 1: the quoted value of JWT_SECRET is never closed",
		"X=1\nSECRT=\"abc\n": ".env, line 2: the quoted value is never closed",
	} {
		_, err := Load(env(nil), fstest.MapFS{".env": {Data: []byte(text)}}, ".env")
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: Load = %v, want %q", text, err, want)
		}
	}
}
