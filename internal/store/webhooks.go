package store

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"chirpy/internal/database"
	"chirpy/internal/polka"

	"github.com/google/uuid"
)

// The webhook inbox: every Polka delivery that passed authentication and
// validation, kept for polka.InboxRetention to recognise the sender's retries.

// RecordDelivery records d and carries out what polka.Decide makes of it, in
// one transaction: when it returns nil, both the inbox row and the
// membership change are committed; otherwise neither is. The user's row is
// locked first, so that the deliveries for one user are decided one at a
// time, each on the membership the one before left. A delivery whose id was
// recorded before (by an earlier delivery, or a concurrent one that committed
// while this one waited) writes nothing and returns the first one's outcome,
// with duplicate set.
func (s *Store) RecordDelivery(ctx context.Context, d polka.Delivery) (outcome polka.Outcome, duplicate bool, err error) {
	err = s.InTx(ctx, func(tx *Store) error {
		var m polka.Membership
		found := false
		if _, changes := d.Change.Member(); changes && d.UserID.Valid {
			row, err := tx.q.LockMembership(ctx, d.UserID.UUID)
			switch {
			case err == nil:
				found, m = true, polka.Membership{Red: row.IsChirpyRed, ChangedAt: row.MembershipChangedAt.Time}
			case !errors.Is(err, sql.ErrNoRows):
				return fail("lock membership", err)
			}
		}
		decision := polka.Decide(d, m, found)
		n, err := tx.q.RecordWebhook(ctx, database.RecordWebhookParams{
			ID: d.ID, Event: d.Event, UserID: d.UserID, Payload: d.Payload, Outcome: decision.Outcome.String(),
		})
		if err != nil {
			return fail("record webhook", err)
		}
		if n == 0 {
			duplicate = true
			return nil // nothing was written
		}
		outcome = decision.Outcome
		if !decision.Write {
			return nil
		}
		at := decision.Set.ChangedAt
		return fail("set membership", tx.q.SetMembership(ctx, database.SetMembershipParams{
			ID: d.UserID.UUID, IsChirpyRed: decision.Set.Red, ChangedAt: sql.NullTime{Time: at, Valid: !at.IsZero()},
		}))
	})
	if err != nil || !duplicate {
		return outcome, duplicate, err
	}
	word, err := s.q.GetWebhookOutcome(ctx, d.ID)
	if errors.Is(err, sql.ErrNoRows) {
		// Pruned or reset in between: nothing is recorded now, so a retry
		// will apply it.
		return 0, true, failAs("get outcome of webhook "+d.ID, ErrUnavailable, err)
	}
	if err != nil {
		return 0, true, fail("get outcome of webhook "+d.ID, err)
	}
	outcome, err = parseOutcome("get outcome of webhook "+d.ID, word)
	return outcome, true, err
}

func parseOutcome(op, word string) (polka.Outcome, error) {
	o, err := polka.ParseOutcome(word)
	if err != nil {
		return 0, failAs(op, nil, err)
	}
	return o, nil
}

// pruneBatch bounds each delete of the pruners, so that no single statement
// holds locks for long.
const pruneBatch = 5000

// PruneInbox deletes the deliveries received longer than keep ago (by the
// database's clock, which stamped them), a batch at a time, and returns how
// many it deleted. Several servers may prune at once; deleting what another
// already deleted is harmless.
func (s *Store) PruneInbox(ctx context.Context, keep time.Duration) (int64, error) {
	return pruneInBatches("prune webhook inbox", func() (int64, error) {
		return s.q.PruneWebhookInbox(ctx, database.PruneWebhookInboxParams{KeepSeconds: keep.Seconds(), BatchSize: pruneBatch})
	})
}

// pruneInBatches runs deleteBatch, which deletes at most pruneBatch rows,
// until a batch comes up short, and returns how many rows it deleted.
func pruneInBatches(op string, deleteBatch func() (int64, error)) (int64, error) {
	var total int64
	for {
		n, err := deleteBatch()
		total += n
		if err != nil {
			return total, fail(op, err)
		}
		if n < pruneBatch {
			return total, nil
		}
	}
}

// InboxEntry is a delivery as the inbox remembers it.
type InboxEntry struct {
	ID         string
	Event      string
	UserID     uuid.NullUUID
	Outcome    polka.Outcome
	ReceivedAt time.Time
}

// InboxFilter says which deliveries Inbox lists: those received since Since,
// of Outcome (zero: any), at most Limit of them.
type InboxFilter struct {
	Since   time.Time
	Outcome polka.Outcome
	Limit   int
}

// Inbox lists recorded deliveries, newest first, for operators.
func (s *Store) Inbox(ctx context.Context, f InboxFilter) ([]InboxEntry, error) {
	var outcome sql.NullString
	if f.Outcome != 0 {
		outcome = sql.NullString{String: f.Outcome.String(), Valid: true}
	}
	rows, err := s.q.ListWebhookInbox(ctx, database.ListWebhookInboxParams{
		ReceivedSince: f.Since, Outcome: outcome, MaxRows: int32(f.Limit),
	})
	if err != nil {
		return nil, fail("list webhook inbox", err)
	}
	entries := make([]InboxEntry, len(rows))
	for i, r := range rows {
		o, err := parseOutcome("list webhook inbox", r.Outcome)
		if err != nil {
			return nil, err
		}
		entries[i] = InboxEntry{ID: r.ID, Event: r.Event, UserID: r.UserID, Outcome: o, ReceivedAt: r.ReceivedAt}
	}
	return entries, nil
}
