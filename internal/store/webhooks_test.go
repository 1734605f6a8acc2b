package store_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"chirpy/internal/polka"
	"chirpy/internal/store"
)

func delivery(id, event string, user uuid.UUID) polka.Delivery {
	return polka.Delivery{
		ID: id, Event: event, UserID: uuid.NullUUID{UUID: user, Valid: user != uuid.Nil},
		Change: polka.ChangeOf(event), Payload: []byte(`{"event": "` + event + `"}`),
	}
}

func isRed(t *testing.T, s *store.Store, id uuid.UUID) bool {
	t.Helper()
	var red bool
	if err := store.DB(s).QueryRow(`SELECT is_chirpy_red FROM users WHERE id = $1`, id).Scan(&red); err != nil {
		t.Fatal(err)
	}
	return red
}

// inboxRow is the outcome the inbox holds for id ("" if none) and how many
// rows it has for it.
func inboxRow(t *testing.T, s *store.Store, id string) (string, int) {
	t.Helper()
	var outcome string
	var n int
	if err := store.DB(s).QueryRow(`SELECT coalesce(max(outcome), ''), count(*) FROM webhook_inbox WHERE id = $1`, id).Scan(&outcome, &n); err != nil {
		t.Fatal(err)
	}
	return outcome, n
}

func TestRecordDelivery(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	ctx := context.Background()
	walt, _ := s.CreateUser(ctx, "walt@breakingbad.com", "h")

	for _, tc := range []struct {
		name    string
		d       polka.Delivery
		want    polka.Outcome
		wantRed bool
	}{
		{"ignored", delivery("msg_ignored", "user.payment_failed", walt.ID), polka.Ignored, false},
		{"ignored, no user", delivery("msg_nouser", "user.created", uuid.Nil), polka.Ignored, false},
		{"unknown user", delivery("msg_nobody", polka.EventUserUpgraded, uuid.New()), polka.UnknownUser, false},
		{"applied", delivery("msg_upgrade", polka.EventUserUpgraded, walt.ID), polka.Applied, true},
		{"applied again, new id", delivery("msg_upgrade_2", polka.EventUserUpgraded, walt.ID), polka.Applied, true},
	} {
		outcome, duplicate, err := s.RecordDelivery(ctx, tc.d)
		if err != nil || outcome != tc.want || duplicate {
			t.Errorf("%s: RecordDelivery = %v, duplicate %v, %v; want %v", tc.name, outcome, duplicate, err, tc.want)
		}
		if word, n := inboxRow(t, s, tc.d.ID); word != tc.want.String() || n != 1 {
			t.Errorf("%s: inbox holds %d rows, outcome %q", tc.name, n, word)
		}
		if red := isRed(t, s, walt.ID); red != tc.wantRed {
			t.Errorf("%s: is_chirpy_red = %v, want %v", tc.name, red, tc.wantRed)
		}
	}
	var payload []byte
	var userID uuid.NullUUID
	if err := store.DB(s).QueryRow(`SELECT payload, user_id FROM webhook_inbox WHERE id = 'msg_upgrade'`).Scan(&payload, &userID); err != nil {
		t.Fatal(err)
	}
	if string(payload) != `{"event": "user.upgraded"}` || userID.UUID != walt.ID {
		t.Errorf("inbox row: payload %s, user %v", payload, userID)
	}

	// A duplicate reads the first outcome and writes nothing: undo the
	// upgrade behind the store's back, and the duplicate leaves it undone.
	exec(t, s, `UPDATE users SET is_chirpy_red = false WHERE id = $1`, walt.ID)
	outcome, duplicate, err := s.RecordDelivery(ctx, delivery("msg_upgrade", polka.EventUserUpgraded, walt.ID))
	if err != nil || outcome != polka.Applied || !duplicate {
		t.Fatalf("duplicate: %v, duplicate %v, %v; want applied, duplicate", outcome, duplicate, err)
	}
	if isRed(t, s, walt.ID) {
		t.Fatal("a duplicate applied its change again")
	}
	// A duplicate of an unknown user's delivery is one still.
	if outcome, duplicate, _ := s.RecordDelivery(ctx, delivery("msg_nobody", polka.EventUserUpgraded, uuid.New())); outcome != polka.UnknownUser || !duplicate {
		t.Fatalf("duplicate of unknown user: %v, %v", outcome, duplicate)
	}

	// Garbage the database refuses is the sender's, not a failure to retry.
	bad := delivery("msg_bad", "user.up\x00graded", walt.ID)
	if _, _, err := s.RecordDelivery(ctx, bad); !errors.Is(err, store.ErrInvalid) {
		t.Fatalf("NUL in event: %v, want store.ErrInvalid", err)
	}
}

// Twenty copies of one delivery at once: one applies it, nineteen find it
// taken and write nothing, and the inbox holds it once.
func TestRecordDeliveryConcurrentCopies(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	ctx := context.Background()
	walt, _ := s.CreateUser(ctx, "walt@breakingbad.com", "h")
	exec(t, s, `
		CREATE TABLE test_membership_writes (user_id uuid NOT NULL);
		CREATE FUNCTION test_count_membership_write() RETURNS trigger LANGUAGE plpgsql AS $$
		BEGIN INSERT INTO test_membership_writes VALUES (NEW.id); RETURN NEW; END $$;
		CREATE TRIGGER test_count_membership_writes AFTER UPDATE OF is_chirpy_red ON users
			FOR EACH ROW EXECUTE FUNCTION test_count_membership_write();`)

	const n = 20
	duplicates := make([]bool, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Go(func() {
			<-start
			outcome, duplicate, err := s.RecordDelivery(ctx, delivery("msg_copies", polka.EventUserUpgraded, walt.ID))
			if err != nil || outcome != polka.Applied {
				t.Errorf("copy %d: %v, %v", i, outcome, err)
			}
			duplicates[i] = duplicate
		})
	}
	close(start)
	wg.Wait()
	first := 0
	for _, d := range duplicates {
		if !d {
			first++
		}
	}
	if first != 1 {
		t.Errorf("%d copies applied the delivery, want 1", first)
	}
	if _, rows := inboxRow(t, s, "msg_copies"); rows != 1 {
		t.Errorf("inbox holds %d rows for the id, want 1", rows)
	}
	if writes := count(t, s, `SELECT count(*) FROM test_membership_writes`); writes != 1 || !isRed(t, s, walt.ID) {
		t.Errorf("membership written %d times (red %v), want once", writes, isRed(t, s, walt.ID))
	}
}

// Downgrades end a membership with the guarantees upgrades have; changes
// that carry a time are applied in the order of their times, whatever the
// order they arrive in.
func TestRecordDeliveryOrder(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	ctx := context.Background()
	walt, _ := s.CreateUser(ctx, "walt@breakingbad.com", "h")
	at := func(d polka.Delivery, when time.Time) polka.Delivery { d.At = when; return d }
	// An hour ago: every timed step is in the past, so the untimed one,
	// applied as of now, is newer than all of them whatever the date.
	t0 := time.Now().Add(-time.Hour).Truncate(time.Second)

	for i, step := range []struct {
		d       polka.Delivery
		want    polka.Outcome
		wantRed bool
	}{
		{at(delivery("msg_up_1", polka.EventUserUpgraded, walt.ID), t0), polka.Applied, true},
		{at(delivery("msg_down_3", polka.EventUserDowngraded, walt.ID), t0.Add(3*time.Minute)), polka.Applied, false},
		// A late retry of an upgrade older than the downgrade changes nothing.
		{at(delivery("msg_up_2", polka.EventUserUpgraded, walt.ID), t0.Add(2*time.Minute)), polka.Stale, false},
		// Of the same time, the one that arrives later wins.
		{at(delivery("msg_up_3", polka.EventUserUpgraded, walt.ID), t0.Add(3*time.Minute)), polka.Applied, true},
		// A newer upgrade of a member changes nothing visible, but moves the
		// time of the last change: an older downgrade is stale after it.
		{at(delivery("msg_up_5", polka.EventUserUpgraded, walt.ID), t0.Add(5*time.Minute)), polka.Applied, true},
		{at(delivery("msg_down_4", polka.EventUserDowngraded, walt.ID), t0.Add(4*time.Minute)), polka.Stale, true},
		// Without a time, arrival decides: it is applied as of now.
		{delivery("msg_down_now", polka.EventUserDowngraded, walt.ID), polka.Applied, false},
		{at(delivery("msg_up_6", polka.EventUserUpgraded, walt.ID), t0.Add(6*time.Minute)), polka.Stale, false},
	} {
		outcome, duplicate, err := s.RecordDelivery(ctx, step.d)
		if err != nil || outcome != step.want || duplicate {
			t.Fatalf("step %d (%s): %v, duplicate %v, %v; want %v", i, step.d.ID, outcome, duplicate, err, step.want)
		}
		if word, _ := inboxRow(t, s, step.d.ID); word != step.want.String() {
			t.Errorf("step %d: inbox says %q", i, word)
		}
		if red := isRed(t, s, walt.ID); red != step.wantRed {
			t.Fatalf("step %d (%s): is_chirpy_red = %v, want %v", i, step.d.ID, red, step.wantRed)
		}
	}
}

// Upgrades and downgrades of one user, with times, arriving all at once and
// in any order: the membership ends as the newest change says, and each is
// recorded as applied or stale.
func TestRecordDeliveryConcurrentOrder(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	ctx := context.Background()
	walt, _ := s.CreateUser(ctx, "walt@breakingbad.com", "h")
	t0 := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	const n = 30
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Go(func() {
			event := polka.EventUserUpgraded
			if i%2 == 1 {
				event = polka.EventUserDowngraded
			}
			d := delivery(fmt.Sprintf("msg_%02d", i), event, walt.ID)
			d.At = t0.Add(time.Duration(i) * time.Second)
			<-start
			if outcome, _, err := s.RecordDelivery(ctx, d); err != nil || (outcome != polka.Applied && outcome != polka.Stale) {
				t.Errorf("%s: %v, %v", d.ID, outcome, err)
			}
		})
	}
	close(start)
	wg.Wait()
	// The newest (i = 29) is a downgrade, and it is always applied.
	if isRed(t, s, walt.ID) {
		t.Fatal("the membership does not end as the newest change says")
	}
	if word, _ := inboxRow(t, s, fmt.Sprintf("msg_%02d", n-1)); word != "applied" {
		t.Fatalf("the newest change was recorded as %q", word)
	}
}

func TestPruneInbox(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	ctx := context.Background()
	// 12000 deliveries from 8 days ago (more than two batches) and one from
	// 6 days ago.
	exec(t, s, `
		INSERT INTO webhook_inbox (id, event, payload, outcome, received_at)
		SELECT 'old_' || i, 'user.upgraded', '{}', 'unknown_user', now() - interval '8 days'
		FROM generate_series(1, 12000) AS i;
		INSERT INTO webhook_inbox (id, event, payload, outcome, received_at)
		VALUES ('recent', 'user.upgraded', '{}', 'unknown_user', now() - interval '6 days')`)
	n, err := s.PruneInbox(ctx, polka.InboxRetention)
	if err != nil || n != 12000 {
		t.Fatalf("PruneInbox = %d, %v; want the 12000 older than a week", n, err)
	}
	if _, rows := inboxRow(t, s, "recent"); rows != 1 {
		t.Fatal("a delivery within the retention window was pruned")
	}
	if n, err := s.PruneInbox(ctx, 5*24*time.Hour); err != nil || n != 1 {
		t.Fatalf("PruneInbox = %d, %v; want the 1 delivery older than 5 days", n, err)
	}
}
