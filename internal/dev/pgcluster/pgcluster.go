// Package pgcluster runs a PostgreSQL server of Chirpy's own from the system's
// PostgreSQL binaries, in a data directory it owns: for `make run`, the tests
// and the benchmark. When run as root it runs the binaries as the postgres
// user, since initdb and postgres refuse to run as root.
package pgcluster

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	_ "github.com/lib/pq" // the "postgres" driver
)

// Cluster is one PostgreSQL server: a data directory and the port it listens on
// (127.0.0.1 only, no Unix socket).
type Cluster struct {
	BinDir  string
	DataDir string
	Port    int

	cred      *syscall.Credential // nil: run the binaries as ourselves
	child     *exec.Cmd           // the server, when started by Start
	done      chan struct{}       // closed when child exits
	throwaway bool                // made by StartThrowaway, deleted after
}

// FindBinDir returns the directory of initdb: $PG_BIN, then PATH, then the
// newest /usr/lib/postgresql/*/bin (Debian and Ubuntu keep it off PATH).
func FindBinDir() (string, error) {
	if dir := os.Getenv("PG_BIN"); dir != "" {
		return dir, nil
	}
	if p, err := exec.LookPath("initdb"); err == nil {
		// A symlinked initdb (as in /usr/local/bin) says where the rest are.
		if real, err := filepath.EvalSymlinks(p); err == nil {
			p = real
		}
		return filepath.Dir(p), nil
	}
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	slices.SortFunc(dirs, func(a, b string) int { return majorVersion(b) - majorVersion(a) })
	for _, d := range dirs {
		if _, err := os.Stat(filepath.Join(d, "initdb")); err == nil {
			return d, nil
		}
	}
	return "", errors.New("PostgreSQL server binaries (initdb) not found on PATH, in $PG_BIN or under /usr/lib/postgresql/*/bin; " +
		"install them (Debian/Ubuntu: apt-get install postgresql; macOS: brew install postgresql@16)")
}

func majorVersion(binDir string) int {
	n, _ := strconv.Atoi(filepath.Base(filepath.Dir(binDir)))
	return n
}

// New returns the cluster kept in dataDir, which need not exist yet.
func New(dataDir string) (*Cluster, error) {
	bin, err := FindBinDir()
	if err != nil {
		return nil, err
	}
	abs, err := filepath.Abs(dataDir)
	if err != nil {
		return nil, err
	}
	cred, err := Credential()
	if err != nil {
		return nil, err
	}
	c := &Cluster{BinDir: bin, DataDir: abs, cred: cred}
	if c.Initialized() {
		if c.Port, err = c.configuredPort(); err != nil {
			return nil, err
		}
	}
	return c, nil
}

// Credential is who the PostgreSQL binaries (and other servers that refuse
// root, such as PgBouncer) run as: nil, ourselves, unless we are root; then
// the postgres user.
func Credential() (*syscall.Credential, error) {
	if os.Geteuid() != 0 {
		return nil, nil
	}
	u, err := user.Lookup("postgres")
	if err != nil {
		return nil, fmt.Errorf("running as root, PostgreSQL must run as the postgres user, which does not exist: %w", err)
	}
	uid, err := strconv.Atoi(u.Uid)
	if err != nil {
		return nil, fmt.Errorf("postgres user: uid %q: %w", u.Uid, err)
	}
	gid, err := strconv.Atoi(u.Gid)
	if err != nil {
		return nil, fmt.Errorf("postgres user: gid %q: %w", u.Gid, err)
	}
	return &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}, nil
}

// CanEnter reports whether the user of Credential can enter dir, which needs
// search permission on it and on every directory above it (a checkout under
// a 0700 /root fails this for the postgres user). It asks the kernel, by
// trying as that user, so ACLs and supplementary groups count.
func CanEnter(dir string) (bool, error) {
	cred, err := Credential()
	if err != nil {
		return false, err
	}
	if cred == nil {
		_, err := os.Stat(dir)
		return err == nil, nil
	}
	cmd := exec.Command("/bin/sh", "-c", `cd -- "$1"`, "sh", dir)
	cmd.Dir = "/"
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
	err = cmd.Run()
	var exit *exec.ExitError
	switch {
	case err == nil:
		return true, nil
	case errors.As(err, &exit):
		return false, nil
	default:
		return false, fmt.Errorf("check whether the postgres user can enter %s: %w", dir, err)
	}
}

// Initialized reports whether the data directory holds a cluster.
func (c *Cluster) Initialized() bool {
	_, err := os.Stat(filepath.Join(c.DataDir, "PG_VERSION"))
	return err == nil
}

// Init creates the cluster on a free port, with trust authentication for the
// postgres user on 127.0.0.1 and the given postgresql.conf settings
// ("fsync = off", ...).
func (c *Cluster) Init(ctx context.Context, settings ...string) error {
	if err := os.MkdirAll(c.DataDir, 0o700); err != nil {
		return err
	}
	if c.cred != nil {
		if err := os.Chown(c.DataDir, int(c.cred.Uid), int(c.cred.Gid)); err != nil {
			return err
		}
	}
	args := []string{"-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C"}
	if c.throwaway {
		// Nothing is kept after the machine stops: skip the fsyncs, which
		// are most of initdb's time.
		args = append(args, "--no-sync")
		if err := c.initFromCopy(ctx, args); err != nil {
			return err
		}
	} else if err := c.initdb(ctx, c.DataDir, args); err != nil {
		return err
	}
	port, err := freePort()
	if err != nil {
		return err
	}
	conf := []string{
		"",
		"# Chirpy's own cluster: local TCP only.",
		"listen_addresses = '127.0.0.1'",
		"port = " + strconv.Itoa(port),
		"unix_socket_directories = ''",
	}
	if err := appendConf(c.DataDir, append(conf, settings...)...); err != nil {
		return err
	}
	c.Port = port
	return nil
}

func (c *Cluster) initdb(ctx context.Context, dir string, args []string) error {
	out, err := c.command(ctx, "initdb", append([]string{"-D", dir}, args...)...).CombinedOutput()
	if err != nil {
		return fmt.Errorf("initdb %s: %w\n%s", dir, err, lastLines(out, 10))
	}
	return nil
}

// initFromCopy initializes a throwaway cluster as a copy of a pristine one
// that initdb made with the same binaries and arguments, beside it, once for
// every process that asks: a copy takes a tenth of initdb's time, and a test
// suite makes a dozen clusters. The pristine copy, a directory of its own
// (chirpy-initdb-...), is made under another name and renamed into place, so
// processes making it at once do not see each other's halves; it goes with
// the other abandoned directories (removeAbandoned). Should the copy fail,
// initdb makes the cluster.
func (c *Cluster) initFromCopy(ctx context.Context, args []string) error {
	parent := filepath.Dir(c.DataDir)
	id := c.BinDir + "\x00" + strings.Join(args, "\x00")
	if c.cred != nil {
		id += fmt.Sprintf("\x00%d", c.cred.Uid)
	}
	if info, err := os.Stat(filepath.Join(c.BinDir, "initdb")); err == nil {
		id += "\x00" + info.ModTime().String() // another build of PostgreSQL
	}
	sum := sha256.Sum256([]byte(id))
	pristine := filepath.Join(parent, "chirpy-initdb-"+hex.EncodeToString(sum[:8]))
	if _, err := os.Stat(filepath.Join(pristine, "PG_VERSION")); err != nil {
		tmp, err := os.MkdirTemp(parent, "chirpy-initdb-new-")
		if err != nil {
			return c.initdb(ctx, c.DataDir, args)
		}
		if c.cred != nil {
			if err := os.Chown(tmp, int(c.cred.Uid), int(c.cred.Gid)); err != nil {
				_ = os.RemoveAll(tmp)
				return c.initdb(ctx, c.DataDir, args)
			}
		}
		if err := c.initdb(ctx, filepath.Join(tmp, "data"), args); err != nil {
			_ = os.RemoveAll(tmp)
			return err
		}
		if err := os.Rename(filepath.Join(tmp, "data"), pristine); err != nil {
			// Another process made it first: use theirs.
			_ = os.RemoveAll(tmp)
		} else {
			_ = os.Remove(tmp)
		}
	}
	cp := exec.CommandContext(ctx, "cp", "-a", pristine+"/.", c.DataDir)
	cp.Dir = "/"
	cp.SysProcAttr = &syscall.SysProcAttr{Credential: c.cred}
	if out, err := cp.CombinedOutput(); err != nil {
		// Removed under us, say: start afresh.
		if err := os.RemoveAll(c.DataDir); err != nil {
			return err
		}
		if err := os.MkdirAll(c.DataDir, 0o700); err != nil {
			return err
		}
		if c.cred != nil {
			if err := os.Chown(c.DataDir, int(c.cred.Uid), int(c.cred.Gid)); err != nil {
				return err
			}
		}
		if ierr := c.initdb(ctx, c.DataDir, args); ierr != nil {
			return fmt.Errorf("copy of %s: %w\n%s\n%w", pristine, err, lastLines(out, 5), ierr)
		}
	}
	return nil
}

// appendConf appends lines to dir's postgresql.conf, where the last setting
// of a name wins.
func appendConf(dir string, lines ...string) error {
	f, err := os.OpenFile(filepath.Join(dir, "postgresql.conf"), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		return err
	}
	if _, err := f.WriteString(strings.Join(lines, "\n") + "\n"); err != nil {
		_ = f.Close() // the write's error is the one to report
		return err
	}
	return f.Close()
}

var portSetting = regexp.MustCompile(`(?m)^\s*port\s*=\s*(\d+)`)

func (c *Cluster) configuredPort() (int, error) {
	conf, err := os.ReadFile(filepath.Join(c.DataDir, "postgresql.conf"))
	if err != nil {
		return 0, err
	}
	m := portSetting.FindAllSubmatch(conf, -1)
	if len(m) == 0 {
		return 0, fmt.Errorf("%s/postgresql.conf sets no port", c.DataDir)
	}
	return strconv.Atoi(string(m[len(m)-1][1]))
}

// Start runs the server as a child of this process, which it does not
// outlive, and waits until it accepts connections.
func (c *Cluster) Start(ctx context.Context) error {
	logFile, err := os.OpenFile(c.logPath(), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	// The child writes to its own copy; ours is only closed.
	defer func() { _ = logFile.Close() }()
	if c.cred != nil {
		// The server's own files are the postgres user's: pg_basebackup,
		// for one, has the server read every file in the directory.
		if err := os.Chown(c.logPath(), int(c.cred.Uid), int(c.cred.Gid)); err != nil {
			return err
		}
	}
	cmd := c.command(context.Background(), "postgres", "-D", c.DataDir)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	cmd.SysProcAttr.Pdeathsig = syscall.SIGKILL
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start postgres: %w", err)
	}
	c.child, c.done = cmd, make(chan struct{})
	go func() { _ = cmd.Wait(); close(c.done) }() // its exit status stays in ProcessState
	if err := c.waitReady(ctx); err != nil {
		_ = c.Stop() // the readiness error is the one to report
		return err
	}
	return nil
}

// Stop shuts down a server started by Start (fast shutdown: open
// transactions are rolled back) and waits for it to exit.
func (c *Cluster) Stop() error {
	if c.child == nil {
		return nil
	}
	// An error is a server that has exited already: done is closed.
	_ = c.child.Process.Signal(syscall.SIGINT)
	select {
	case <-c.done:
	case <-time.After(30 * time.Second):
		_ = c.child.Process.Kill() // as for Signal
		<-c.done
	}
	c.child = nil
	return nil
}

// Running reports whether a server is serving this data directory, whoever
// started it.
func (c *Cluster) Running(ctx context.Context) bool {
	return c.command(ctx, "pg_ctl", "status", "-D", c.DataDir).Run() == nil
}

// StartDaemon starts the server in the background, in a session of its own,
// so it outlives this process (and a Ctrl-C in the terminal); StopDaemon stops
// it.
func (c *Cluster) StartDaemon(ctx context.Context) error {
	cmd := c.command(ctx, "pg_ctl", "start", "-w", "-t", "60", "-D", c.DataDir, "-l", c.logPath())
	cmd.SysProcAttr.Setsid = true
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("pg_ctl start: %w\n%s\n%s", err, lastLines(out, 5), c.logTail())
	}
	return c.waitReady(ctx)
}

// StopDaemon stops a server started by StartDaemon; a stopped one is fine.
func (c *Cluster) StopDaemon(ctx context.Context) error {
	if !c.Running(ctx) {
		return nil
	}
	if out, err := c.command(ctx, "pg_ctl", "stop", "-w", "-m", "fast", "-D", c.DataDir).CombinedOutput(); err != nil {
		return fmt.Errorf("pg_ctl stop: %w\n%s", err, lastLines(out, 5))
	}
	return nil
}

// StartThrowaway initializes and starts a cluster with settings in a new
// temporary directory, as a child of this process. Remove stops it and
// deletes the directory.
func StartThrowaway(ctx context.Context, settings ...string) (*Cluster, error) {
	return StartThrowawayIn(ctx, "", settings...)
}

// StartThrowawayIn is StartThrowaway with the directory made in parent (""
// is the system's temporary directory), MemoryDir for one.
func StartThrowawayIn(ctx context.Context, parent string, settings ...string) (*Cluster, error) {
	dir, err := os.MkdirTemp(parent, "chirpy-pg-")
	if err != nil {
		return nil, err
	}
	c, err := New(dir)
	if err == nil {
		c.throwaway = true
		err = c.Init(ctx, settings...)
	}
	if err == nil {
		err = c.Start(ctx)
	}
	if err != nil {
		_ = os.RemoveAll(dir) // best effort: err is the one to report
		return nil, err
	}
	return c, nil
}

// MemoryDir returns /dev/shm when it is a memory file system with room for
// test clusters (2 GiB free, and 4 GiB of memory available to this process's
// cgroup and the machine), and "" (the temporary directory) otherwise. A
// cluster there creates and drops databases several times faster than on a
// disk (on one mounted with discard, over ten times): its files never reach
// a device. It is for clusters whose data may be lost: what is kept there is
// gone at the next boot, and takes memory until then. Directories of
// throwaway clusters whose server is gone, left there by a test process that
// was killed, are removed on the way.
func MemoryDir() string {
	const dir, tmpfsMagic, room, memory = "/dev/shm", 0x01021994, 2 << 30, 4 << 30
	var st syscall.Statfs_t
	if err := syscall.Statfs(dir, &st); err != nil || int64(st.Type) != tmpfsMagic || st.Bavail*uint64(st.Bsize) < room {
		return ""
	}
	if syscall.Access(dir, 2 /* W_OK */) != nil || availableMemory() < memory {
		return ""
	}
	removeAbandoned(dir)
	return dir
}

// availableMemory is what the machine has available (MemAvailable), or less
// if this process's cgroup (v2) is held to less; 0 if unknown.
func availableMemory() int64 {
	var avail int64
	if b, err := os.ReadFile("/proc/meminfo"); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if rest, ok := strings.CutPrefix(line, "MemAvailable:"); ok {
				kb, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
				avail = kb << 10
			}
		}
	}
	if b, err := os.ReadFile("/proc/self/cgroup"); err == nil {
		// "0::/path" in cgroup v2.
		if path, ok := strings.CutPrefix(strings.TrimSpace(string(b)), "0::"); ok {
			root := "/sys/fs/cgroup" + path
			max, err1 := os.ReadFile(root + "/memory.max")
			cur, err2 := os.ReadFile(root + "/memory.current")
			limit, err3 := strconv.ParseInt(strings.TrimSpace(string(max)), 10, 64) // "max": no limit
			used, err4 := strconv.ParseInt(strings.TrimSpace(string(cur)), 10, 64)
			if err1 == nil && err2 == nil && err3 == nil && err4 == nil {
				avail = min(avail, limit-used)
			}
		}
	}
	return avail
}

// removeAbandoned removes the throwaway clusters' directories in dir whose
// server is not running and that have not changed for 10 minutes (a cluster
// being made has no server yet), and the pristine copies of initFromCopy as
// old (one made again costs a second).
func removeAbandoned(dir string) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	for _, e := range entries {
		if !e.IsDir() || !strings.HasPrefix(e.Name(), "chirpy-pg-") && !strings.HasPrefix(e.Name(), "chirpy-initdb-") {
			continue
		}
		path := filepath.Join(dir, e.Name())
		info, err := e.Info()
		if err != nil || time.Since(info.ModTime()) < 10*time.Minute {
			continue
		}
		if pidFile, err := os.ReadFile(filepath.Join(path, "postmaster.pid")); err == nil {
			pid, _ := strconv.Atoi(strings.SplitN(string(pidFile), "\n", 2)[0])
			if pid > 0 && syscall.Kill(pid, 0) != syscall.ESRCH {
				continue // running (or not ours to signal: then not ours to remove)
			}
		}
		_ = os.RemoveAll(path) // best effort: another process may be at it too
	}
}

// Remove stops a cluster started by Start and deletes its data directory.
func (c *Cluster) Remove() error {
	err := c.Stop()
	return errors.Join(err, os.RemoveAll(c.DataDir))
}

// URL returns the connection URL of database name.
func (c *Cluster) URL(name string) string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/%s?sslmode=disable", c.Port, name)
}

// CreateDatabase creates database name unless it exists.
func (c *Cluster) CreateDatabase(ctx context.Context, name string) error {
	db, err := sql.Open("postgres", c.URL("postgres"))
	if err != nil {
		return err
	}
	defer db.Close()
	var exists bool
	if err := db.QueryRowContext(ctx, "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)", name).Scan(&exists); err != nil {
		return err
	}
	if exists {
		return nil
	}
	_, err = db.ExecContext(ctx, "CREATE DATABASE "+quoteIdent(name))
	return err
}

func (c *Cluster) waitReady(ctx context.Context) error {
	db, err := sql.Open("postgres", c.URL("postgres"))
	if err != nil {
		return err
	}
	defer db.Close()
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	for {
		pingCtx, cancelPing := context.WithTimeout(ctx, time.Second)
		err := db.PingContext(pingCtx)
		cancelPing()
		if err == nil {
			return nil
		}
		select {
		case <-c.exited():
			return fmt.Errorf("postgres exited at start:\n%s", c.logTail())
		case <-ctx.Done():
			return fmt.Errorf("postgres on port %d is not ready: %w\n%s", c.Port, err, c.logTail())
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// exited is closed when a child server exits; it never is for a daemon.
func (c *Cluster) exited() <-chan struct{} {
	if c.done == nil {
		return nil
	}
	return c.done
}

func (c *Cluster) logPath() string { return filepath.Join(c.DataDir, "server.log") }

func (c *Cluster) logTail() string {
	b, _ := os.ReadFile(c.logPath())
	return lastLines(b, 15)
}

// command runs a PostgreSQL binary, as the postgres user when we are root.
func (c *Cluster) command(ctx context.Context, name string, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, filepath.Join(c.BinDir, name), args...)
	cmd.Dir = "/" // the postgres user may not be able to enter our working directory
	cmd.Env = []string{"PATH=" + c.BinDir + ":/usr/bin:/bin", "LC_ALL=C"}
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: c.cred}
	return cmd
}

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

func quoteIdent(s string) string {
	return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
}
