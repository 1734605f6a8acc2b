package server

import (
	"encoding/base64"
	"encoding/binary"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/google/uuid"

	"chirpy/internal/store"
)

// Pages of GET /api/chirps: ?limit=N (1 to maxPageLimit) answers at most N
// chirps, and, when more follow, a Link header to the next page whose opaque
// cursor says where the page ends and which list it belongs to. Pages are
// keyed on (created_at, id), so a page deep in the list costs what the first
// one does.

const maxPageLimit = 1000

func writeChirpPage(w http.ResponseWriter, r *http.Request, st *store.Store, f store.ChirpFilter, query url.Values) error {
	limit, err := parseLimit(query)
	if err != nil {
		return err
	}
	var after store.Cursor
	if query.Has("cursor") {
		c, err := decodeCursor(query.Get("cursor"))
		if err != nil {
			return badRequest("Query parameter \"cursor\" is not one this server made; take it from a Link header")
		}
		if c.filter != f {
			return badRequest("Query parameter \"cursor\" belongs to a list with other author_id or sort; keep them as in the Link header")
		}
		after = c.after
	}
	page, more, err := st.ChirpPage(r.Context(), f, after, limit)
	if err != nil {
		return err
	}
	if more {
		next := url.Values{}
		for _, k := range []string{"author_id", "sort"} {
			if query.Has(k) {
				next.Set(k, query.Get(k))
			}
		}
		next.Set("limit", strconv.Itoa(limit))
		next.Set("cursor", pageCursor{filter: f, after: store.After(page[len(page)-1])}.encode())
		w.Header().Set("Link", "<"+r.URL.Path+"?"+next.Encode()+`>; rel="next"`)
	}
	buf := make([]byte, 0, 256*len(page)+2)
	buf = append(buf, '[')
	for i, c := range page {
		if i > 0 {
			buf = append(buf, ',')
		}
		buf = newChirp(c).appendJSON(buf)
	}
	buf = append(buf, ']')
	writeJSONBytes(w, http.StatusOK, buf)
	return nil
}

// parseLimit reads ?limit, which must be given, in decimal digits.
func parseLimit(query url.Values) (int, error) {
	s := query.Get("limit")
	bad := badRequest("Query parameter \"limit\" must be a whole number from 1 to %d", maxPageLimit)
	if !query.Has("limit") {
		return 0, badRequest("Query parameter \"cursor\" goes with \"limit\"")
	}
	if len(s) == 0 || len(s) > 4 {
		return 0, bad
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, bad
		}
	}
	n, _ := strconv.Atoi(s)
	if n < 1 || n > maxPageLimit {
		return 0, bad
	}
	return n, nil
}

// pageCursor is where a page ends, and the list it belongs to.
type pageCursor struct {
	filter store.ChirpFilter
	after  store.Cursor
}

// The cursor's bytes: a version, flags, the author if any, then the last
// chirp's created_at (Unix microseconds, PostgreSQL's precision) and id;
// base64url without padding.
const (
	cursorVersion = 1
	flagDesc      = 1 << 0
	flagAuthor    = 1 << 1
)

var errBadCursor = errors.New("bad cursor")

func (c pageCursor) encode() string {
	b := make([]byte, 0, 2+16+8+16)
	var flags byte
	if c.filter.Desc {
		flags |= flagDesc
	}
	if c.filter.Author.Valid {
		flags |= flagAuthor
	}
	b = append(b, cursorVersion, flags)
	if c.filter.Author.Valid {
		b = append(b, c.filter.Author.UUID[:]...)
	}
	b = binary.BigEndian.AppendUint64(b, uint64(c.after.CreatedAt.UnixMicro()))
	b = append(b, c.after.ID[:]...)
	return base64.RawURLEncoding.EncodeToString(b)
}

func decodeCursor(s string) (pageCursor, error) {
	var c pageCursor
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil || len(b) < 2 || b[0] != cursorVersion || b[1]&^(flagDesc|flagAuthor) != 0 {
		return c, errBadCursor
	}
	flags, b := b[1], b[2:]
	c.filter.Desc = flags&flagDesc != 0
	if flags&flagAuthor != 0 {
		if len(b) < 16 {
			return c, errBadCursor
		}
		c.filter.Author = uuid.NullUUID{UUID: uuid.UUID(b[:16]), Valid: true}
		b = b[16:]
	}
	if len(b) != 8+16 {
		return c, errBadCursor
	}
	c.after.CreatedAt = time.UnixMicro(int64(binary.BigEndian.Uint64(b[:8]))).UTC()
	c.after.ID = uuid.UUID(b[8:])
	return c, nil
}
