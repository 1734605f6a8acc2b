package pgcluster

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// standbyName is what a standby's name may be: it is written unquoted into
// synchronous_standby_names and a conninfo string, and PostgreSQL matches
// application names case-insensitively, so lower case only.
var standbyName = regexp.MustCompile(`^[a-z_][a-z0-9_]{0,62}$`)

// StreamingSettings are the postgresql.conf settings (for Init or
// StartThrowaway) of a primary that standbys can stream from. With a
// syncStandby name, a commit also waits until the standby of that name has
// flushed it (synchronous_commit = on), so the settings must come after any
// "synchronous_commit = off": the last setting wins. It panics on a name
// that is not lower-case letters, digits and underscores, since names are
// constants of the calling code.
func StreamingSettings(syncStandby string) []string {
	settings := []string{
		"wal_level = replica",
		"max_wal_senders = 10",
		"hot_standby = on",
	}
	if syncStandby == "" {
		return settings
	}
	if !standbyName.MatchString(syncStandby) {
		panic(fmt.Sprintf("pgcluster: standby name %q is not lower-case letters, digits and underscores", syncStandby))
	}
	return append(settings,
		"synchronous_standby_names = 'FIRST 1 ("+syncStandby+")'",
		"synchronous_commit = on",
	)
}

// StartStandby copies the running primary c (pg_basebackup) into a new
// temporary directory (beside c's, if c is a throwaway) and starts it, as a child of this process, as a hot
// standby streaming from c under the application name name. It returns once
// the standby accepts (read-only) connections and c reports it streaming;
// when c's synchronous_standby_names lists name, once c reports it
// synchronous, so that the next commit on c waits for it. Remove stops it and
// deletes its directory.
func (c *Cluster) StartStandby(ctx context.Context, name string) (*Cluster, error) {
	if !standbyName.MatchString(name) {
		return nil, fmt.Errorf("standby name %q is not lower-case letters, digits and underscores", name)
	}
	// Beside a throwaway primary (in memory, if it is); in the temporary
	// directory otherwise.
	parent := ""
	if c.throwaway {
		parent = filepath.Dir(c.DataDir)
	}
	dir, err := os.MkdirTemp(parent, "chirpy-pg-standby-")
	if err != nil {
		return nil, err
	}
	s := &Cluster{BinDir: c.BinDir, DataDir: dir, cred: c.cred}
	if err := c.startStandby(ctx, s, name); err != nil {
		_ = s.Remove() // best effort: err is the one to report
		return nil, fmt.Errorf("standby %s of 127.0.0.1:%d: %w", name, c.Port, err)
	}
	return s, nil
}

// startStandby makes s a standby of c and starts it.
func (c *Cluster) startStandby(ctx context.Context, s *Cluster, name string) error {
	if s.cred != nil {
		// pg_basebackup, run as postgres, writes into the directory.
		if err := os.Chown(s.DataDir, int(s.cred.Uid), int(s.cred.Gid)); err != nil {
			return err
		}
	}
	// -R writes standby.signal and primary_conninfo (with this
	// application_name, which synchronous_standby_names matches); -X stream
	// copies the WAL written during the copy; -c fast does not wait for the
	// next checkpoint.
	conninfo := fmt.Sprintf("host=127.0.0.1 port=%d user=postgres application_name=%s", c.Port, name)
	out, err := s.command(ctx, "pg_basebackup", "-D", s.DataDir, "-d", conninfo,
		"-R", "-X", "stream", "-c", "fast").CombinedOutput()
	if err != nil {
		return fmt.Errorf("pg_basebackup: %w\n%s", err, lastLines(out, 10))
	}
	// The copy brings the primary's log along: start the standby's afresh.
	if err := os.Truncate(s.logPath(), 0); err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	port, err := freePort()
	if err != nil {
		return err
	}
	// postgresql.conf is a copy of the primary's, so the standby would keep
	// its port and, once promoted, wait at every commit for a standby of its
	// own that it does not have. The last setting wins.
	if err := appendConf(s.DataDir,
		"",
		"# A standby of 127.0.0.1:"+strconv.Itoa(c.Port)+" (its own port; no standby of its own when promoted).",
		"port = "+strconv.Itoa(port),
		"synchronous_standby_names = ''",
	); err != nil {
		return err
	}
	s.Port = port
	if err := s.Start(ctx); err != nil {
		return err
	}
	return c.WaitStandby(ctx, name)
}

// WaitStandby waits (a minute at most) until c streams to the standby name,
// and until it is synchronous when c's synchronous_standby_names lists it:
// after StartStandby, or once a standby that was stopped (Stop) is started
// again (Start). (pg_stat_replication
// shows a listed standby streaming, async, sync_priority 0 for a moment before
// it becomes sync, so it cannot tell by itself whether to wait.)
func (c *Cluster) WaitStandby(ctx context.Context, name string) error {
	db, err := sql.Open("postgres", c.URL("postgres"))
	if err != nil {
		return err
	}
	defer db.Close()
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	var names string
	if err := db.QueryRowContext(ctx, "SHOW synchronous_standby_names").Scan(&names); err != nil {
		return fmt.Errorf("read synchronous_standby_names: %w", err)
	}
	wantSync := listsStandby(names, name)
	var state, syncState string
	for {
		err := db.QueryRowContext(ctx, "SELECT state, sync_state FROM pg_stat_replication WHERE application_name = $1",
			name).Scan(&state, &syncState)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("read pg_stat_replication: %w", err)
		}
		if err == nil && state == "streaming" && (!wantSync || syncState == "sync" || syncState == "quorum") {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("the primary (synchronous_standby_names %q) does not report the standby streaming, and synchronous if listed (state %q, sync_state %q): %w",
				names, state, syncState, ctx.Err())
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// listsStandby reports whether a synchronous_standby_names value ("a, b",
// "FIRST 1 (a, b)", "ANY 2 (\"a\", b)", "*") names the standby name, as
// PostgreSQL matches them: case-insensitively.
func listsStandby(setting, name string) bool {
	list := strings.TrimSpace(setting)
	if open := strings.IndexByte(list, '('); open >= 0 && strings.HasSuffix(list, ")") {
		list = list[open+1 : len(list)-1]
	}
	for _, item := range strings.Split(list, ",") {
		item = strings.Trim(strings.TrimSpace(item), `"`)
		if item == "*" || strings.EqualFold(item, name) {
			return true
		}
	}
	return false
}

// Kill ends the server started by Start, every process of it, with SIGKILL,
// as losing its machine would, and waits for it to exit. (Killing only the
// postmaster would leave its backends and WAL senders to finish what they
// were doing before they notice.) The data directory stays as a crash
// leaves it.
func (c *Cluster) Kill() error {
	if c.child == nil {
		return errors.New("pgcluster: Kill: no server started by Start")
	}
	// Each backend is in a session of its own (the postmaster signals them
	// by group), so they are found by parent. The postmaster is stopped
	// first: it forks no more while they are listed, nor reaps them, so
	// their pids stay theirs. (Process.Signal, not a raw pid: it cannot
	// reach another process if the postmaster has exited already.)
	err := c.child.Process.Signal(syscall.SIGSTOP)
	if err == nil {
		var children []int
		if children, err = childrenOf(c.child.Process.Pid); err == nil {
			for _, child := range children {
				_ = syscall.Kill(child, syscall.SIGKILL) // ESRCH: it has exited already
			}
		}
	}
	if kerr := c.child.Process.Kill(); kerr != nil && !errors.Is(kerr, os.ErrProcessDone) {
		err = errors.Join(err, kerr)
	}
	<-c.done
	c.child = nil
	if err != nil && !errors.Is(err, os.ErrProcessDone) {
		return fmt.Errorf("kill postgres: %w", err)
	}
	return nil
}

// childrenOf lists the processes whose parent is pid, from /proc.
func childrenOf(pid int) ([]int, error) {
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return nil, err
	}
	var children []int
	for _, e := range entries {
		p, err := strconv.Atoi(e.Name())
		if err != nil {
			continue // not a process
		}
		stat, err := os.ReadFile("/proc/" + e.Name() + "/stat")
		if err != nil {
			continue // it has exited
		}
		// pid (comm) state ppid ...: comm may hold spaces and parentheses.
		rest := stat[strings.LastIndexByte(string(stat), ')')+1:]
		fields := strings.Fields(string(rest))
		if len(fields) > 1 && fields[1] == strconv.Itoa(pid) {
			children = append(children, p)
		}
	}
	return children, nil
}

// Promote turns a standby into a primary and waits until it accepts writes.
func (c *Cluster) Promote(ctx context.Context) error {
	out, err := c.command(ctx, "pg_ctl", "promote", "-w", "-t", "60", "-D", c.DataDir).CombinedOutput()
	if err != nil {
		return fmt.Errorf("pg_ctl promote %s: %w\n%s\n%s", c.DataDir, err, lastLines(out, 5), c.logTail())
	}
	db, err := sql.Open("postgres", c.URL("postgres"))
	if err != nil {
		return err
	}
	defer db.Close()
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	for {
		var inRecovery bool
		err := db.QueryRowContext(ctx, "SELECT pg_is_in_recovery()").Scan(&inRecovery)
		if err == nil && !inRecovery {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("promoted 127.0.0.1:%d still in recovery (last error: %v): %w\n%s", c.Port, err, ctx.Err(), c.logTail())
		case <-time.After(20 * time.Millisecond):
		}
	}
}
