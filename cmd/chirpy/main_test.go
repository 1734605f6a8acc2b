package main

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// The binary, not just Run: a misconfigured start exits non-zero, quickly,
// with one line on stderr that names the problem.
func TestBinaryFailsFastWithOneLine(t *testing.T) {
	bin := filepath.Join(t.TempDir(), "chirpy")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	for name, tc := range map[string]struct {
		env  []string
		want string
	}{
		"no JWT_SECRET":      {[]string{"DB_URL=postgres://postgres@127.0.0.1:1/chirpy?sslmode=disable"}, "JWT_SECRET is not set"},
		"unreachable DB_URL": {[]string{"JWT_SECRET=s", "DB_URL=postgres://postgres@127.0.0.1:1/chirpy?sslmode=disable"}, "cannot reach the database"},
	} {
		t.Run(name, func(t *testing.T) {
			cmd := exec.Command(bin)
			cmd.Dir = t.TempDir() // no .env there
			cmd.Env = append([]string{"PATH=" + os.Getenv("PATH")}, tc.env...)
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			start := time.Now()
			err := cmd.Run()
			if exit, ok := errors.AsType[*exec.ExitError](err); !ok || exit.ExitCode() == 0 {
				t.Fatalf("exit: %v, want a non-zero exit code", err)
			}
			if d := time.Since(start); d > 5*time.Second {
				t.Errorf("took %v to fail", d)
			}
			lines := strings.Split(strings.TrimRight(stderr.String(), "\n"), "\n")
			if len(lines) != 1 || !strings.Contains(lines[0], tc.want) {
				t.Fatalf("stderr = %q, want one line containing %q", stderr.String(), tc.want)
			}
		})
	}
}
