package main

import (
	"net/http"
	"syscall"
	"testing"
	"time"

	"chirpy/internal/pgtest"
)

// SIGTERM while a request is in flight: the server stops taking new
// connections, lets the request finish (answered, and committed), then exits 0.
func TestGracefulShutdownFinishesRequestsInFlight(t *testing.T) {
	t.Parallel()
	dbURL := pgtest.NewDatabase(t)
	db := openDB(t, dbURL)
	user := createUsers(t, db, 1)[0]
	server := startBinary(t, "DB_URL="+dbURL)

	// Hold the user's row so the delivery is slow: it waits in the database.
	tx := lockUser(t, db, user)
	type result struct {
		status int
		err    error
	}
	answered := make(chan result, 1)
	go func() {
		st, err := deliver(server.URL, "msg_shutdown", user)
		answered <- result{st, err}
	}()
	waitForLockWait(t, db)

	if err := server.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	// The listener closes; the process stays for the request in flight.
	refused := false
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if _, err := http.Get(server.URL + "/api/healthz"); err != nil {
			refused = true
			break
		}
	}
	if !refused {
		t.Error("the server still accepts new connections 5s after SIGTERM")
	}
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
	db.QueryRow(`SELECT is_chirpy_red FROM users WHERE id = $1`, user).Scan(&red)
	if !red {
		t.Fatal("the request answered 204 during shutdown was not committed")
	}
}
