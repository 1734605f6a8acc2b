package main

import (
	"bytes"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"chirpy/internal/dev/pgtest"
)

// deliver posts a webhook of ev; a nil error means an answer came, and the
// exchange is checked against the OpenAPI document. Not s.req: the server
// may be killed mid-request (an error, not a failure), and deliver runs in
// goroutines, where t.Fatal may not be called.
func deliver(t *testing.T, serverURL string, ev membershipEvent, id, userID string) (int, error) {
	body, _ := json.Marshal(ev.body(userID))
	req, _ := http.NewRequest("POST", serverURL+"/api/polka/webhooks", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "ApiKey f271c81ff7084ee5b99a5091b42d486e")
	req.Header.Set("Webhook-Id", id)
	res, err := (&http.Client{Timeout: 20 * time.Second}).Do(req)
	if err != nil {
		return 0, err
	}
	defer res.Body.Close()
	resBody, err := io.ReadAll(res.Body)
	if err != nil {
		return 0, err
	}
	checkExchange(t, req, body, res, resBody)
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

// createUsers creates n users, members of Chirpy Red if red.
func createUsers(t *testing.T, db *sql.DB, n int, red bool) []string {
	t.Helper()
	rows, err := db.Query(`
		INSERT INTO users (email, hashed_password, is_chirpy_red)
		SELECT 'user' || i || '@example.com', 'not-a-real-hash', $2 FROM generate_series(1, $1) AS i
		RETURNING id`, n, red)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
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
	waitUntil(t, 30*time.Second, "the request waits on the lock in the database", func() bool { return lockWaits(t, db) == 1 })
}

// lockWaits counts the backends of db's database waiting on a lock.
func lockWaits(t *testing.T, db *sql.DB) int {
	t.Helper()
	var waiting int
	if err := db.QueryRow(`SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()`).Scan(&waiting); err != nil {
		t.Fatal(err)
	}
	return waiting
}

// waitIdle waits until no other backend is still running a statement.
func waitIdle(t *testing.T, db *sql.DB) {
	t.Helper()
	waitUntil(t, 30*time.Second, "no webhook statement still running after the kill", func() bool {
		var n int
		if err := db.QueryRow(`SELECT count(*) FROM pg_stat_activity
			WHERE datname = current_database() AND pid <> pg_backend_pid()
			  AND state = 'active' AND backend_type = 'client backend'`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n == 0
	})
}

// checkAllOrNothing fails the test unless every user's membership was changed
// by ev exactly when an applied delivery for them is recorded; it returns how
// many were changed.
func checkAllOrNothing(t *testing.T, db *sql.DB, ev membershipEvent) (applied int) {
	t.Helper()
	var broken int
	err := db.QueryRow(`
		SELECT
			count(*) FILTER (WHERE (u.is_chirpy_red = $1) <> EXISTS (
				SELECT 1 FROM webhook_inbox w WHERE w.user_id = u.id AND w.outcome = 'applied')),
			count(*) FILTER (WHERE u.is_chirpy_red = $1)
		FROM users u`, ev.after).Scan(&broken, &applied)
	if err != nil {
		t.Fatal(err)
	}
	if broken > 0 {
		t.Fatalf("%d users are half-applied: changed without an applied delivery, or the reverse", broken)
	}
	return applied
}

// The server is killed while a delivery waits inside its transaction: the
// delivery leaves nothing, and a retry to a new process applies it once.
func TestKilledMidDeliveryLeavesNothingHalfDone(t *testing.T) {
	t.Parallel()
	for _, ev := range membershipEvents {
		t.Run(ev.name, func(t *testing.T) {
			t.Parallel()
			dbURL, db := killableDatabase(t)
			user := createUsers(t, db, 1, ev.before)[0]
			server := startBinary(t, "DB_URL="+dbURL)

			// Hold the user's row so the delivery stops inside its statement.
			tx := lockUser(t, db, user)
			answered := make(chan error, 1)
			go func() {
				_, err := deliver(t, server.URL, ev, "msg_kill", user)
				answered <- err
			}()
			waitForLockWait(t, db)

			server.kill()
			if err := <-answered; err == nil {
				t.Fatal("the killed server answered the delivery")
			}
			// The killed server's backend notices its client is gone (a
			// client check) and aborts, before the lock it waits on is
			// released: were it still waiting, it would go on and commit.
			waitUntil(t, 30*time.Second, "the killed server's statement aborted", func() bool { return lockWaits(t, db) == 0 })
			tx.Rollback()
			waitIdle(t, db)
			var recorded int
			if err := db.QueryRow(`SELECT count(*) FROM webhook_inbox`).Scan(&recorded); err != nil {
				t.Fatal(err)
			}
			if applied := checkAllOrNothing(t, db, ev); applied != 0 || recorded != 0 {
				t.Fatalf("after the kill: %d users changed, %d deliveries recorded; want nothing", applied, recorded)
			}

			// Polka retries against the restarted server.
			server = startBinary(t, "DB_URL="+dbURL)
			if status, err := deliver(t, server.URL, ev, "msg_kill", user); err != nil || status != http.StatusNoContent {
				t.Fatalf("retry: %d, %v", status, err)
			}
			var rows int
			if err := db.QueryRow(`SELECT count(*) FROM webhook_inbox WHERE id = 'msg_kill' AND outcome = 'applied'`).Scan(&rows); err != nil {
				t.Fatal(err)
			}
			if applied := checkAllOrNothing(t, db, ev); applied != 1 || rows != 1 {
				t.Fatalf("after the retry: %d users changed, %d applied rows; want 1 and 1", applied, rows)
			}
		})
	}
}

// Kills at random moments under concurrent load: whatever each delivery had
// done, it is all or nothing.
func TestKilledUnderLoadLeavesAllOrNothing(t *testing.T) {
	t.Parallel()
	for _, ev := range membershipEvents {
		t.Run(ev.name, func(t *testing.T) {
			t.Parallel()
			dbURL, db := killableDatabase(t)
			users := createUsers(t, db, 300, ev.before)
			partway := 0
			for round := range 5 {
				server := startBinary(t, "DB_URL="+dbURL)
				var wg sync.WaitGroup
				for i, u := range users {
					wg.Go(func() {
						// The kill fails some: the database says what each did.
						_, _ = deliver(t, server.URL, ev, fmt.Sprintf("msg_%d_%d", round, i), u)
					})
				}
				// Kill once the deliveries are under way (some committed), at
				// a random moment after: however loaded the machine, the kill
				// lands among them.
				for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(time.Millisecond) {
					var recorded int
					if err := db.QueryRow(`SELECT count(*) FROM webhook_inbox WHERE id LIKE $1`, fmt.Sprintf("msg_%d_%%", round)).Scan(&recorded); err != nil {
						t.Fatal(err)
					}
					if recorded >= 3 {
						break
					}
				}
				time.Sleep(time.Duration(rand.IntN(10)) * time.Millisecond)
				server.kill()
				wg.Wait()
				waitIdle(t, db)
				checkAllOrNothing(t, db, ev)
				var recorded int
				if err := db.QueryRow(`SELECT count(*) FROM webhook_inbox WHERE id LIKE $1`, fmt.Sprintf("msg_%d_%%", round)).Scan(&recorded); err != nil {
					t.Fatal(err)
				}
				t.Logf("round %d: %d of %d deliveries recorded when the server was killed", round, recorded, len(users))
				if recorded > 0 && recorded < len(users) {
					partway++
				}
			}
			// The kills must have landed among the deliveries, or nothing was tested.
			if partway == 0 {
				t.Fatal("no round was killed partway through its deliveries")
			}
		})
	}
}
