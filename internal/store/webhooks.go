package store

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"chirpy/internal/database"
	"chirpy/internal/polka"
)

// The webhook inbox: every Polka delivery that passed authentication and
// validation, kept for polka.InboxRetention to recognise the sender's retries.

// RecordDelivery records d and applies its membership change, in one
// statement and so in one transaction: when it returns nil, both are
// committed; otherwise neither is. A delivery whose id was recorded before
// (by an earlier delivery, or a concurrent one that committed while this one
// waited) writes nothing and returns the first one's outcome, with duplicate
// set.
func (s *Store) RecordDelivery(ctx context.Context, d polka.Delivery) (outcome polka.Outcome, duplicate bool, err error) {
	var setRed sql.NullBool
	switch d.Change {
	case polka.Upgrade:
		setRed = sql.NullBool{Bool: true, Valid: true}
	case polka.NoChange:
	default:
		return 0, false, failAs("record webhook", nil, errors.New("unknown membership change"))
	}
	word, err := s.q.RecordWebhook(ctx, database.RecordWebhookParams{
		ID:              d.ID,
		Event:           d.Event,
		UserID:          d.UserID,
		Payload:         d.Payload,
		SetRed:          setRed,
		OutcomeNoChange: polka.Ignored.String(),
		OutcomeApplied:  polka.Applied.String(),
		OutcomeNoUser:   polka.UnknownUser.String(),
	})
	if err == nil {
		outcome, err = parseOutcome("record webhook", word)
		return outcome, false, err
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return 0, false, fail("record webhook", err)
	}
	// No row: the id was taken.
	word, err = s.q.GetWebhookOutcome(ctx, d.ID)
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

// pruneBatch bounds each delete of PruneInbox, so that no single statement
// holds locks for long.
const pruneBatch = 5000

// PruneInbox deletes the deliveries received before cutoff, a batch at a
// time, and returns how many it deleted. Several servers may prune at once;
// deleting what another already deleted is harmless.
func (s *Store) PruneInbox(ctx context.Context, cutoff time.Time) (int64, error) {
	var total int64
	for {
		n, err := s.q.PruneWebhookInbox(ctx, database.PruneWebhookInboxParams{ReceivedBefore: cutoff, BatchSize: pruneBatch})
		total += n
		if err != nil {
			return total, fail("prune webhook inbox", err)
		}
		if n < pruneBatch {
			return total, nil
		}
	}
}
