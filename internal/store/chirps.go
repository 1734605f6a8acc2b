package store

import (
	"context"
	"iter"
	"time"

	"github.com/google/uuid"

	"chirpy/internal/chirp"
	"chirpy/internal/database"
)

// Chirp is a stored chirp.
type Chirp struct {
	ID        uuid.UUID
	CreatedAt time.Time
	UpdatedAt time.Time
	Body      string
	UserID    uuid.UUID
}

func chirpOf(c database.Chirp) Chirp {
	return Chirp{ID: c.ID, CreatedAt: c.CreatedAt, UpdatedAt: c.UpdatedAt, Body: c.Body, UserID: c.UserID}
}

// CreateChirp stores a chirp by userID, whose body the chirp rules have
// cleaned: ErrNotFound if that account is gone.
func (s *Store) CreateChirp(ctx context.Context, userID uuid.UUID, body string) (Chirp, error) {
	return write(ctx, s, "create chirp", func(ctx context.Context) (Chirp, error) {
		c, err := s.q.CreateChirp(ctx, database.CreateChirpParams{Body: body, UserID: userID})
		if err != nil {
			return Chirp{}, fail("create chirp", err)
		}
		return chirpOf(c), nil
	})
}

// Chirp returns the chirp with id, or ErrNotFound.
func (s *Store) Chirp(ctx context.Context, id uuid.UUID) (Chirp, error) {
	c, err := s.q.GetChirp(ctx, id)
	if err != nil {
		return Chirp{}, fail("get chirp", err)
	}
	return chirpOf(c), nil
}

// DeleteChirp deletes the chirp with id if user may (chirp.MayDelete):
// ErrNotFound if there is no such chirp, chirp.ErrNotAuthor if user may not.
func (s *Store) DeleteChirp(ctx context.Context, id, user uuid.UUID) error {
	return s.InTx(ctx, func(tx *Store) error {
		c, err := tx.q.LockChirpForChange(ctx, id)
		if err != nil {
			return fail("lock chirp", err)
		}
		if err := chirp.MayDelete(user, c.UserID); err != nil {
			return err
		}
		return fail("delete chirp", tx.q.DeleteChirp(ctx, id))
	})
}

// UpdateChirp replaces the body of the chirp with id, which the chirp rules
// have cleaned, if user may (chirp.MayEdit: its author, while a Chirpy Red
// member, as their account says at this moment): ErrNotFound if there is no
// such chirp, chirp.ErrNotAuthor or chirp.ErrNotMember if user may not.
func (s *Store) UpdateChirp(ctx context.Context, id, user uuid.UUID, body string) (Chirp, error) {
	var updated Chirp
	err := s.InTx(ctx, func(tx *Store) error {
		c, err := tx.q.LockChirpForChange(ctx, id)
		if err != nil {
			return fail("lock chirp", err)
		}
		if err := chirp.MayEdit(user, c.UserID, c.IsChirpyRed); err != nil {
			return err
		}
		row, err := tx.q.UpdateChirp(ctx, database.UpdateChirpParams{ID: id, Body: body})
		updated = chirpOf(row)
		return fail("update chirp", err)
	})
	return updated, err
}

// ChirpFilter says which chirps a list holds, and in what order: oldest
// first, or newest first when Desc. Ties in creation time are ordered by id.
type ChirpFilter struct {
	Author uuid.NullUUID // only this author's chirps; every author's if not Valid
	Desc   bool
}

// Cursor is a position in a list: the chirp a page starts after. The zero
// Cursor is the start of any list.
type Cursor struct {
	CreatedAt time.Time
	ID        uuid.UUID
}

// After returns the position just after c.
func After(c Chirp) Cursor { return Cursor{CreatedAt: c.CreatedAt, ID: c.ID} }

// The bounds that come before every chirp, in either order.
var (
	ascStart  = Cursor{CreatedAt: time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC), ID: uuid.Nil}
	descStart = Cursor{CreatedAt: time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC), ID: uuid.Max}
)

// ChirpPage returns at most limit chirps of the list f, after the position
// after, and whether more follow. Pages are keyed on (created_at, id), so
// every page is a short index range scan, however deep.
func (s *Store) ChirpPage(ctx context.Context, f ChirpFilter, after Cursor, limit int) (page []Chirp, more bool, err error) {
	limit = max(limit, 1)
	if after == (Cursor{}) {
		after = ascStart
		if f.Desc {
			after = descStart
		}
	}
	// One more than asked says, without another query, whether more follow.
	n := int32(limit + 1)
	var rows []database.Chirp
	switch {
	case !f.Author.Valid && !f.Desc:
		rows, err = s.q.ListChirpsAsc(ctx, database.ListChirpsAscParams{AfterCreatedAt: after.CreatedAt, AfterID: after.ID, PageSize: n})
	case !f.Author.Valid && f.Desc:
		rows, err = s.q.ListChirpsDesc(ctx, database.ListChirpsDescParams{BeforeCreatedAt: after.CreatedAt, BeforeID: after.ID, PageSize: n})
	case !f.Desc:
		rows, err = s.q.ListChirpsByAuthorAsc(ctx, database.ListChirpsByAuthorAscParams{UserID: f.Author.UUID, AfterCreatedAt: after.CreatedAt, AfterID: after.ID, PageSize: n})
	default:
		rows, err = s.q.ListChirpsByAuthorDesc(ctx, database.ListChirpsByAuthorDescParams{UserID: f.Author.UUID, BeforeCreatedAt: after.CreatedAt, BeforeID: after.ID, PageSize: n})
	}
	if err != nil {
		return nil, false, fail("list chirps", err)
	}
	if more = len(rows) > limit; more {
		rows = rows[:limit]
	}
	page = make([]Chirp, len(rows))
	for i, r := range rows {
		page[i] = chirpOf(r)
	}
	return page, more, nil
}

// ChirpPages returns the whole list f, pageSize chirps at a time, so that a
// list of any length is held in bounded memory: while the caller works on one
// page, the next is read (so not inside InTx, whose one connection cannot run
// two queries at once). Each page gets Options.PageTimeout of its own. The
// first error ends the list. Stopping early (break) cancels the page being
// read ahead.
func (s *Store) ChirpPages(ctx context.Context, f ChirpFilter, pageSize int) iter.Seq2[[]Chirp, error] {
	return func(yield func([]Chirp, error) bool) {
		ctx, cancel := context.WithCancel(ctx)
		defer cancel()
		type result struct {
			page []Chirp
			more bool
			err  error
		}
		read := func(after Cursor) result {
			ctx, cancel := context.WithTimeout(ctx, s.opts.PageTimeout)
			defer cancel()
			page, more, err := s.ChirpPage(ctx, f, after, pageSize)
			return result{page, more, err}
		}
		r := read(Cursor{})
		for {
			if r.err != nil {
				yield(nil, r.err)
				return
			}
			var next chan result
			if r.more {
				// Buffered, so the reader never blocks, even after the
				// caller has stopped.
				next = make(chan result, 1)
				after := After(r.page[len(r.page)-1])
				go func() { next <- read(after) }()
			}
			if !yield(r.page, nil) || next == nil {
				return
			}
			r = <-next
		}
	}
}
