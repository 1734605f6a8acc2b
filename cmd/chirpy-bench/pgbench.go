package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"time"

	"chirpy/internal/dev/pgcluster"
)

var (
	tpsLine  = regexp.MustCompile(`tps = ([0-9.]+) \(without initial connection time\)`)
	noneDone = regexp.MustCompile(`number of transactions actually processed: 0\b`)
)

// pgbenchTPS runs script with pgbench -M prepared (each statement parsed once
// per connection, as the server's prepared statements are) on clients
// connections for d, and returns the transactions per second.
func pgbenchTPS(ctx context.Context, c *pgcluster.Cluster, db, script string, clients int, d time.Duration) (float64, error) {
	dir, err := os.MkdirTemp("", "chirpy-pgbench-")
	if err != nil {
		return 0, err
	}
	defer func() { _ = os.RemoveAll(dir) }() // best effort: a temporary directory
	file := filepath.Join(dir, "script.sql")
	if err := os.WriteFile(file, []byte(script), 0o644); err != nil {
		return 0, err
	}
	secs := max(1, int(d.Round(time.Second)/time.Second))
	cmd := exec.CommandContext(ctx, filepath.Join(c.BinDir, "pgbench"),
		"-n", "-M", "prepared", "-c", strconv.Itoa(clients), "-j", "2", "-T", strconv.Itoa(secs),
		"-f", file, "-h", "127.0.0.1", "-p", strconv.Itoa(c.Port), "-U", "postgres", db)
	out, err := cmd.CombinedOutput()
	if err != nil {
		return 0, fmt.Errorf("pgbench: %w\n%s", err, out)
	}
	m := tpsLine.FindSubmatch(out)
	if m == nil && noneDone.Match(out) {
		// Too short a run on too busy a machine: no ceiling (shown as a
		// dash), rather than no benchmark.
		return 0, nil
	}
	if m == nil {
		return 0, fmt.Errorf("pgbench printed no tps:\n%s", out)
	}
	return strconv.ParseFloat(string(m[1]), 64)
}
