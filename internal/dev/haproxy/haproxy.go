// Package haproxy runs the system's HAProxy as an HTTP load balancer in
// front of several Chirpy servers, for tests of Chirpy behind a proxy: round
// robin, X-Forwarded-For, health checks on /api/healthz, and a retry on
// another server when one refuses the connection.
package haproxy

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Proxy is one HAProxy, a child of this process, listening on 127.0.0.1.
type Proxy struct {
	Port int

	dir   string
	child *exec.Cmd
	done  chan struct{} // closed when child exits
	log   string        // the log's tail, kept by Stop
}

// Find returns the haproxy binary: $HAPROXY, then PATH, then
// /usr/sbin/haproxy (Debian's, off a non-root PATH).
func Find() (string, error) {
	if p := os.Getenv("HAPROXY"); p != "" {
		if _, err := os.Stat(p); err != nil {
			return "", fmt.Errorf("HAPROXY=%s: %w; %s", p, err, installHint)
		}
		return p, nil
	}
	if p, err := exec.LookPath("haproxy"); err == nil {
		return p, nil
	}
	if _, err := os.Stat("/usr/sbin/haproxy"); err == nil {
		return "/usr/sbin/haproxy", nil
	}
	return "", errors.New("haproxy not found in $HAPROXY, on PATH or in /usr/sbin; " + installHint)
}

const installHint = "install it (Debian/Ubuntu: apt-get install haproxy; macOS: brew install haproxy)"

// Start runs HAProxy in front of backends ("127.0.0.1:8081", ...) and waits
// until its frontend answers (whatever the backends' health). It runs in the
// foreground as a child of this process, as whoever we are (it needs no user,
// chroot or socket of its own), from a temporary directory that Stop
// deletes.
func Start(ctx context.Context, backends []string) (*Proxy, error) {
	if len(backends) == 0 {
		return nil, errors.New("haproxy: no backends")
	}
	for _, b := range backends {
		// It goes into haproxy.cfg as one word.
		host, port, err := net.SplitHostPort(b)
		if _, perr := strconv.Atoi(port); err != nil || perr != nil || host == "" || strings.ContainsAny(b, " \t\r\n#") {
			return nil, fmt.Errorf("haproxy: backend %q is not host:port", b)
		}
	}
	bin, err := Find()
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "chirpy-haproxy-")
	if err != nil {
		return nil, err
	}
	p := &Proxy{dir: dir}
	if err := p.start(ctx, bin, backends); err != nil {
		log := p.Log()
		p.Stop()
		return nil, fmt.Errorf("haproxy: %w\n%s", err, log)
	}
	return p, nil
}

func (p *Proxy) start(ctx context.Context, bin string, backends []string) error {
	port, err := freePort()
	if err != nil {
		return err
	}
	p.Port = port
	conf := filepath.Join(p.dir, "haproxy.cfg")
	if err := os.WriteFile(conf, []byte(config(port, backends)), 0o600); err != nil {
		return err
	}
	logFile, err := os.Create(p.logPath())
	if err != nil {
		return err
	}
	// The child writes to its own copy; ours is only closed.
	defer func() { _ = logFile.Close() }()
	// -db: in the foreground, so that it stays our child.
	cmd := exec.Command(bin, "-f", conf, "-db")
	cmd.Dir = p.dir
	cmd.Stdout, cmd.Stderr = logFile, logFile
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start %s: %w", bin, err)
	}
	p.child, p.done = cmd, make(chan struct{})
	go func() { _ = cmd.Wait(); close(p.done) }() // its exit status stays in ProcessState
	return p.waitReady(ctx)
}

// config is haproxy.cfg. Health checks every 500 ms, down after two
// failures, up after one success: a stopped server leaves the rotation
// within a second. Until then, retries 2 with redispatch 1 send a request
// whose connection was refused to another server, so clients see no error.
func config(port int, backends []string) string {
	lines := []string{
		"global",
		"    log stderr format raw local0 info",
		"    maxconn 1000",
		"",
		"defaults",
		"    mode http",
		"    log global",
		"    option httplog",
		"    option forwardfor",
		"    retries 2",
		"    option redispatch 1",
		"    timeout connect 2s",
		"    timeout client 60s",
		"    timeout server 60s",
		"    timeout check 2s",
		"",
		"frontend web",
		"    bind 127.0.0.1:" + strconv.Itoa(port),
		"    default_backend chirpy",
		"",
		"backend chirpy",
		"    balance roundrobin",
		"    option httpchk GET /api/healthz",
	}
	for i, b := range backends {
		lines = append(lines, fmt.Sprintf("    server s%d %s check inter 500ms fall 2 rise 1", i+1, b))
	}
	return strings.Join(lines, "\n") + "\n"
}

// waitReady waits until the frontend answers HTTP, with any status: a 503
// while no backend is up is an answer too.
func (p *Proxy) waitReady(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	client := &http.Client{Timeout: time.Second}
	for {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, p.URL()+"/api/healthz", nil)
		if err != nil {
			return err
		}
		resp, err := client.Do(req)
		if err == nil {
			resp.Body.Close()
			return nil
		}
		select {
		case <-p.done:
			return fmt.Errorf("exited at start: %v", p.child.ProcessState)
		case <-ctx.Done():
			return fmt.Errorf("not ready on 127.0.0.1:%d: %w", p.Port, err)
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// URL returns the proxy's base URL, http://127.0.0.1:PORT.
func (p *Proxy) URL() string { return "http://127.0.0.1:" + strconv.Itoa(p.Port) }

// Stop ends the proxy (SIGTERM: at once, dropping its connections), waits
// for it to exit and deletes its directory. Log still answers afterwards.
func (p *Proxy) Stop() {
	if p.child != nil {
		// An error is a proxy that has exited already: done is closed.
		_ = p.child.Process.Signal(syscall.SIGTERM)
		select {
		case <-p.done:
		case <-time.After(10 * time.Second):
			_ = p.child.Process.Kill() // as for Signal
			<-p.done
		}
		p.child = nil
	}
	if p.dir != "" {
		p.log = p.Log()
		_ = os.RemoveAll(p.dir) // best effort: a temporary directory
		p.dir = ""
	}
}

// Log returns the end of the proxy's log (its stderr: a line per request
// and per health change), for a failure message.
func (p *Proxy) Log() string {
	if p.dir == "" {
		return p.log
	}
	out, _ := os.ReadFile(p.logPath())
	return lastLines(out, 20)
}

func (p *Proxy) logPath() string { return filepath.Join(p.dir, "haproxy.log") }

func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

func lastLines(b []byte, n int) string {
	var lines []string
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		lines = append(lines, sc.Text())
	}
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
