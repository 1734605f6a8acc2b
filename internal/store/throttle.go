package store

import (
	"context"
	"time"

	"chirpy/internal/auth"
	"chirpy/internal/database"
)

// The login throttle's counts (auth.LoginCounter), shared by every server
// process: attempts per key, in a window that begins with the key's first
// attempt. Which keys count, and which counts refuse, is auth's to say.

// CountLoginAttempt counts one attempt under key, in a window of the given
// length, and returns what the key has counted in it, this attempt included,
// and the database's time, which the windows are in.
func (s *Store) CountLoginAttempt(ctx context.Context, key string, window time.Duration) (auth.LoginCount, time.Time, error) {
	row, err := write(ctx, s, "count login attempt", func(ctx context.Context) (database.CountLoginAttemptRow, error) {
		err := s.q.EndLoginWindow(ctx, database.EndLoginWindowParams{Key: key, WindowSeconds: window.Seconds()})
		if err != nil {
			return database.CountLoginAttemptRow{}, fail("end login window", err)
		}
		row, err := s.q.CountLoginAttempt(ctx, key)
		return row, fail("count login attempt", err)
	})
	if err != nil {
		return auth.LoginCount{}, time.Time{}, err
	}
	return auth.LoginCount{Attempts: int(row.Attempts), Since: row.WindowStart}, row.Now, nil
}

// LoginAttempts returns what keys have counted in windows of the given
// length that have not run out, counting nothing.
func (s *Store) LoginAttempts(ctx context.Context, keys []string, window time.Duration) (map[string]auth.LoginCount, error) {
	rows, err := s.q.GetLoginAttempts(ctx, database.GetLoginAttemptsParams{Keys: keys, WindowSeconds: window.Seconds()})
	if err != nil {
		return nil, fail("get login attempts", err)
	}
	held := make(map[string]auth.LoginCount, len(rows))
	for _, r := range rows {
		held[r.Key] = auth.LoginCount{Attempts: int(r.Attempts), Since: r.WindowStart}
	}
	return held, nil
}

// ClearLoginAttempts forgets the attempts counted under key: a successful
// login clears its email's count from its client.
func (s *Store) ClearLoginAttempts(ctx context.Context, key string) error {
	_, err := write(ctx, s, "clear login attempts", func(ctx context.Context) (struct{}, error) {
		return struct{}{}, fail("clear login attempts", s.q.ClearLoginAttempts(ctx, key))
	})
	return err
}

// PruneLoginAttempts forgets every key whose window, of the given length,
// has run out, and returns how many.
func (s *Store) PruneLoginAttempts(ctx context.Context, window time.Duration) (int64, error) {
	n, err := s.q.PruneLoginAttempts(ctx, window.Seconds())
	return n, fail("prune login attempts", err)
}
