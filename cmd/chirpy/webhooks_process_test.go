package main

import (
	"bytes"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"chirpy/internal/dev/pgtest"
)

// deliver posts a user.upgraded webhook; a nil error means an answer came.
func deliver(serverURL, id, userID string) (int, error) {
	body := fmt.Sprintf(`{"event": "user.upgraded", "data": {"user_id": %q}}`, userID)
	req, _ := http.NewRequest("POST", serverURL+"/api/polka/webhooks", bytes.NewReader([]byte(body)))
	req.Header.Set("Authorization", "ApiKey f271c81ff7084ee5b99a5091b42d486e")
	req.Header.Set("Webhook-Id", id)
	res, err := (&http.Client{Timeout: 20 * time.Second}).Do(req)
	if err != nil {
		return 0, err
	}
	res.Body.Close()
	return res.StatusCode, nil
}

// killableDatabase is a test database on which Postgres notices within 50ms
// that a client has died and aborts what it was running for it, as it would
// once the killed process's socket is found closed. Without this, a backend
// whose client died simply finishes its statement.
func killableDatabase(t *testing.T) (string, *sql.DB) {
	t.Helper()
	dbURL := pgtest.NewDatabase(t)
	db := openDB(t, dbURL)
	u, _ := url.Parse(dbURL)
	name := strings.TrimPrefix(u.Path, "/")
	if _, err := db.Exec(`ALTER DATABASE "` + name + `" SET client_connection_check_interval = '50ms'`); err != nil {
		t.Fatal(err)
	}
	return dbURL, db
}

func createUsers(t *testing.T, db *sql.DB, n int) []string {
	t.Helper()
	rows, err := db.Query(`
		INSERT INTO users (email, hashed_password)
		SELECT 'user' || i || '@example.com', 'not-a-real-hash' FROM generate_series(1, $1) AS i
		RETURNING id`, n)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var ids []string
	for rows.Next() {
		var id string
		rows.Scan(&id)
		ids = append(ids, id)
	}
	return ids
}

// lockUser holds the user's row in a transaction of the test's own, so that a
// delivery for that user waits inside its statement until tx ends.
func lockUser(t *testing.T, db *sql.DB, user string) *sql.Tx {
	t.Helper()
	tx, err := db.Begin()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { tx.Rollback() })
	if _, err := tx.Exec(`SELECT 1 FROM users WHERE id = $1 FOR UPDATE`, user); err != nil {
		t.Fatal(err)
	}
	return tx
}

// waitForLockWait waits until a server's statement waits for a lock held by
// the test.
func waitForLockWait(t *testing.T, db *sql.DB) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		var waiting int
		db.QueryRow(`SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()`).Scan(&waiting)
		if waiting == 1 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatal("the request never reached the database")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// waitIdle waits until no other backend is still running a statement.
func waitIdle(t *testing.T, db *sql.DB) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		var n int
		db.QueryRow(`SELECT count(*) FROM pg_stat_activity
			WHERE datname = current_database() AND pid <> pg_backend_pid()
			  AND state = 'active' AND backend_type = 'client backend'`).Scan(&n)
		if n == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d webhook statements still running 10s after the kill", n)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// checkAllOrNothing fails the test unless every user is Chirpy Red exactly
// when an applied delivery for them is recorded.
func checkAllOrNothing(t *testing.T, db *sql.DB) (applied int) {
	t.Helper()
	var broken int
	err := db.QueryRow(`
		SELECT
			count(*) FILTER (WHERE u.is_chirpy_red <> EXISTS (
				SELECT 1 FROM webhook_inbox w WHERE w.user_id = u.id AND w.outcome = 'applied')),
			count(*) FILTER (WHERE u.is_chirpy_red)
		FROM users u`).Scan(&broken, &applied)
	if err != nil {
		t.Fatal(err)
	}
	if broken > 0 {
		t.Fatalf("%d users are half-applied: upgraded without an applied delivery, or the reverse", broken)
	}
	return applied
}

// The server is killed while a delivery waits inside its transaction: the
// delivery leaves nothing, and a retry to a new process applies it once.
func TestKilledMidDeliveryLeavesNothingHalfDone(t *testing.T) {
	t.Parallel()
	dbURL, db := killableDatabase(t)
	user := createUsers(t, db, 1)[0]
	server := startBinary(t, "DB_URL="+dbURL)

	// Hold the user's row so the delivery stops inside its statement.
	tx := lockUser(t, db, user)
	answered := make(chan error, 1)
	go func() {
		_, err := deliver(server.URL, "msg_kill", user)
		answered <- err
	}()
	waitForLockWait(t, db)

	server.kill()
	if err := <-answered; err == nil {
		t.Fatal("the killed server answered the delivery")
	}
	time.Sleep(200 * time.Millisecond) // several client checks
	tx.Rollback()
	waitIdle(t, db)
	var recorded int
	db.QueryRow(`SELECT count(*) FROM webhook_inbox`).Scan(&recorded)
	if applied := checkAllOrNothing(t, db); applied != 0 || recorded != 0 {
		t.Fatalf("after the kill: %d users upgraded, %d deliveries recorded; want nothing", applied, recorded)
	}

	// Polka retries against the restarted server.
	server = startBinary(t, "DB_URL="+dbURL)
	if status, err := deliver(server.URL, "msg_kill", user); err != nil || status != http.StatusNoContent {
		t.Fatalf("retry: %d, %v", status, err)
	}
	var rows int
	db.QueryRow(`SELECT count(*) FROM webhook_inbox WHERE id = 'msg_kill' AND outcome = 'applied'`).Scan(&rows)
	if applied := checkAllOrNothing(t, db); applied != 1 || rows != 1 {
		t.Fatalf("after the retry: %d users upgraded, %d applied rows; want 1 and 1", applied, rows)
	}
}

// Kills at random moments under concurrent load: whatever each delivery had
// done, it is all or nothing.
func TestKilledUnderLoadLeavesAllOrNothing(t *testing.T) {
	t.Parallel()
	dbURL, db := killableDatabase(t)
	users := createUsers(t, db, 300)
	partway := 0
	for round := range 5 {
		server := startBinary(t, "DB_URL="+dbURL)
		var wg sync.WaitGroup
		for i, u := range users {
			wg.Go(func() {
				deliver(server.URL, fmt.Sprintf("msg_%d_%d", round, i), u)
			})
		}
		time.Sleep(time.Duration(5+rand.IntN(40)) * time.Millisecond)
		server.kill()
		wg.Wait()
		waitIdle(t, db)
		checkAllOrNothing(t, db)
		var recorded int
		db.QueryRow(`SELECT count(*) FROM webhook_inbox WHERE id LIKE $1`, fmt.Sprintf("msg_%d_%%", round)).Scan(&recorded)
		t.Logf("round %d: %d of %d deliveries recorded when the server was killed", round, recorded, len(users))
		if recorded > 0 && recorded < len(users) {
			partway++
		}
	}
	// The kills must have landed among the deliveries, or nothing was tested.
	if partway == 0 {
		t.Fatal("no round was killed partway through its deliveries")
	}
}

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
