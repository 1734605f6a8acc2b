package server

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/google/uuid"

	"chirpy/internal/chirp"
	"chirpy/internal/database"
	"chirpy/internal/postgres"
)

func handleChirpsCreate(q *database.Queries, secret []byte) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		userID, err := authenticate(r, secret)
		if err != nil {
			return err
		}
		// The author is the token's subject; a user_id in the body is ignored.
		var req struct {
			Body string `json:"body"`
		}
		if err := readJSON(w, r, &req, maxBodyBytes); err != nil {
			return err
		}
		body, err := chirp.Clean(req.Body)
		if err != nil {
			return err
		}
		c, err := q.CreateChirp(r.Context(), database.CreateChirpParams{Body: body, UserID: userID})
		if postgres.IsForeignKeyViolation(err) {
			return unauthorized("Bearer", "The account of this token no longer exists")
		}
		if err != nil {
			return fmt.Errorf("create chirp: %w", err)
		}
		writeChirp(w, http.StatusCreated, c)
		return nil
	}
}

func handleChirpsGet(q *database.Queries) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		id, err := pathUUID(r, "chirpID")
		if err != nil {
			return err
		}
		c, err := q.GetChirp(r.Context(), id)
		if errors.Is(err, sql.ErrNoRows) {
			return errChirpNotFound
		}
		if err != nil {
			return fmt.Errorf("get chirp: %w", err)
		}
		writeChirp(w, http.StatusOK, c)
		return nil
	}
}

var errChirpNotFound = notFound("Chirp not found")

func handleChirpsDelete(q *database.Queries, secret []byte) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		userID, err := authenticate(r, secret)
		if err != nil {
			return err
		}
		id, err := pathUUID(r, "chirpID")
		if err != nil {
			return err
		}
		ctx := r.Context()
		// One round trip when the author deletes; a second one only to tell
		// "someone else's" from "no such chirp".
		_, err = q.DeleteChirp(ctx, database.DeleteChirpParams{ID: id, UserID: userID})
		if errors.Is(err, sql.ErrNoRows) {
			author, err := q.GetChirpAuthor(ctx, id)
			switch {
			case errors.Is(err, sql.ErrNoRows):
				return errChirpNotFound
			case err != nil:
				return fmt.Errorf("get chirp author: %w", err)
			case author != userID:
				return forbidden("You can only delete your own chirps")
			}
			// The author's own chirp, deleted by a concurrent request.
			return errChirpNotFound
		}
		if err != nil {
			return fmt.Errorf("delete chirp: %w", err)
		}
		w.WriteHeader(http.StatusNoContent)
		return nil
	}
}

// listPageSize is how many chirps each query of a list returns. It bounds the
// memory a list takes, whatever its length. Each query asks for one more, to
// know without another query whether a next page exists.
const listPageSize = 1000

// chirpList is what GET /api/chirps was asked for.
type chirpList struct {
	author    uuid.UUID
	hasAuthor bool // false: every author's chirps
	desc      bool
}

func parseChirpList(r *http.Request) (chirpList, error) {
	var l chirpList
	query := r.URL.Query()
	if s := query.Get("author_id"); s != "" {
		id, err := uuid.Parse(s)
		if err != nil {
			return l, badRequest("Query parameter \"author_id\" must be a UUID")
		}
		l.author, l.hasAuthor = id, true
	}
	switch query.Get("sort") {
	case "", "asc":
	case "desc":
		l.desc = true
	default:
		return l, badRequest("Query parameter \"sort\" must be \"asc\" or \"desc\"")
	}
	return l, nil
}

// cursor is the (created_at, id) of the last chirp read, or a bound before the
// first one.
type cursor struct {
	createdAt time.Time
	id        uuid.UUID
}

func (l chirpList) start() cursor {
	if l.desc {
		return cursor{time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC), uuid.Max}
	}
	return cursor{time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC), uuid.Nil}
}

// page reads the chirps after c within base, with a deadline of its own: a
// long list may take longer than one request's deadline, but no single page
// should.
func (l chirpList) page(base context.Context, q *database.Queries, c cursor) ([]database.Chirp, error) {
	ctx, cancel := context.WithTimeout(base, requestTimeout)
	defer cancel()
	switch {
	case !l.hasAuthor && !l.desc:
		return q.ListChirpsAsc(ctx, database.ListChirpsAscParams{AfterCreatedAt: c.createdAt, AfterID: c.id, PageSize: listPageSize + 1})
	case !l.hasAuthor && l.desc:
		return q.ListChirpsDesc(ctx, database.ListChirpsDescParams{BeforeCreatedAt: c.createdAt, BeforeID: c.id, PageSize: listPageSize + 1})
	case !l.desc:
		return q.ListChirpsByAuthorAsc(ctx, database.ListChirpsByAuthorAscParams{UserID: l.author, AfterCreatedAt: c.createdAt, AfterID: c.id, PageSize: listPageSize + 1})
	default:
		return q.ListChirpsByAuthorDesc(ctx, database.ListChirpsByAuthorDescParams{UserID: l.author, BeforeCreatedAt: c.createdAt, BeforeID: c.id, PageSize: listPageSize + 1})
	}
}

// flushBytes is how much of a list is gathered before it is written out.
const flushBytes = 32 << 10

type pageResult struct {
	chirps []database.Chirp
	err    error
}

// handleChirpsList streams the list page by page, so the server holds at most
// two pages however many chirps there are: while one page is written out, the
// next is read from the database.
func handleChirpsList(q *database.Queries, logger *slog.Logger) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		list, err := parseChirpList(r)
		if err != nil {
			return err
		}
		// Pages are read within base: not bound by the request's deadline,
		// but ended when this handler returns, so a page read ahead for a
		// client that went away does not hold a connection.
		base, stop := context.WithCancel(context.WithoutCancel(r.Context()))
		defer stop()
		page, err := list.page(base, q, list.start())
		if err != nil {
			return fmt.Errorf("list chirps: %w", err)
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusOK)

		// next receives the page being read ahead; its buffer means the
		// reading goroutine never blocks, even if this handler has returned.
		next := make(chan pageResult, 1)
		buf := make([]byte, 0, flushBytes+1024)
		buf = append(buf, '[')
		n := 0
		for {
			more := len(page) > listPageSize
			if more {
				page = page[:listPageSize]
				last := page[len(page)-1]
				go func() {
					chirps, err := list.page(base, q, cursor{last.CreatedAt, last.ID})
					next <- pageResult{chirps, err}
				}()
			}
			for _, c := range page {
				if n > 0 {
					buf = append(buf, ',')
				}
				n++
				buf = appendChirp(buf, c)
				if len(buf) >= flushBytes {
					if _, err := w.Write(buf); err != nil {
						return nil // the client went away
					}
					buf = buf[:0]
				}
			}
			if !more {
				break
			}
			res := <-next
			page, err = res.chirps, res.err
			if err != nil {
				// The status is sent; all that is left is to make sure the
				// client cannot take the truncated list for a whole one.
				logger.Error("list chirps: page failed after the response began",
					"request_id", requestID(r.Context()), "chirps_sent", n, "error", err)
				panic(http.ErrAbortHandler)
			}
		}
		buf = append(buf, ']')
		w.Write(buf)
		return nil
	}
}

// pathUUID parses the path value name as a UUID.
func pathUUID(r *http.Request, name string) (uuid.UUID, error) {
	id, err := uuid.Parse(r.PathValue(name))
	if err != nil {
		return uuid.Nil, badRequest("%q is not a valid id (a UUID)", r.PathValue(name))
	}
	return id, nil
}
