package main

import (
	"bytes"
	"database/sql"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// The chirpy binary, built once per test run for the tests that need a real
// process (a kill, a signal, an exit code), and removed by TestMain.
var (
	buildOnce sync.Once
	binDir    string
	binPath   string
	buildErr  error
	buildOut  []byte
)

func binary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		binDir, buildErr = os.MkdirTemp("", "chirpy-bin-")
		if buildErr != nil {
			return
		}
		binPath = filepath.Join(binDir, "chirpy")
		buildOut, buildErr = exec.Command("go", "build", "-o", binPath, ".").CombinedOutput()
	})
	if buildErr != nil {
		t.Fatalf("go build: %v\n%s", buildErr, buildOut)
	}
	return binPath
}

func removeBinary() {
	if binDir != "" {
		os.RemoveAll(binDir)
	}
}

// serverProcess is the chirpy binary running as a child process.
type serverProcess struct {
	cmd      *exec.Cmd
	URL      string
	output   *syncBuffer   // what it wrote on stdout and stderr
	done     chan struct{} // closed when the process has exited
	killOnce sync.Once
}

// startBinary starts the binary with the course's settings plus env, and
// waits until it answers /api/healthz.
func startBinary(t *testing.T, env ...string) *serverProcess {
	t.Helper()
	for attempt := 1; ; attempt++ {
		port := freePort(t)
		cmd := exec.Command(binary(t))
		cmd.Dir = t.TempDir()
		cmd.Env = append([]string{"PATH=" + os.Getenv("PATH"), "PORT=" + port, "JWT_SECRET=s", "PLATFORM=dev",
			"POLKA_KEY=f271c81ff7084ee5b99a5091b42d486e"}, env...)
		p := &serverProcess{cmd: cmd, URL: "http://127.0.0.1:" + port, output: &syncBuffer{}, done: make(chan struct{})}
		cmd.Stdout, cmd.Stderr = p.output, p.output
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		exited := make(chan error, 1)
		go func() {
			exited <- cmd.Wait()
			close(p.done)
		}()
		t.Cleanup(p.kill)
		err := waitHealthy(p.URL, exited)
		if err == nil {
			return p
		}
		if !strings.Contains(p.output.String(), "address already in use") || attempt == 3 {
			t.Fatalf("chirpy did not start: %v\n%s", err, p.output)
		}
	}
}

// kill ends the process at once, as a crash or an OOM kill would.
func (p *serverProcess) kill() {
	p.killOnce.Do(func() {
		p.cmd.Process.Signal(syscall.SIGKILL)
		<-p.done
	})
}

func openDB(t *testing.T, url string) *sql.DB {
	t.Helper()
	db, err := sql.Open("postgres", url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// The binary, not just Run: a misconfigured start exits non-zero, quickly,
// with one line on stderr that names the problem, in the format of the logs.
func TestBinaryFailsFastWithOneLine(t *testing.T) {
	t.Parallel()
	bin := binary(t)
	unreachable := "DB_URL=postgres://postgres@127.0.0.1:1/chirpy?sslmode=disable"
	for name, tc := range map[string]struct {
		env  []string
		want string
	}{
		"no JWT_SECRET":            {[]string{unreachable}, `"level":"ERROR","msg":"JWT_SECRET is not set`},
		"unreachable DB_URL":       {[]string{"JWT_SECRET=s", unreachable, "LOG_FORMAT=text"}, "chirpy: DB_URL: cannot reach the database"},
		"unreachable DB_URL, JSON": {[]string{"JWT_SECRET=s", unreachable}, `"level":"ERROR","msg":"DB_URL: cannot reach the database`},
		"bad LOG_FORMAT":           {[]string{"JWT_SECRET=s", unreachable, "LOG_FORMAT=xml"}, `chirpy: LOG_FORMAT="xml" is not json or text`},
	} {
		t.Run(name, func(t *testing.T) {
			cmd := exec.Command(bin)
			cmd.Dir = t.TempDir() // no .env there
			cmd.Env = append([]string{"PATH=" + os.Getenv("PATH")}, tc.env...)
			var stdout, stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
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
