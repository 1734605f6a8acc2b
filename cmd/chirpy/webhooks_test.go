package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"chirpy/internal/dev/pgtest"
	"chirpy/internal/polka"
)

func upgraded(userID string) map[string]any {
	return map[string]any{"event": "user.upgraded", "data": map[string]string{"user_id": userID}}
}

func downgraded(userID string) map[string]any {
	return map[string]any{"event": "user.downgraded", "data": map[string]string{"user_id": userID}}
}

// membershipEvent is an event that changes a membership, with the state a
// user is in before it (set by the test) and after it.
type membershipEvent struct {
	name          string
	body          func(userID string) map[string]any
	before, after bool
}

// membershipEvents are the events the delivery guarantees are tested with.
var membershipEvents = []membershipEvent{
	{"upgrade", upgraded, false, true},
	{"downgrade", downgraded, true, false},
}

// setRed sets a user's membership behind the server's back.
func (s *testServer) setRed(t *testing.T, userID string, red bool) {
	t.Helper()
	if _, err := s.DB.Exec(`UPDATE users SET is_chirpy_red = $2 WHERE id = $1`, userID, red); err != nil {
		t.Fatal(err)
	}
}

func apiKey(key string) []string { return []string{"Authorization", "ApiKey " + key} }

func (s *testServer) isRed(t *testing.T, email, password string) bool {
	t.Helper()
	u := decode[userJSON](t, s.req(t, "POST", "/api/login", map[string]string{"email": email, "password": password}).expect(t, http.StatusOK))
	if u.IsChirpyRed == nil {
		t.Fatal("login response has no is_chirpy_red")
	}
	return *u.IsChirpyRed
}

func TestPolkaWebhookCourse(t *testing.T) {
	t.Parallel()
	s := startServer(t, nil)
	walt := s.signUp(t, "walt@breakingbad.com", "123456")
	const hook = "/api/polka/webhooks"

	s.req(t, "POST", hook, upgraded(walt.ID)).expect(t, http.StatusUnauthorized).errorMessage(t)
	s.req(t, "POST", hook, upgraded(walt.ID), apiKey("wrong")...).expect(t, http.StatusUnauthorized)
	s.req(t, "POST", hook, upgraded(walt.ID), bearer(polkaKey)...).expect(t, http.StatusUnauthorized)
	if s.isRed(t, "walt@breakingbad.com", "123456") {
		t.Fatal("rejected webhooks upgraded the user")
	}

	other := map[string]any{"event": "user.payment_failed", "data": map[string]string{"user_id": walt.ID}}
	r := s.req(t, "POST", hook, other, apiKey(polkaKey)...).expect(t, http.StatusNoContent)
	if len(r.Body) != 0 {
		t.Errorf("204 with body %q", r.Body)
	}
	if s.isRed(t, "walt@breakingbad.com", "123456") {
		t.Fatal("user.payment_failed upgraded the user")
	}

	s.req(t, "POST", hook, upgraded("8a0e3bb6-1a0d-4b38-8e6c-4a4b7e1e2f00"), apiKey(polkaKey)...).expect(t, http.StatusNotFound).errorMessage(t)

	s.req(t, "POST", hook, upgraded(walt.ID), apiKey(polkaKey)...).expect(t, http.StatusNoContent)
	if !s.isRed(t, "walt@breakingbad.com", "123456") {
		t.Fatal("user.upgraded did not make the user Chirpy Red")
	}
	s.req(t, "POST", hook, upgraded(walt.ID), apiKey(polkaKey)...).expect(t, http.StatusNoContent)
	if !s.isRed(t, "walt@breakingbad.com", "123456") {
		t.Fatal("a repeated user.upgraded undid the upgrade")
	}
}

func TestPolkaKeyRotation(t *testing.T) {
	t.Parallel()
	s := startServer(t, map[string]string{"POLKA_KEY": "old-key, new-key"})
	walt := s.signUp(t, "walt@breakingbad.com", "123456")
	s.req(t, "POST", "/api/polka/webhooks", upgraded(walt.ID), apiKey("old-key")...).expect(t, http.StatusNoContent)
	s.req(t, "POST", "/api/polka/webhooks", upgraded(walt.ID), apiKey("new-key")...).expect(t, http.StatusNoContent)
	s.req(t, "POST", "/api/polka/webhooks", upgraded(walt.ID), apiKey(polkaKey)...).expect(t, http.StatusUnauthorized)
}

const hookPath = "/api/polka/webhooks"

// inbox is what the inbox holds for a delivery id ("" outcome: no row).
func (s *testServer) inbox(t *testing.T, id string) (outcome string, n int) {
	t.Helper()
	err := s.DB.QueryRow(`SELECT count(*), coalesce(max(outcome), '') FROM webhook_inbox WHERE id = $1`, id).Scan(&n, &outcome)
	if err != nil {
		t.Fatal(err)
	}
	return outcome, n
}

func (s *testServer) count(t *testing.T, query string, args ...any) int {
	t.Helper()
	var n int
	if err := s.DB.QueryRow(query, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func (s *testServer) red(t *testing.T, userID string) (red bool, updatedAt time.Time) {
	t.Helper()
	if err := s.DB.QueryRow(`SELECT is_chirpy_red, updated_at FROM users WHERE id = $1`, userID).Scan(&red, &updatedAt); err != nil {
		t.Fatal(err)
	}
	return red, updatedAt
}

// countMembershipChanges counts, from now on, every UPDATE that sets a
// user's is_chirpy_red, through a trigger in the test's database; the
// function it returns reads the count.
func (s *testServer) countMembershipChanges(t *testing.T) func() int {
	t.Helper()
	_, err := s.DB.Exec(`
		CREATE TABLE test_membership_writes (user_id uuid NOT NULL);
		CREATE FUNCTION test_count_membership_write() RETURNS trigger LANGUAGE plpgsql AS $$
		BEGIN
			INSERT INTO test_membership_writes VALUES (NEW.id);
			RETURN NEW;
		END $$;
		CREATE TRIGGER test_count_membership_writes AFTER UPDATE OF is_chirpy_red ON users
			FOR EACH ROW EXECUTE FUNCTION test_count_membership_write();`)
	if err != nil {
		t.Fatal(err)
	}
	return func() int { return s.count(t, `SELECT count(*) FROM test_membership_writes`) }
}

// polkaSecret is the webhook secret of the tests that sign deliveries.
const polkaSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"

func newSigner(t *testing.T) *polka.Signer {
	t.Helper()
	signer, err := polka.NewSigner(polkaSecret)
	if err != nil {
		t.Fatal(err)
	}
	return signer
}

func marshal(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// signedSend returns a function that delivers body to s as delivery id,
// with the API key, signed with polkaSecret at attempt.
func (s *testServer) signedSend(t *testing.T) func(id string, attempt time.Time, body map[string]any) response {
	t.Helper()
	signer := newSigner(t)
	return func(id string, attempt time.Time, body map[string]any) response {
		t.Helper()
		b := marshal(t, body)
		return s.req(t, "POST", hookPath, b, "Authorization", "ApiKey "+polkaKey, "Webhook-Id", id,
			"Webhook-Timestamp", strconv.FormatInt(attempt.Unix(), 10), "Webhook-Signature", signer.Sign(id, attempt, b))
	}
}

// withTime gives an event body its own time, the one that orders it.
func withTime(body map[string]any, at time.Time) map[string]any {
	body["timestamp"] = at.UTC().Format(time.RFC3339)
	return body
}

func withID(id string) []string {
	return []string{"Authorization", "ApiKey " + polkaKey, "Webhook-Id", id}
}

// user.downgraded, as a course client would send it: the same answers as an
// upgrade, and the membership ends.
func TestWebhookDowngradeCourse(t *testing.T) {
	t.Parallel()
	s := startServer(t, nil)
	walt := s.signUp(t, "walt@breakingbad.com", "123456")
	s.req(t, "POST", hookPath, upgraded(walt.ID), apiKey(polkaKey)...).expect(t, http.StatusNoContent)

	s.req(t, "POST", hookPath, downgraded(walt.ID)).expect(t, http.StatusUnauthorized).errorMessage(t)
	s.req(t, "POST", hookPath, downgraded(walt.ID), apiKey("wrong")...).expect(t, http.StatusUnauthorized)
	s.req(t, "POST", hookPath, downgraded("walt"), apiKey(polkaKey)...).expect(t, http.StatusBadRequest).errorMessage(t)
	s.req(t, "POST", hookPath, downgraded("8a0e3bb6-1a0d-4b38-8e6c-4a4b7e1e2f00"), apiKey(polkaKey)...).expect(t, http.StatusNotFound).errorMessage(t)
	if !s.isRed(t, "walt@breakingbad.com", "123456") {
		t.Fatal("a refused downgrade ended the membership")
	}
	for range 2 {
		r := s.req(t, "POST", hookPath, downgraded(walt.ID), apiKey(polkaKey)...).expect(t, http.StatusNoContent)
		if len(r.Body) != 0 {
			t.Errorf("204 with body %q", r.Body)
		}
		if s.isRed(t, "walt@breakingbad.com", "123456") {
			t.Fatal("user.downgraded did not end the membership")
		}
	}
	// And it can begin again.
	s.req(t, "POST", hookPath, upgraded(walt.ID), apiKey(polkaKey)...).expect(t, http.StatusNoContent)
	if !s.isRed(t, "walt@breakingbad.com", "123456") {
		t.Fatal("an upgrade after a downgrade did not apply")
	}
}

// Polka promises no order. Signed deliveries carry a time (the body's
// timestamp, else webhook-timestamp): a change older than the last one
// applied is acknowledged, recorded as stale, and changes nothing, so a late
// retry of an old upgrade cannot undo a newer downgrade.
func TestWebhookOrder(t *testing.T) {
	t.Parallel()
	s := startServer(t, map[string]string{"POLKA_WEBHOOK_SECRET": polkaSecret})
	walt := s.signUp(t, "walt@breakingbad.com", "123456")
	send := s.signedSend(t)
	now := time.Now()

	// By webhook-timestamp: the downgrade was signed after the upgrade, and
	// arrives first.
	send("msg_down", now, downgraded(walt.ID)).expect(t, http.StatusNoContent)
	send("msg_up", now.Add(-time.Minute), upgraded(walt.ID)).expect(t, http.StatusNoContent)
	if red, _ := s.red(t, walt.ID); red {
		t.Fatal("an upgrade older than the downgrade made the user a member again")
	}
	if outcome, _ := s.inbox(t, "msg_up"); outcome != "stale" {
		t.Fatalf("the older upgrade was recorded as %q, want stale", outcome)
	}

	// By the event's own time: a retry days later is signed afresh, but its
	// event is older than the last change, so it changes nothing.
	send("msg_up_new", now.Add(time.Second), withTime(upgraded(walt.ID), now.Add(time.Second))).expect(t, http.StatusNoContent)
	send("msg_down_new", now.Add(2*time.Second), withTime(downgraded(walt.ID), now.Add(2*time.Second))).expect(t, http.StatusNoContent)
	late := withTime(upgraded(walt.ID), now.Add(-3*24*time.Hour))
	send("msg_up_late", time.Now(), late).expect(t, http.StatusNoContent)
	if red, _ := s.red(t, walt.ID); red {
		t.Fatal("a late retry of an old upgrade undid a newer downgrade")
	}
	if outcome, _ := s.inbox(t, "msg_up_late"); outcome != "stale" {
		t.Fatalf("the late upgrade was recorded as %q, want stale", outcome)
	}
	// A newer change applies.
	send("msg_up_newest", time.Now(), withTime(upgraded(walt.ID), time.Now().Add(3*time.Second))).expect(t, http.StatusNoContent)
	if red, _ := s.red(t, walt.ID); !red {
		t.Fatal("the newest upgrade did not apply")
	}
}

// Without a time (unsigned, no timestamp in the body), arrival decides.
func TestWebhookArrivalOrderWithoutTimes(t *testing.T) {
	t.Parallel()
	s := startServer(t, nil)
	walt := s.signUp(t, "walt@breakingbad.com", "123456")
	for i, body := range []map[string]any{upgraded(walt.ID), downgraded(walt.ID), upgraded(walt.ID)} {
		s.req(t, "POST", hookPath, body, withID("msg_"+strconv.Itoa(i))...).expect(t, http.StatusNoContent)
		if red, _ := s.red(t, walt.ID); red != (i%2 == 0) {
			t.Fatalf("after delivery %d (%s): red %v", i, body["event"], red)
		}
	}
}

func TestWebhookConcurrentDeliveriesApplyOnce(t *testing.T) {
	t.Parallel()
	for _, ev := range membershipEvents {
		t.Run(ev.name, func(t *testing.T) {
			t.Parallel()
			// Twenty at once queue on one user: deadlines a slow (race-detecting)
			// build meets.
			s := startServer(t, map[string]string{"REQUEST_TIMEOUT": "30s", "WEBHOOK_TIMEOUT": "30s"})
			walt := s.signUp(t, "walt@breakingbad.com", "123456")
			s.setRed(t, walt.ID, ev.before)
			_, before := s.red(t, walt.ID)
			changes := s.countMembershipChanges(t)

			const n = 20
			statuses := make([]int, n)
			var wg sync.WaitGroup
			start := make(chan struct{})
			for i := range n {
				wg.Go(func() {
					<-start
					statuses[i] = s.req(t, "POST", hookPath, ev.body(walt.ID), withID("msg_concurrent")...).Status
				})
			}
			close(start)
			wg.Wait()
			for i, st := range statuses {
				if st != http.StatusNoContent {
					t.Errorf("delivery %d: status %d, want 204", i, st)
				}
			}
			if outcome, rows := s.inbox(t, "msg_concurrent"); rows != 1 || outcome != "applied" {
				t.Fatalf("inbox holds %d rows (outcome %q) for the id, want exactly one applied", rows, outcome)
			}
			red, after := s.red(t, walt.ID)
			if red != ev.after || !after.After(before) {
				t.Fatalf("user red=%v updated_at %v -> %v", red, before, after)
			}

			// Retries are recognised and apply nothing, even twenty at once:
			// undo the change behind the server's back, and they leave it
			// undone.
			s.setRed(t, walt.ID, ev.before)
			for i := range n {
				wg.Go(func() {
					statuses[i] = s.req(t, "POST", hookPath, ev.body(walt.ID), withID("msg_concurrent")...).Status
				})
			}
			wg.Wait()
			for i, st := range statuses {
				if st != http.StatusNoContent {
					t.Errorf("retry %d: status %d, want 204", i, st)
				}
			}
			if red, _ := s.red(t, walt.ID); red != ev.before {
				t.Fatal("a retry of an applied delivery applied it again")
			}
			if n := changes(); n != 2 { // the first delivery and the test's undo, nothing more
				t.Errorf("the membership was written %d times, want 2", n)
			}
			// A new event is applied.
			s.req(t, "POST", hookPath, ev.body(walt.ID), withID("msg_new")...).expect(t, http.StatusNoContent)
			if red, _ := s.red(t, walt.ID); red != ev.after {
				t.Fatal("a new delivery was not applied")
			}
		})
	}
}

// Without a webhook-id, deliveries cannot be recognised, but they converge.
func TestWebhookWithoutIDConverges(t *testing.T) {
	t.Parallel()
	s := startServer(t, nil)
	walt := s.signUp(t, "walt@breakingbad.com", "123456")
	var wg sync.WaitGroup
	for range 10 {
		wg.Go(func() {
			if st := s.req(t, "POST", hookPath, upgraded(walt.ID), apiKey(polkaKey)...).Status; st != http.StatusNoContent {
				t.Errorf("status %d, want 204", st)
			}
		})
	}
	wg.Wait()
	if red, _ := s.red(t, walt.ID); !red {
		t.Fatal("user not upgraded")
	}
	if n := s.count(t, `SELECT count(*) FROM webhook_inbox WHERE outcome = 'applied' AND id LIKE 'chirpy_%'`); n != 10 {
		t.Fatalf("%d deliveries recorded with generated ids, want 10", n)
	}
}

func TestWebhookOutcomes(t *testing.T) {
	t.Parallel()
	s := startServer(t, nil)
	walt := s.signUp(t, "walt@breakingbad.com", "123456")

	failed := map[string]any{"event": "user.payment_failed", "data": map[string]string{"user_id": walt.ID}}
	s.req(t, "POST", hookPath, failed, withID("msg_ignored")...).expect(t, http.StatusNoContent)
	if outcome, _ := s.inbox(t, "msg_ignored"); outcome != "ignored" {
		t.Errorf("other event recorded as %q, want ignored", outcome)
	}
	if red, _ := s.red(t, walt.ID); red {
		t.Fatal("an ignored event upgraded the user")
	}

	nobody := upgraded("8a0e3bb6-1a0d-4b38-8e6c-4a4b7e1e2f00")
	s.req(t, "POST", hookPath, nobody, withID("msg_nobody")...).expect(t, http.StatusNotFound)
	s.req(t, "POST", hookPath, nobody, withID("msg_nobody")...).expect(t, http.StatusNotFound)
	if outcome, n := s.inbox(t, "msg_nobody"); outcome != "unknown_user" || n != 1 {
		t.Errorf("unknown user recorded as %q (%d rows), want one unknown_user", outcome, n)
	}

	s.req(t, "POST", hookPath, upgraded(walt.ID), withID("msg_upgrade")...).expect(t, http.StatusNoContent)
	var payload []byte
	var userID string
	if err := s.DB.QueryRow(`SELECT payload, user_id FROM webhook_inbox WHERE id = 'msg_upgrade'`).Scan(&payload, &userID); err != nil {
		t.Fatal(err)
	}
	if userID != walt.ID || !json.Valid(payload) || !strings.Contains(string(payload), walt.ID) {
		t.Errorf("inbox row: user_id %q payload %s", userID, payload)
	}

	// Reset empties the inbox too.
	s.req(t, "POST", "/admin/reset", nil).expect(t, http.StatusOK)
	if n := s.count(t, `SELECT count(*) FROM webhook_inbox`); n != 0 {
		t.Errorf("%d deliveries left after reset", n)
	}
}

func TestWebhookRejectsBadDeliveriesWithoutRecording(t *testing.T) {
	t.Parallel()
	s := startServer(t, nil)
	walt := s.signUp(t, "walt@breakingbad.com", "123456")
	for _, tc := range []struct {
		name   string
		body   any
		header []string
		status int
	}{
		{"malformed JSON", `{"event": "user.upgraded", "data": {`, withID("m1"), http.StatusBadRequest},
		{"not a UUID", upgraded("walt"), withID("m2"), http.StatusBadRequest},
		{"wrong type", `{"event": "user.upgraded", "data": {"user_id": 7}}`, withID("m3"), http.StatusBadRequest},
		{"empty body", "", withID("m4"), http.StatusBadRequest},
		{"over 64 KiB", `{"event": "user.upgraded", "pad": "` + strings.Repeat("x", 64<<10) + `"}`, withID("m5"), http.StatusRequestEntityTooLarge},
		{"id too long", upgraded(walt.ID), withID(strings.Repeat("i", 257)), http.StatusBadRequest},
		{"id not ASCII", upgraded(walt.ID), withID("msg_\xff\xfe"), http.StatusBadRequest},
		{"NUL in event", `{"event": "user.up\u0000graded", "data": {"user_id": "` + walt.ID + `"}}`, withID("m7"), http.StatusBadRequest},
		{"no event", `{"data": {"user_id": "` + walt.ID + `"}}`, withID("m8"), http.StatusBadRequest},
		{"null body", `null`, withID("m9"), http.StatusBadRequest},
		// The key is checked before the body is looked at.
		{"wrong key, garbage body", "garbage", []string{"Authorization", "ApiKey nope", "Webhook-Id", "m6"}, http.StatusUnauthorized},
	} {
		r := s.req(t, "POST", hookPath, tc.body, tc.header...)
		if r.Status != tc.status {
			t.Errorf("%s: status %d, want %d (%s)", tc.name, r.Status, tc.status, r.Body)
			continue
		}
		r.errorMessage(t)
	}
	if n := s.count(t, `SELECT count(*) FROM webhook_inbox`); n != 0 {
		t.Errorf("%d rejected deliveries were recorded", n)
	}
	if red, _ := s.red(t, walt.ID); red {
		t.Error("a rejected delivery upgraded the user")
	}
}

func TestWebhookSignatures(t *testing.T) {
	t.Parallel()
	s := startServer(t, map[string]string{"POLKA_WEBHOOK_SECRET": polkaSecret})
	walt := s.signUp(t, "walt@breakingbad.com", "123456")
	signer := newSigner(t)
	body := marshal(t, upgraded(walt.ID))

	send := func(id string, ts time.Time, sig string, b []byte) response {
		return s.req(t, "POST", hookPath, b, "Authorization", "ApiKey "+polkaKey,
			"Webhook-Id", id, "Webhook-Timestamp", strconv.FormatInt(ts.Unix(), 10), "Webhook-Signature", sig)
	}
	now := time.Now()
	tampered := []byte(strings.Replace(string(body), walt.ID, "8a0e3bb6-1a0d-4b38-8e6c-4a4b7e1e2f00", 1))
	send("msg_1", now, signer.Sign("msg_1", now, body), tampered).expect(t, http.StatusUnauthorized).errorMessage(t)
	old := now.Add(-6 * time.Minute)
	send("msg_1", old, signer.Sign("msg_1", old, body), body).expect(t, http.StatusUnauthorized)
	future := now.Add(6 * time.Minute)
	send("msg_1", future, signer.Sign("msg_1", future, body), body).expect(t, http.StatusUnauthorized)
	s.req(t, "POST", hookPath, body, apiKey(polkaKey)...).expect(t, http.StatusUnauthorized) // unsigned
	if red, _ := s.red(t, walt.ID); red {
		t.Fatal("a badly signed delivery upgraded the user")
	}

	sigs := "v1,bm90IHRoZSByaWdodCBvbmU= " + signer.Sign("msg_1", now, body)
	send("msg_1", now, sigs, body).expect(t, http.StatusNoContent)
	if red, _ := s.red(t, walt.ID); !red {
		t.Fatal("a validly signed delivery did not upgrade the user")
	}
	// The API key is still required.
	r := s.req(t, "POST", hookPath, body, "Webhook-Id", "msg_2",
		"Webhook-Timestamp", strconv.FormatInt(now.Unix(), 10), "Webhook-Signature", signer.Sign("msg_2", now, body))
	r.expect(t, http.StatusUnauthorized)
}

func TestWebhookStartsRefusingMalformedSecret(t *testing.T) {
	t.Parallel()
	vars := map[string]string{"DB_URL": pgtest.NewDatabase(t), "JWT_SECRET": "s", "POLKA_WEBHOOK_SECRET": "not-whsec", "PORT": "0"}
	// A Run that accepted the secret would serve until canceled: the
	// deadline turns that into a failure, not a hang.
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- Run(ctx, []string{"chirpy"}, lookup(vars), &syncBuffer{}, &syncBuffer{}) }()
	select {
	case err := <-done:
		if err == nil || !strings.Contains(err.Error(), "POLKA_WEBHOOK_SECRET") {
			t.Fatalf("Run = %v, want an error naming POLKA_WEBHOOK_SECRET", err)
		}
	case <-ctx.Done():
		err := <-done // Run stops with its context
		t.Fatalf("Run started with a malformed POLKA_WEBHOOK_SECRET instead of refusing it (and returned %v when canceled)", err)
	}
}

// A delivery whose database work cannot finish within the handler's deadline
// gets a 503 with Retry-After, leaves nothing behind, and a retry succeeds.
func TestWebhookDatabaseDeadline(t *testing.T) {
	t.Parallel()
	for _, ev := range membershipEvents {
		t.Run(ev.name, func(t *testing.T) {
			t.Parallel()
			s := startServer(t, map[string]string{"WEBHOOK_TIMEOUT": "300ms"})
			walt := s.signUp(t, "walt@breakingbad.com", "123456")
			s.setRed(t, walt.ID, ev.before)

			tx, err := s.DB.Begin()
			if err != nil {
				t.Fatal(err)
			}
			if _, err := tx.Exec(`SELECT 1 FROM users WHERE id = $1 FOR UPDATE`, walt.ID); err != nil {
				t.Fatal(err)
			}
			start := time.Now()
			r := s.req(t, "POST", hookPath, ev.body(walt.ID), withID("msg_slow")...)
			took := time.Since(start)
			tx.Rollback()
			if r.Status != http.StatusServiceUnavailable || r.Header.Get("Retry-After") == "" {
				t.Fatalf("status %d Retry-After %q, want 503 with Retry-After", r.Status, r.Header.Get("Retry-After"))
			}
			// Generous, for a loaded machine: without the deadline the
			// request waits for the lock until the client gives up (30 s).
			if took > 10*time.Second {
				t.Errorf("the 503 took %v; the handler's deadline (300ms here) is meant to answer well within a sender's timeout", took)
			}
			if _, n := s.inbox(t, "msg_slow"); n != 0 {
				t.Fatal("a delivery answered 503 was recorded")
			}
			if red, _ := s.red(t, walt.ID); red != ev.before {
				t.Fatal("a delivery answered 503 changed the user")
			}
			// Polka retries a 503; on a loaded machine, a retry may miss the
			// 300 ms too, and is answered 503 again, never 2xx unapplied.
			for i := 0; ; i++ {
				r := s.req(t, "POST", hookPath, ev.body(walt.ID), withID("msg_slow")...)
				if r.Status == http.StatusNoContent {
					break
				}
				if r.Status != http.StatusServiceUnavailable || i == 20 {
					t.Fatalf("retry %d: status %d, want 204 (or 503 while the machine is too slow for 300 ms)", i, r.Status)
				}
			}
			if red, _ := s.red(t, walt.ID); red != ev.after {
				t.Fatal("the retry did not change the user")
			}
		})
	}
}

// Postgres stops while the server runs: deliveries get 5xx, never 2xx; once it
// is back, the next retry succeeds in the same server process.
func TestWebhookSurvivesPostgresRestart(t *testing.T) {
	t.Parallel()
	for _, ev := range membershipEvents {
		t.Run(ev.name, func(t *testing.T) {
			t.Parallel()
			s, cluster := startServerOnOwnCluster(t)
			walt := s.signUp(t, "walt@breakingbad.com", "123456")
			s.setRed(t, walt.ID, ev.before)

			if err := cluster.Stop(); err != nil {
				t.Fatal(err)
			}
			for i := range 3 {
				r := s.req(t, "POST", hookPath, ev.body(walt.ID), withID("msg_outage")...)
				if r.Status/100 != 5 || r.Header.Get("Retry-After") == "" {
					t.Fatalf("delivery %d with Postgres down: status %d (Retry-After %q), want 5xx with Retry-After", i, r.Status, r.Header.Get("Retry-After"))
				}
				r.errorMessage(t)
			}

			if err := cluster.Start(context.Background()); err != nil {
				t.Fatal(err)
			}
			s.req(t, "POST", hookPath, ev.body(walt.ID), withID("msg_outage")...).expect(t, http.StatusNoContent)
			if red, _ := s.red(t, walt.ID); red != ev.after {
				t.Fatal("the delivery after the restart did not change the user")
			}
			if outcome, n := s.inbox(t, "msg_outage"); n != 1 || outcome != "applied" {
				t.Fatalf("inbox: %d rows, outcome %q", n, outcome)
			}
		})
	}
}

func TestPruneInbox(t *testing.T) {
	t.Parallel()
	dbURL := pgtest.NewDatabase(t)
	db, err := sql.Open("postgres", dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	// 12000 deliveries from 8 days ago (more than one batch) and one from 6 days ago.
	_, err = db.Exec(`
		INSERT INTO webhook_inbox (id, event, payload, outcome, received_at)
		SELECT 'old_' || i, 'user.upgraded', '{}', 'unknown_user', now() - interval '8 days'
		FROM generate_series(1, 12000) AS i;
		INSERT INTO webhook_inbox (id, event, payload, outcome, received_at)
		VALUES ('recent', 'user.upgraded', '{}', 'unknown_user', now() - interval '6 days')`)
	if err != nil {
		t.Fatal(err)
	}

	// The server prunes when it starts.
	s := startServer(t, map[string]string{"DB_URL": dbURL})
	waitUntil(t, 30*time.Second, "only the recent delivery left after start", func() bool {
		return s.count(t, `SELECT count(*) FROM webhook_inbox`) == 1
	})
	if _, n := s.inbox(t, "recent"); n != 1 {
		t.Fatal("a delivery within the retention window was pruned")
	}
}
