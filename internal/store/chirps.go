package store

import (
	"context"
	"database/sql"
	"errors"
	"iter"
	"time"

	"github.com/google/uuid"

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

// DeleteChirp deletes the chirp with id if authorID wrote it: ErrNotFound if
// there is no such chirp, ErrNotAuthor if someone else wrote it. The author's
// delete is one round trip; a refusal takes a second to say why.
func (s *Store) DeleteChirp(ctx context.Context, id, authorID uuid.UUID) error {
	_, err := write(ctx, s, "delete chirp", func(ctx context.Context) (struct{}, error) {
		_, err := s.q.DeleteChirp(ctx, database.DeleteChirpParams{ID: id, UserID: authorID})
		if err == nil || !errors.Is(err, sql.ErrNoRows) {
			return struct{}{}, fail("delete chirp", err)
		}
		author, err := s.q.GetChirpAuthor(ctx, id)
		switch {
		case err != nil:
			return struct{}{}, fail("get chirp author", err)
		case author != authorID:
			return struct{}{}, failAs("delete chirp", ErrNotAuthor, sql.ErrNoRows)
		}
		// The author's own chirp, deleted by a concurrent request.
		return struct{}{}, failAs("delete chirp", ErrNotFound, sql.ErrNoRows)
	})
	return err
}

// UpdateChirp replaces the body of the chirp with id, whose body the chirp
// rules have cleaned, if editorID wrote it and is a Chirpy Red member as their
// account says at this moment: ErrNotFound if there is no such chirp,
// ErrNotAuthor if someone else wrote it, ErrNotMember if the author is not a
// member. The author's edit is one round trip; a refusal takes a second to
// say why.
func (s *Store) UpdateChirp(ctx context.Context, id, editorID uuid.UUID, body string) (Chirp, error) {
	return write(ctx, s, "update chirp", func(ctx context.Context) (Chirp, error) {
		// The second query can find a member's own chirp only if the chirp or
		// the membership changed in between; then the edit is tried again.
		for range 3 {
			c, err := s.q.UpdateChirp(ctx, database.UpdateChirpParams{ID: id, UserID: editorID, Body: body})
			if err == nil || !errors.Is(err, sql.ErrNoRows) {
				return chirpOf(c), fail("update chirp", err)
			}
			editor, err := s.q.GetChirpEditor(ctx, id)
			switch {
			case err != nil:
				return Chirp{}, fail("get chirp editor", err)
			case editor.UserID != editorID:
				return Chirp{}, failAs("update chirp", ErrNotAuthor, sql.ErrNoRows)
			case !editor.IsChirpyRed:
				return Chirp{}, failAs("update chirp", ErrNotMember, sql.ErrNoRows)
			}
		}
		return Chirp{}, failAs("update chirp", ErrUnavailable, errors.New("the chirp or its author's membership kept changing"))
	})
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
// page, the next is read (except inside InTx, whose one connection cannot run
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
			if s.tx != nil {
				if !yield(r.page, nil) || !r.more {
					return
				}
				r = read(After(r.page[len(r.page)-1]))
				continue
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
