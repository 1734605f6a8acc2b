package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
)

func TestCreateChirp(t *testing.T) {
	t.Parallel()
	s := startServer(t, nil)
	walt := s.signUp(t, "walt@breakingbad.com", "123456")
	body := map[string]string{"body": "I'm the one who knocks!"}

	s.req(t, "POST", "/api/chirps", body).expect(t, http.StatusUnauthorized).errorMessage(t)
	s.req(t, "POST", "/api/chirps", body, bearer(walt.RefreshToken)...).expect(t, http.StatusUnauthorized)
	s.req(t, "POST", "/api/chirps", body, bearer("badToken")...).expect(t, http.StatusUnauthorized)

	long := s.req(t, "POST", "/api/chirps", map[string]string{"body": strings.Repeat("a", 141)}, bearer(walt.Token)...).expect(t, http.StatusBadRequest)
	if msg := long.errorMessage(t); msg != "Chirp is too long" {
		t.Errorf("error = %q, want the course's \"Chirp is too long\"", msg)
	}
	s.postChirp(t, walt.Token, strings.Repeat("a", 140))
	// Text Postgres cannot store is the client's mistake, not a 500.
	s.req(t, "POST", "/api/chirps", `{"body": "a\u0000b"}`, bearer(walt.Token)...).expect(t, http.StatusBadRequest).errorMessage(t)

	// The author is the token's subject, whatever the body says.
	saul := s.signUp(t, "saul@bettercall.com", "123456")
	c := decode[chirpJSON](t, s.req(t, "POST", "/api/chirps", map[string]string{"body": "hi", "user_id": saul.ID}, bearer(walt.Token)...).expect(t, http.StatusCreated))
	if c.UserID != walt.ID || !uuidPattern.MatchString(c.ID) || c.Body != "hi" {
		t.Fatalf("chirp = %+v, want author %s", c, walt.ID)
	}
	checkUTCTime(t, "created_at", c.CreatedAt)
	checkUTCTime(t, "updated_at", c.UpdatedAt)
}

func TestChirpProfanity(t *testing.T) {
	t.Parallel()
	s := startServer(t, nil)
	walt := s.signUp(t, "walt@breakingbad.com", "123456")
	for in, want := range map[string]string{
		"I really need a kerfuffle to go to bed sooner, Fornax !":           "I really need a **** to go to bed sooner, **** !",
		"I hear Mastodon is better than Chirpy. sharbert I need to migrate": "I hear Mastodon is better than Chirpy. **** I need to migrate",
		"I had something interesting for breakfast":                         "I had something interesting for breakfast",
		"Sharbert!":                        "Sharbert!",
		"kerfuffles and KERFUFFLE  fornax": "kerfuffles and ****  ****",
	} {
		c := s.postChirp(t, walt.Token, in)
		if c.Body != want {
			t.Errorf("POST %q: body %q, want %q", in, c.Body, want)
		}
		// What is stored is what was returned.
		got := decode[chirpJSON](t, s.req(t, "GET", "/api/chirps/"+c.ID, nil).expect(t, http.StatusOK))
		if got.Body != want {
			t.Errorf("GET after POST %q: body %q, want %q", in, got.Body, want)
		}
	}
}

func ids(cs []chirpJSON) []string {
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = c.ID
	}
	return out
}

func reversed(s []string) []string {
	out := make([]string, len(s))
	for i, v := range s {
		out[len(s)-1-i] = v
	}
	return out
}

func TestListChirps(t *testing.T) {
	t.Parallel()
	s := startServer(t, nil)

	empty := s.req(t, "GET", "/api/chirps", nil).expect(t, http.StatusOK)
	if strings.TrimSpace(string(empty.Body)) != "[]" {
		t.Fatalf("empty list = %s, want []", empty.Body)
	}

	walt := s.signUp(t, "walt@breakingbad.com", "123456")
	saul := s.signUp(t, "saul@bettercall.com", "123456")
	var all, walts, sauls []string
	for i := range 6 {
		who, list := walt, &walts
		if i%2 == 1 {
			who, list = saul, &sauls
		}
		c := s.postChirp(t, who.Token, fmt.Sprintf("chirp %d", i))
		all = append(all, c.ID)
		*list = append(*list, c.ID)
	}

	check := func(query string, want []string) {
		t.Helper()
		r := s.req(t, "GET", "/api/chirps"+query, nil).expect(t, http.StatusOK)
		if ct := r.Header.Get("Content-Type"); ct != "application/json" {
			t.Errorf("GET %s: Content-Type %q", query, ct)
		}
		got := ids(decode[[]chirpJSON](t, r))
		if strings.Join(got, ",") != strings.Join(want, ",") {
			t.Errorf("GET /api/chirps%s = %v, want %v", query, got, want)
		}
	}
	check("", all)
	check("?sort=asc", all)
	check("?sort=desc", reversed(all))
	check("?author_id="+walt.ID, walts)
	check("?author_id="+saul.ID+"&sort=desc", reversed(sauls))
	check("?sort=desc&author_id="+walt.ID, reversed(walts))
	check("?author_id=8a0e3bb6-1a0d-4b38-8e6c-4a4b7e1e2f00", nil)
	// The nil UUID is an author like any other (who has no chirps), not "all".
	check("?author_id=00000000-0000-0000-0000-000000000000", nil)
}

// A list longer than one page comes out whole, in order, with no chirp twice,
// including chirps that share a creation time across a page boundary.
func TestListChirpsAcrossPages(t *testing.T) {
	t.Parallel()
	s := startServer(t, nil)
	walt := s.signUp(t, "walt@breakingbad.com", "123456")
	const n = 2345
	// Groups of 7 chirps share a timestamp, so page boundaries fall inside
	// groups and only the id orders them.
	_, err := s.DB.Exec(`
		INSERT INTO chirps (body, user_id, created_at, updated_at)
		SELECT 'chirp ' || i, $1, timestamptz '2026-01-01' + (i / 7) * interval '1 second', now()
		FROM generate_series(1, $2) AS i`, walt.ID, n)
	if err != nil {
		t.Fatal(err)
	}
	var wantAsc []string
	rows, err := s.DB.Query(`SELECT id FROM chirps ORDER BY created_at, id`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		wantAsc = append(wantAsc, id)
	}
	rows.Close()

	for _, tc := range []struct {
		query string
		want  []string
	}{
		{"", wantAsc},
		{"?sort=desc", reversed(wantAsc)},
		{"?author_id=" + walt.ID, wantAsc},
		{"?author_id=" + walt.ID + "&sort=desc", reversed(wantAsc)},
	} {
		got := ids(decode[[]chirpJSON](t, s.req(t, "GET", "/api/chirps"+tc.query, nil).expect(t, http.StatusOK)))
		if len(got) != n || strings.Join(got, ",") != strings.Join(tc.want, ",") {
			t.Errorf("GET /api/chirps%s: %d chirps, not the %d expected in order", tc.query, len(got), n)
		}
	}
}

func TestGetChirp(t *testing.T) {
	t.Parallel()
	s := startServer(t, nil)
	walt := s.signUp(t, "walt@breakingbad.com", "123456")
	c := s.postChirp(t, walt.Token, "Say my name")

	got := decode[chirpJSON](t, s.req(t, "GET", "/api/chirps/"+c.ID, nil).expect(t, http.StatusOK))
	if got != c {
		t.Fatalf("GET = %+v, want %+v", got, c)
	}
	s.req(t, "GET", "/api/chirps/8a0e3bb6-1a0d-4b38-8e6c-4a4b7e1e2f00", nil).expect(t, http.StatusNotFound).errorMessage(t)
	s.req(t, "GET", "/api/chirps/not-a-uuid", nil).expect(t, http.StatusBadRequest).errorMessage(t)
}

func TestDeleteChirp(t *testing.T) {
	t.Parallel()
	s := startServer(t, nil)
	walt := s.signUp(t, "walt@breakingbad.com", "123456")
	saul := s.signUp(t, "saul@bettercall.com", "123456")
	c := s.postChirp(t, walt.Token, "I am the danger")
	path := "/api/chirps/" + c.ID

	s.req(t, "DELETE", path, nil).expect(t, http.StatusUnauthorized).errorMessage(t)
	s.req(t, "DELETE", path, nil, bearer(saul.Token)...).expect(t, http.StatusForbidden).errorMessage(t)
	s.req(t, "GET", path, nil).expect(t, http.StatusOK) // still there

	r := s.req(t, "DELETE", path, nil, bearer(walt.Token)...).expect(t, http.StatusNoContent)
	if len(r.Body) != 0 {
		t.Errorf("204 with body %q", r.Body)
	}
	s.req(t, "GET", path, nil).expect(t, http.StatusNotFound)
	s.req(t, "DELETE", path, nil, bearer(walt.Token)...).expect(t, http.StatusNotFound)
	s.req(t, "DELETE", "/api/chirps/8a0e3bb6-1a0d-4b38-8e6c-4a4b7e1e2f00", nil, bearer(walt.Token)...).expect(t, http.StatusNotFound)
}

// The database fails after a long list has begun to stream: the status is
// sent, so the only honest answer left is to break the response, so that no
// client takes the truncated list for a complete one.
func TestListCutShortWhenTheDatabaseFails(t *testing.T) {
	t.Parallel()
	s, cluster := startServerOnOwnCluster(t)
	walt := s.signUp(t, "walt@breakingbad.com", "123456")
	if _, err := s.DB.Exec(`
		INSERT INTO chirps (body, user_id)
		SELECT 'a chirp long enough to fill the socket buffers quickly: ' || i, $1
		FROM generate_series(1, 50000) AS i`, walt.ID); err != nil {
		t.Fatal(err)
	}
	// Not s.req: the test reads a little of the answer and takes the
	// database away mid-answer; no whole exchange is there to check.
	res, err := http.Get(s.URL + "/api/chirps")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Fatalf("status %d", res.StatusCode)
	}
	// Take a little, so the server fills the connection and waits on it,
	// then take the database away.
	first := make([]byte, 4096)
	if _, err := io.ReadFull(res.Body, first); err != nil {
		t.Fatal(err)
	}
	if err := cluster.Stop(); err != nil {
		t.Fatal(err)
	}
	rest, err := io.ReadAll(res.Body)
	if err == nil {
		t.Fatalf("the list ended cleanly after %d bytes although the database went away", len(first)+len(rest))
	}
	if json.Valid(append(first, rest...)) {
		t.Fatal("the truncated list is valid JSON")
	}
}

// A Chirpy Red member edits their own chirps; nobody else edits them, and a
// member whose membership ends cannot any more, with the same token.
func TestUpdateChirp(t *testing.T) {
	t.Parallel()
	s := startServer(t, nil)
	walt := s.signUp(t, "walt@breakingbad.com", "123456")
	saul := s.signUp(t, "saul@bettercall.com", "123456")
	c := s.postChirp(t, walt.Token, "I am the danger")
	path := "/api/chirps/" + c.ID
	edit := map[string]string{"body": "I am the one who knocks, kerfuffle"}

	s.req(t, "PUT", path, edit).expect(t, http.StatusUnauthorized).errorMessage(t)
	s.req(t, "PUT", path, edit, bearer(walt.RefreshToken)...).expect(t, http.StatusUnauthorized)
	s.req(t, "PUT", path, edit, bearer("badToken")...).expect(t, http.StatusUnauthorized)
	if msg := s.req(t, "PUT", path, edit, bearer(walt.Token)...).expect(t, http.StatusForbidden).errorMessage(t); !strings.Contains(msg, "Chirpy Red") {
		t.Errorf("a non-member's edit: %q, want it to say Chirpy Red", msg)
	}

	s.req(t, "POST", hookPath, upgraded(walt.ID), apiKey(polkaKey)...).expect(t, http.StatusNoContent)
	s.req(t, "POST", hookPath, upgraded(saul.ID), apiKey(polkaKey)...).expect(t, http.StatusNoContent)
	if msg := s.req(t, "PUT", path, edit, bearer(saul.Token)...).expect(t, http.StatusForbidden).errorMessage(t); !strings.Contains(msg, "own") {
		t.Errorf("a member's edit of another's chirp: %q, want it to say only your own", msg)
	}
	s.req(t, "PUT", "/api/chirps/not-a-uuid", edit, bearer(walt.Token)...).expect(t, http.StatusBadRequest).errorMessage(t)
	s.req(t, "PUT", "/api/chirps/8a0e3bb6-1a0d-4b38-8e6c-4a4b7e1e2f00", edit, bearer(walt.Token)...).expect(t, http.StatusNotFound).errorMessage(t)
	long := s.req(t, "PUT", path, map[string]string{"body": strings.Repeat("a", 141)}, bearer(walt.Token)...).expect(t, http.StatusBadRequest)
	if msg := long.errorMessage(t); msg != "Chirp is too long" {
		t.Errorf("error = %q, want \"Chirp is too long\"", msg)
	}
	s.req(t, "PUT", path, map[string]string{"body": "  "}, bearer(walt.Token)...).expect(t, http.StatusBadRequest)
	s.req(t, "PUT", path, `{"body": `, bearer(walt.Token)...).expect(t, http.StatusBadRequest)
	if got := decode[chirpJSON](t, s.req(t, "GET", path, nil).expect(t, http.StatusOK)); got != c {
		t.Fatalf("refused edits changed the chirp: %+v", got)
	}

	edited := decode[chirpJSON](t, s.req(t, "PUT", path, edit, bearer(walt.Token)...).expect(t, http.StatusOK))
	if edited.ID != c.ID || edited.CreatedAt != c.CreatedAt || edited.UserID != c.UserID || edited.Body != "I am the one who knocks, ****" {
		t.Fatalf("edited chirp %+v from %+v", edited, c)
	}
	checkUTCTime(t, "updated_at", edited.UpdatedAt)
	// As times, not text: RFC 3339 with trimmed fractions does not sort as
	// text ("…05.1Z" > "…05.12Z").
	if before, after := parseAPITime(t, c.UpdatedAt), parseAPITime(t, edited.UpdatedAt); !after.After(before) {
		t.Errorf("updated_at %s did not move from %s", edited.UpdatedAt, c.UpdatedAt)
	}
	if got := decode[chirpJSON](t, s.req(t, "GET", path, nil).expect(t, http.StatusOK)); got != edited {
		t.Fatalf("GET after the edit = %+v, want %+v", got, edited)
	}

	// The membership ends: the same token can no longer edit.
	s.req(t, "POST", hookPath, downgraded(walt.ID), apiKey(polkaKey)...).expect(t, http.StatusNoContent)
	s.req(t, "PUT", path, map[string]string{"body": "again"}, bearer(walt.Token)...).expect(t, http.StatusForbidden)
}

// nextLink returns the URL of a Link: <...>; rel="next" header, or "".
func nextLink(t *testing.T, r response) string {
	t.Helper()
	link := r.Header.Get("Link")
	if link == "" {
		return ""
	}
	target, params, ok := strings.Cut(link, ";")
	if !ok || strings.TrimSpace(params) != `rel="next"` || !strings.HasPrefix(target, "<") || !strings.HasSuffix(target, ">") {
		t.Fatalf("Link %q is not <URL>; rel=\"next\"", link)
	}
	return strings.Trim(target, "<>")
}

// Pages of the list, followed by their Link headers, are the whole list in
// order, each chirp once, including chirps that share a creation time across
// page boundaries.
func TestListChirpsInPages(t *testing.T) {
	t.Parallel()
	s := startServer(t, nil)
	walt := s.signUp(t, "walt@breakingbad.com", "123456")
	saul := s.signUp(t, "saul@bettercall.com", "123456")
	_, err := s.DB.Exec(`
		INSERT INTO chirps (body, user_id, created_at)
		SELECT 'chirp ' || i, CASE WHEN i % 3 = 0 THEN $2::uuid ELSE $1::uuid END,
		       timestamptz '2026-01-01' + (i / 4) * interval '1 second'
		FROM generate_series(1, 47) AS i`, walt.ID, saul.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, query := range []string{"", "?sort=desc", "?author_id=" + walt.ID, "?author_id=" + saul.ID + "&sort=desc", "?sort=asc"} {
		whole := ids(decode[[]chirpJSON](t, s.req(t, "GET", "/api/chirps"+query, nil).expect(t, http.StatusOK)))
		sep := "?"
		if query != "" {
			sep = "&"
		}
		var paged []string
		next := "/api/chirps" + query + sep + "limit=10"
		pages := 0
		for next != "" {
			r := s.req(t, "GET", next, nil).expect(t, http.StatusOK)
			page := decode[[]chirpJSON](t, r)
			if len(page) == 0 || len(page) > 10 {
				t.Fatalf("GET %s: a page of %d", next, len(page))
			}
			paged = append(paged, ids(page)...)
			next = nextLink(t, r)
			if next != "" && !strings.HasPrefix(next, "/api/chirps?") {
				t.Fatalf("next page %q is not on /api/chirps", next)
			}
			pages++
		}
		if strings.Join(paged, ",") != strings.Join(whole, ",") {
			t.Errorf("GET /api/chirps%s in pages: %d chirps, not the %d of the whole list in order", query, len(paged), len(whole))
		}
		if want := (len(whole) + 9) / 10; pages != want {
			t.Errorf("GET /api/chirps%s: %d pages, want %d", query, pages, want)
		}
	}

	// A page that holds the rest has no next; an empty list is one empty page.
	r := s.req(t, "GET", "/api/chirps?limit=1000", nil).expect(t, http.StatusOK)
	if n := len(decode[[]chirpJSON](t, r)); n != 47 || r.Header.Get("Link") != "" {
		t.Errorf("limit=1000: %d chirps, Link %q", n, r.Header.Get("Link"))
	}
	r = s.req(t, "GET", "/api/chirps?limit=5&author_id=8a0e3bb6-1a0d-4b38-8e6c-4a4b7e1e2f00", nil).expect(t, http.StatusOK)
	if strings.TrimSpace(string(r.Body)) != "[]" || r.Header.Get("Link") != "" {
		t.Errorf("empty page: %s, Link %q", r.Body, r.Header.Get("Link"))
	}

	first := s.req(t, "GET", "/api/chirps?limit=10&sort=desc", nil).expect(t, http.StatusOK)
	next := nextLink(t, first)
	cursor := next[strings.Index(next, "cursor=")+len("cursor="):]
	cursor, _, _ = strings.Cut(cursor, "&")
	for _, bad := range []string{
		"limit=0", "limit=1001", "limit=-1", "limit=ten", "limit=", "limit=1e2", "limit=+5",
		"cursor=" + cursor, // a cursor goes with a limit
		"limit=10&cursor=garbage",
		"limit=10&cursor=" + cursor[:len(cursor)-2],
		"limit=10&sort=asc&cursor=" + cursor, // the cursor is of the newest-first list
		"limit=10&sort=desc&author_id=" + walt.ID + "&cursor=" + cursor,
	} {
		s.req(t, "GET", "/api/chirps?"+bad, nil).expect(t, http.StatusBadRequest).errorMessage(t)
	}
}
