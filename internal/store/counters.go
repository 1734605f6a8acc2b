package store

import (
	"context"
	"time"

	"chirpy/internal/auth"
	"chirpy/internal/database"
)

// What every server process shares: the course's visit counter and the
// login throttle's counts.

// CountVisit counts one visit of the site.
func (s *Store) CountVisit(ctx context.Context) error {
	_, err := write(ctx, s, "count visit", func(ctx context.Context) (struct{}, error) {
		return struct{}{}, fail("count visit", s.q.CountVisit(ctx))
	})
	return err
}

// Visits returns the visits counted since the last Reset.
func (s *Store) Visits(ctx context.Context) (int64, error) {
	n, err := s.q.GetVisits(ctx)
	return n, fail("get visits", err)
}

// CountLoginAttempt counts a login attempt for each of its keys (see
// auth.KeysOf), each in a window of its own of limits.Window, and returns
// what each has counted, this attempt included, and the database's time,
// which the windows are in. A client over limits.PerClient counts for its
// own key only: it makes no other. An attempt over limits.PerEmail for its
// pair (the email from this client) does not count for the account.
func (s *Store) CountLoginAttempt(ctx context.Context, keys auth.LoginKeys, limits auth.LoginLimits) (auth.LoginCounts, time.Time, error) {
	// No limit is a limit no count reaches.
	limit := func(n int) int32 {
		if n <= 0 {
			return 1 << 30
		}
		return int32(min(n, 1<<30))
	}
	row, err := write(ctx, s, "count login attempt", func(ctx context.Context) (database.CountLoginAttemptRow, error) {
		row, err := s.q.CountLoginAttempt(ctx, database.CountLoginAttemptParams{
			ClientKey: keys.Client, AccountKey: keys.Account, PairKey: keys.Email,
			WindowSeconds: limits.Window.Seconds(),
			ClientLimit:   limit(limits.PerClient), PairLimit: limit(limits.PerEmail),
		})
		return row, fail("count login attempt", err)
	})
	if err != nil {
		return auth.LoginCounts{}, time.Time{}, err
	}
	return auth.LoginCounts{
		Email:   auth.LoginCount{Attempts: int(row.PairAttempts), Since: row.PairSince},
		Client:  auth.LoginCount{Attempts: int(row.ClientAttempts), Since: row.ClientSince},
		Account: auth.LoginCount{Attempts: int(row.AccountAttempts), Since: row.AccountSince},
	}, row.Now, nil
}

// PruneLoginAttempts deletes the counts whose window began before cutoff.
func (s *Store) PruneLoginAttempts(ctx context.Context, cutoff time.Time) (int64, error) {
	n, err := s.q.PruneLoginAttempts(ctx, cutoff)
	return n, fail("prune login attempts", err)
}
