package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"

	"github.com/google/uuid"

	"chirpy/internal/chirp"
	"chirpy/internal/idempotency"
	"chirpy/internal/store"
)

var errChirpNotFound = notFound("Chirp not found")

func handleChirpsCreate(st *store.Store, b *bodies) userHandlerFunc {
	return func(w http.ResponseWriter, r *http.Request, userID uuid.UUID) error {
		key, keyed, err := idempotencyKey(r)
		if err != nil {
			return err
		}
		// The author is the token's subject; a user_id in the body is ignored.
		var req struct {
			Body string `json:"body"`
		}
		raw, err := b.readJSON(w, r, &req, maxChirpBytes)
		if err != nil {
			return err
		}
		body, err := chirp.Clean(req.Body)
		if err != nil {
			return err
		}
		if keyed {
			return answerOnce(w, r, st, idempotency.NewRequest(idempotency.UserScope(userID), key, raw), false,
				func(tx *store.Store) (idempotency.Answer, error) {
					c, err := createChirp(r.Context(), tx, userID, body)
					return idempotency.Answer{Status: http.StatusCreated, Body: newChirp(c).appendJSON(nil)}, err
				})
		}
		c, err := createChirp(r.Context(), st, userID, body)
		if err != nil {
			return err
		}
		writeChirp(w, http.StatusCreated, c)
		return nil
	}
}

func createChirp(ctx context.Context, st *store.Store, userID uuid.UUID, body string) (store.Chirp, error) {
	c, err := st.CreateChirp(ctx, userID, body)
	if errors.Is(err, store.ErrNotFound) {
		return c, errAccountGone
	}
	return c, err
}

func handleChirpsGet(st *store.Store) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		id, err := pathUUID(r, "chirpID")
		if err != nil {
			return err
		}
		c, err := st.Chirp(r.Context(), id)
		if errors.Is(err, store.ErrNotFound) {
			return errChirpNotFound
		}
		if err != nil {
			return err
		}
		writeChirp(w, http.StatusOK, c)
		return nil
	}
}

func handleChirpsDelete(st *store.Store) userHandlerFunc {
	return func(w http.ResponseWriter, r *http.Request, userID uuid.UUID) error {
		id, err := pathUUID(r, "chirpID")
		if err != nil {
			return err
		}
		// Someone else's chirp is chirp.ErrNotAuthor: 403.
		err = st.DeleteChirp(r.Context(), id, userID)
		if errors.Is(err, store.ErrNotFound) {
			return errChirpNotFound
		}
		if err != nil {
			return err
		}
		w.WriteHeader(http.StatusNoContent)
		return nil
	}
}

func handleChirpsUpdate(st *store.Store, b *bodies) userHandlerFunc {
	return func(w http.ResponseWriter, r *http.Request, userID uuid.UUID) error {
		id, err := pathUUID(r, "chirpID")
		if err != nil {
			return err
		}
		var req struct {
			Body string `json:"body"`
		}
		if _, err := b.readJSON(w, r, &req, maxChirpBytes); err != nil {
			return err
		}
		body, err := chirp.Clean(req.Body)
		if err != nil {
			return err
		}
		// Membership is read from the account now, not from the token, so a
		// downgrade takes effect at once. Someone else's chirp is
		// chirp.ErrNotAuthor, a non-member's edit chirp.ErrNotMember: 403.
		c, err := st.UpdateChirp(r.Context(), id, userID, body)
		if errors.Is(err, store.ErrNotFound) {
			return errChirpNotFound
		}
		if err != nil {
			return err
		}
		writeChirp(w, http.StatusOK, c)
		return nil
	}
}

// parseChirpFilter reads what GET /api/chirps was asked for.
func parseChirpFilter(query url.Values) (store.ChirpFilter, error) {
	var f store.ChirpFilter
	if s := query.Get("author_id"); s != "" {
		id, err := uuid.Parse(s)
		if err != nil {
			return f, badRequest("Query parameter \"author_id\" must be a UUID")
		}
		f.Author = uuid.NullUUID{UUID: id, Valid: true}
	}
	switch query.Get("sort") {
	case "", "asc":
	case "desc":
		f.Desc = true
	default:
		return f, badRequest("Query parameter \"sort\" must be \"asc\" or \"desc\"")
	}
	return f, nil
}

// listPageSize is how many chirps the list reads at a time: it bounds the
// memory a list takes, whatever its length.
const listPageSize = 1000

// flushBytes is how much of a list is gathered before it is written out.
const flushBytes = 32 << 10

// maxListStreams bounds the whole lists streamed at once: each holds up to
// two pages while its client reads, however slowly.
const maxListStreams = 32

// handleChirpsList answers the course's whole list, or, given limit, one
// page of it (writeChirpPage). The whole list is streamed page by page
// (store.ChirpPages reads the next page while this one is written), so the
// server holds at most two pages a list however many chirps there are, and
// at most maxListStreams lists at once (a request waits for its turn within
// its deadline, then gets 503).
func handleChirpsList(st *store.Store, logger *slog.Logger) handlerFunc {
	streams := make(chan struct{}, maxListStreams)
	return func(w http.ResponseWriter, r *http.Request) error {
		query, err := url.ParseQuery(r.URL.RawQuery)
		if err != nil {
			return badRequest("The query string is malformed")
		}
		f, err := parseChirpFilter(query)
		if err != nil {
			return err
		}
		if query.Has("limit") || query.Has("cursor") {
			return writeChirpPage(w, r, st, f, query)
		}
		select {
		case streams <- struct{}{}:
			defer func() { <-streams }()
		case <-r.Context().Done():
			return unavailable(fmt.Errorf("wait for a list stream: %w", r.Context().Err()))
		}
		// Not bound by the request's deadline: a long list may take longer
		// than that, and each page has a deadline of its own.
		ctx := context.WithoutCancel(r.Context())
		buf := make([]byte, 0, flushBytes+1024)
		n := 0
		started := false
		var failed error
		for page, err := range st.ChirpPages(ctx, f, listPageSize) {
			if err != nil {
				failed = err
				break
			}
			if !started {
				// The first page is in: from here on the answer is a 200.
				w.Header()["Content-Type"] = jsonContentType
				w.WriteHeader(http.StatusOK)
				buf = append(buf, '[')
				started = true
			}
			for _, c := range page {
				if n > 0 {
					buf = append(buf, ',')
				}
				n++
				buf = newChirp(c).appendJSON(buf)
				if len(buf) >= flushBytes {
					if _, err := w.Write(buf); err != nil {
						return nil // the client went away; ending the loop stops the read-ahead
					}
					buf = buf[:0]
				}
			}
		}
		switch {
		case failed != nil && !started:
			return failed
		case failed != nil:
			// The status is sent; all that is left is to make sure the
			// client cannot take the truncated list for a whole one.
			logger.Error("list chirps: page failed after the response began",
				"request_id", requestID(r.Context()), "chirps_sent", n, "error", failed)
			panic(http.ErrAbortHandler)
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
