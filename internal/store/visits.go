package store

import "context"

// The course's visit counter, shared by every server process.

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
