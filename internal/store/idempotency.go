package store

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"chirpy/internal/database"
	"chirpy/internal/idempotency"
)

// Once carries out a request made under an Idempotency-Key, once: in one
// transaction, it takes the key's lock (held by a request still being
// carried out: idempotency.ErrKeyInFlight), reads what the key holds, and
// does what idempotency.Decide says. A retry of the request gets the stored
// answer (replayed); another request under the key,
// idempotency.ErrKeyReused; a fresh one is carried out by effect, through
// tx, and its answer stored with what effect wrote. When effect fails,
// nothing is written and nothing stored, so a retry is carried out afresh.
func (s *Store) Once(ctx context.Context, r idempotency.Request, effect func(tx *Store) (idempotency.Answer, error)) (a idempotency.Answer, replayed bool, err error) {
	err = s.InTx(ctx, func(tx *Store) error {
		locked, err := tx.q.TryLockIdempotencyKey(ctx, database.TryLockIdempotencyKeyParams{Scope: r.Scope, Key: r.Key})
		if err != nil {
			return fail("lock idempotency key", err)
		}
		if !locked {
			return idempotency.ErrKeyInFlight
		}
		a, replayed, err = tx.Recall(ctx, r)
		if err != nil || replayed {
			return err
		}
		if a, err = effect(tx); err != nil {
			return err
		}
		return fail("store idempotency key", tx.q.StoreIdempotencyKey(ctx, database.StoreIdempotencyKeyParams{
			Scope: r.Scope, Key: r.Key, RequestSha256: r.Sha256[:], Status: int32(a.Status), Body: a.Body,
		}))
	})
	return a, replayed, err
}

// Recall returns what a retry of r gets now, carrying nothing out: the
// stored answer (replayed), idempotency.ErrKeyReused, or, for a fresh
// request, neither. For work too costly to do for a replay (a password
// hash) before Once.
func (s *Store) Recall(ctx context.Context, r idempotency.Request) (a idempotency.Answer, replayed bool, err error) {
	// In write: a replay is an acknowledgement, so the wait for the standby
	// (see GetIdempotencyKey) must not have been cut short by ctx.
	row, err := write(ctx, s, "get idempotency key", func(ctx context.Context) (database.GetIdempotencyKeyRow, error) {
		return s.q.GetIdempotencyKey(ctx, database.GetIdempotencyKeyParams{Scope: r.Scope, Key: r.Key})
	})
	found := err == nil
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return a, false, fail("get idempotency key", err)
	}
	stored := idempotency.Stored{Answer: idempotency.Answer{Status: int(row.Status), Body: row.Body}}
	copy(stored.Sha256[:], row.RequestSha256)
	switch idempotency.Decide(r, stored, found) {
	case idempotency.Replay:
		return stored.Answer, true, nil
	case idempotency.Mismatch:
		return a, false, idempotency.ErrKeyReused
	}
	return a, false, nil
}

// PruneIdempotencyKeys deletes the keys stored longer than keep ago (by the
// database's clock, which stamped them), a batch at a time, and returns how
// many it deleted. Several servers may prune at once.
func (s *Store) PruneIdempotencyKeys(ctx context.Context, keep time.Duration) (int64, error) {
	return pruneInBatches("prune idempotency keys", func() (int64, error) {
		return s.q.PruneIdempotencyKeys(ctx, database.PruneIdempotencyKeysParams{KeepSeconds: keep.Seconds(), BatchSize: pruneBatch})
	})
}
