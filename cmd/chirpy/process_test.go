package main

import (
	"bytes"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"chirpy/internal/dev/pgtest"
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
		_ = os.RemoveAll(binDir) // cleanup of a temporary directory
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

// api is the server as s.req reaches it: every exchange checked against the
// OpenAPI document.
func (p *serverProcess) api() *testServer { return &testServer{URL: p.URL} }

// startBinary starts the binary with the course's settings plus env on a
// port of its own, and waits until it answers /api/healthz.
func startBinary(t *testing.T, env ...string) *serverProcess {
	t.Helper()
	for attempt := 1; ; attempt++ {
		port := freePort(t)
		cmd := exec.Command(binary(t))
		cmd.Dir = t.TempDir()
		cmd.Env = append([]string{"PATH=" + os.Getenv("PATH"), "PORT=" + port, "JWT_SECRET=s", "PLATFORM=dev",
			"POLKA_KEY=f271c81ff7084ee5b99a5091b42d486e", "PASSWORD_HASH_COST=test"}, env...)
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
		// Another server may have taken the port between freePort and the
		// start: this one then exits, or the answer was the other's.
		if err == nil && listensOn(cmd.Process.Pid, port) {
			return p
		}
		p.kill()
		if attempt == 3 {
			t.Fatalf("chirpy did not start on a port of its own: %v\n%s", err, p.output)
		}
	}
}

// listensOn reports whether process pid has a socket listening on TCP port
// (Linux: its descriptors against /proc/net/tcp and tcp6).
func listensOn(pid int, port string) bool {
	n, err := strconv.Atoi(port)
	if err != nil {
		return false
	}
	local := fmt.Sprintf(":%04X ", n)
	inodes := map[string]bool{}
	for _, table := range []string{"/proc/net/tcp", "/proc/net/tcp6"} {
		b, _ := os.ReadFile(table)
		for _, line := range strings.Split(string(b), "\n") {
			f := strings.Fields(line)
			// local_address st ... inode
			if len(f) > 9 && strings.HasSuffix(f[1]+" ", local) && f[3] == "0A" {
				inodes[f[9]] = true
			}
		}
	}
	fds, _ := os.ReadDir(fmt.Sprintf("/proc/%d/fd", pid))
	for _, fd := range fds {
		link, err := os.Readlink(fmt.Sprintf("/proc/%d/fd/%s", pid, fd.Name()))
		if inode, ok := strings.CutPrefix(link, "socket:["); err == nil && ok && inodes[strings.TrimSuffix(inode, "]")] {
			return true
		}
	}
	return false
}

// kill ends the process at once, as a crash or an OOM kill would.
func (p *serverProcess) kill() {
	p.killOnce.Do(func() {
		_ = p.cmd.Process.Signal(syscall.SIGKILL) // an error is a process that has exited: done is closed
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
// with one line on stderr that names the problem, in the format of the logs
// (with LOG_FORMAT=text, key=value pairs as every other line).
// keyValues matches a line of LOG_FORMAT=text: key=value pairs, a value
// quoted when it holds a space, a quote or an equals sign.
var keyValues = regexp.MustCompile(`^time=\S+( [a-z_]+=([^ "=]+|"([^"\\]|\\.)*"))+$`)

func TestBinaryFailsFastWithOneLine(t *testing.T) {
	t.Parallel()
	bin := binary(t)
	unreachable := "DB_URL=postgres://postgres@127.0.0.1:1/chirpy?sslmode=disable"
	for name, tc := range map[string]struct {
		env  []string
		want string
	}{
		"no JWT_SECRET":            {[]string{unreachable}, `"level":"ERROR","msg":"JWT_SECRET is not set`},
		"no JWT_SECRET, text":      {[]string{unreachable, "LOG_FORMAT=text"}, `level=ERROR msg="JWT_SECRET is not set`},
		"unreachable DB_URL":       {[]string{"JWT_SECRET=s", unreachable, "LOG_FORMAT=text"}, `level=ERROR msg="DB_URL: cannot reach the database`},
		"unreachable DB_URL, JSON": {[]string{"JWT_SECRET=s", unreachable}, `"level":"ERROR","msg":"DB_URL: cannot reach the database`},
		"bad LOG_FORMAT":           {[]string{"JWT_SECRET=s", unreachable, "LOG_FORMAT=xml"}, `"level":"ERROR","msg":"LOG_FORMAT=\"xml\" is not json or text`},
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
			if json.Valid([]byte(lines[0])) == slices.Contains(tc.env, "LOG_FORMAT=text") {
				t.Fatalf("stderr = %q: not in the format of LOG_FORMAT", lines[0])
			}
			if slices.Contains(tc.env, "LOG_FORMAT=text") && !keyValues.MatchString(lines[0]) {
				t.Fatalf("stderr = %q, want key=value pairs", lines[0])
			}
		})
	}
}

// A secret pasted over two lines of .env: the line that is not NAME=value is
// not fatal, and the warning about it names its number, never its text (the
// rest of the secret), as does nothing else the server writes.
func TestBinaryWarnsAboutDotenvByLineNumber(t *testing.T) {
	t.Parallel()
	const half1, half2 = "Zm9vYmFyYmF6cXV1eGZvb2JhcmJhenF1dXhm", "b29iYXJi/YXpxdXV4Zm9vYmFyYmF6cXV1eA=="
	dir := t.TempDir()
	dotenv := "PLATFORM=dev\nJWT_SECRET=" + half1 + "\n" + half2 + "\n"
	if err := os.WriteFile(filepath.Join(dir, ".env"), []byte(dotenv), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(binary(t))
	cmd.Dir = dir
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "LOG_FORMAT=text", "DB_URL=postgres://postgres@127.0.0.1:1/chirpy?sslmode=disable"}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err == nil {
		t.Fatal("the server started without a database")
	}
	// It got as far as the database: .env was read, JWT_SECRET from it.
	if !strings.Contains(stderr.String(), "cannot reach the database") {
		t.Fatalf("stderr = %q, want the database's error", stderr.String())
	}
	if !strings.Contains(stdout.String(), `level=WARN msg=".env, line 3, is not NAME=value`) {
		t.Errorf("stdout = %q, want a warning naming line 3", stdout.String())
	}
	for _, out := range []string{stdout.String(), stderr.String()} {
		if strings.Contains(out, half1[:8]) || strings.Contains(out, half2[:8]) {
			t.Errorf("the server wrote part of the secret: %q", out)
		}
	}
}

// SIGTERM while a request is in flight: the server stops taking new
// connections, lets the request finish (answered, and committed), then exits 0.
func TestGracefulShutdownFinishesRequestsInFlight(t *testing.T) {
	t.Parallel()
	for _, ev := range membershipEvents {
		t.Run(ev.name, func(t *testing.T) {
			t.Parallel()
			dbURL := pgtest.NewDatabase(t)
			db := openDB(t, dbURL)
			user := createUsers(t, db, 1, ev.before)[0]
			server := startBinary(t, "DB_URL="+dbURL)

			// Hold the user's row so the delivery is slow: it waits in the database.
			tx := lockUser(t, db, user)
			type result struct {
				status int
				err    error
			}
			answered := make(chan result, 1)
			go func() {
				st, err := deliver(t, server.URL, ev, "msg_shutdown", user)
				answered <- result{st, err}
			}()
			waitForLockWait(t, db)

			if err := server.cmd.Process.Signal(syscall.SIGTERM); err != nil {
				t.Fatal(err)
			}
			// The listener closes; the process stays for the request in flight.
			// Not s.req: what is awaited is a refused connection, no answer.
			waitUntil(t, 30*time.Second, "new connections refused after SIGTERM", func() bool {
				res, err := http.Get(server.URL + "/api/healthz")
				if err == nil {
					res.Body.Close()
				}
				return err != nil
			})
			select {
			case <-server.done:
				t.Fatal("the server exited with a request in flight")
			default:
			}

			tx.Rollback() // the slow request can now finish
			r := <-answered
			if r.err != nil || r.status != http.StatusNoContent {
				t.Fatalf("request in flight at SIGTERM: %d, %v; want 204", r.status, r.err)
			}
			select {
			case <-server.done:
			case <-time.After(10 * time.Second):
				t.Fatal("the server did not exit after its last request")
			}
			if code := server.cmd.ProcessState.ExitCode(); code != 0 {
				t.Fatalf("exit code %d, want 0", code)
			}
			var red bool
			if err := db.QueryRow(`SELECT is_chirpy_red FROM users WHERE id = $1`, user).Scan(&red); err != nil {
				t.Fatal(err)
			}
			if red != ev.after {
				t.Fatal("the request answered 204 during shutdown was not committed")
			}
		})
	}
}
