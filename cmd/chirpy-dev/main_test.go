package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

func TestSetenvReplaces(t *testing.T) {
	env := setenv([]string{"A=1", "DB_URL=", "B=2", "DB_URLX=keep"}, "DB_URL", "postgres://x")
	if strings.Join(env, " ") != "A=1 B=2 DB_URLX=keep DB_URL=postgres://x" {
		t.Fatalf("setenv = %q", env)
	}
}

func TestEnsureDotenv(t *testing.T) {
	dir := t.TempDir()
	env, example := filepath.Join(dir, ".env"), filepath.Join(dir, ".env.example")
	if err := os.WriteFile(example, []byte("PLATFORM=dev\nJWT_SECRET=\nPOLKA_KEY=k\n"), 0o644); err != nil {
		t.Fatal(err)
	}

	if err := ensureDotenv(env, example, false); err != nil {
		t.Fatal(err)
	}
	first, _ := os.ReadFile(env)
	if !regexp.MustCompile(`(?m)^JWT_SECRET=[0-9a-f]{64}$`).Match(first) {
		t.Fatalf(".env has no generated JWT_SECRET of 32 random bytes in hex:\n%s", first)
	}
	if !regexp.MustCompile(`(?m)^PLATFORM=dev$`).Match(first) || !regexp.MustCompile(`(?m)^POLKA_KEY=k$`).Match(first) {
		t.Fatalf(".env lost the example's other settings:\n%s", first)
	}
	if fi, _ := os.Stat(env); fi.Mode().Perm() != 0o600 {
		t.Errorf(".env mode %v, want 0600 (it holds a secret)", fi.Mode().Perm())
	}

	// An existing .env is never touched.
	if err := ensureDotenv(env, example, false); err != nil {
		t.Fatal(err)
	}
	if second, _ := os.ReadFile(env); string(second) != string(first) {
		t.Fatal("a second run rewrote .env")
	}
}

func TestWithDevDefaultsHost(t *testing.T) {
	for _, tc := range []struct {
		name string
		env  []string          // the environment
		vars map[string]string // what the environment and .env say
		want string            // HOST= in the server's environment
	}{
		{"unset: this machine only", nil, map[string]string{}, "HOST=127.0.0.1"},
		{"set empty: every interface", []string{"HOST="}, map[string]string{"HOST": ""}, "HOST="},
		{"set", []string{"HOST=0.0.0.0"}, map[string]string{"HOST": "0.0.0.0"}, "HOST=0.0.0.0"},
		// The server reads .env itself: chirpy-dev only stays out of its way.
		{"in .env", nil, map[string]string{"HOST": "::1"}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			lookup := func(k string) (string, bool) { v, ok := tc.vars[k]; return v, ok }
			var hosts []string
			for _, kv := range withDevDefaults(tc.env, lookup) {
				if strings.HasPrefix(kv, "HOST=") {
					hosts = append(hosts, kv)
				}
			}
			if strings.Join(hosts, " ") != tc.want {
				t.Errorf("HOST entries %q, want %q", hosts, tc.want)
			}
		})
	}
}

func TestDataDirFor(t *testing.T) {
	for _, tc := range []struct {
		euid     int
		canEnter bool
		want     string
	}{
		{1000, true, ".pgdata"},
		{1000, false, ".pgdata"}, // the server runs as ourselves
		{0, true, ".pgdata"},
	} {
		if got := dataDirFor(tc.euid, "/root/chirpy", tc.canEnter); got != tc.want {
			t.Errorf("dataDirFor(%d, /root/chirpy, %v) = %q, want %q", tc.euid, tc.canEnter, got, tc.want)
		}
	}

	// Root, in a checkout the postgres user cannot enter: outside it, in a
	// directory that the same checkout always finds again, and another
	// checkout never shares.
	got := dataDirFor(0, "/root/chirpy", false)
	if !regexp.MustCompile(`^/var/tmp/chirpy-dev-[0-9a-f]{12}/pgdata$`).MatchString(got) {
		t.Fatalf("dataDirFor(0, /root/chirpy, false) = %q, want /var/tmp/chirpy-dev-<hash>/pgdata", got)
	}
	if again := dataDirFor(0, "/root/chirpy", false); again != got {
		t.Errorf("the same checkout got %q, then %q", got, again)
	}
	if other := dataDirFor(0, "/root/chirpy2", false); other == got {
		t.Errorf("two checkouts share %q", got)
	}
}

func TestPrivateDir(t *testing.T) {
	uid, gid := os.Getuid(), os.Getgid()
	base := t.TempDir()

	dir := filepath.Join(base, "new")
	for range 2 { // made, then found as it should be
		if err := privateDir(dir, uid, gid); err != nil {
			t.Fatal(err)
		}
		if fi, err := os.Lstat(dir); err != nil || !fi.IsDir() || fi.Mode().Perm() != 0o700 {
			t.Fatalf("%s: %v, %v; want a directory with mode 0700", dir, fi, err)
		}
	}

	open := filepath.Join(base, "open")
	if err := os.Mkdir(open, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(open, 0o777); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(base, "link")
	if err := os.Symlink(dir, link); err != nil {
		t.Fatal(err)
	}
	refused := []string{open, link}
	if os.Geteuid() == 0 {
		// Another user's directory, made before us.
		theirs := filepath.Join(base, "theirs")
		if err := os.Mkdir(theirs, 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.Chown(theirs, 65534, 65534); err != nil {
			t.Fatal(err)
		}
		refused = append(refused, theirs)
	}
	for _, d := range refused {
		if err := privateDir(d, uid, gid); err == nil {
			t.Errorf("privateDir(%s) accepted it", d)
		}
	}
}

// A copy of .env.example (what newcomers make) has an empty JWT_SECRET: it
// gets a fresh one, and the rest of the file stays; a secret already there,
// or one the environment sets, is kept.
func TestEnsureDotenvFillsAnEmptySecret(t *testing.T) {
	dir := t.TempDir()
	env, example := filepath.Join(dir, ".env"), filepath.Join(dir, ".env.example")
	if err := os.WriteFile(example, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(env, []byte("# mine\nPLATFORM=dev\nJWT_SECRET=\nPOLKA_KEY=k\n"), 0o640); err != nil {
		t.Fatal(err)
	}
	if err := ensureDotenv(env, example, true); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(env); string(b) != "# mine\nPLATFORM=dev\nJWT_SECRET=\nPOLKA_KEY=k\n" {
		t.Fatalf("with JWT_SECRET in the environment, .env was changed:\n%s", b)
	}
	if err := ensureDotenv(env, example, false); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(env)
	if !regexp.MustCompile(`^# mine\nPLATFORM=dev\nJWT_SECRET=[0-9a-f]{64}\nPOLKA_KEY=k\n$`).Match(b) {
		t.Fatalf(".env after filling the secret:\n%s", b)
	}
	if fi, _ := os.Stat(env); fi.Mode().Perm() != 0o640 {
		t.Errorf("mode %v changed", fi.Mode().Perm())
	}
	if err := ensureDotenv(env, example, false); err != nil {
		t.Fatal(err)
	}
	if again, _ := os.ReadFile(env); string(again) != string(b) {
		t.Fatal("a secret already there was replaced")
	}
	// No JWT_SECRET line at all: one is added.
	if err := os.WriteFile(env, []byte("PLATFORM=dev"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := ensureDotenv(env, example, false); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(env); !regexp.MustCompile(`^PLATFORM=dev\nJWT_SECRET=[0-9a-f]{64}\n$`).Match(b) {
		t.Fatalf(".env without the line:\n%s", b)
	}
}
