package main

import (
	"net/http"
	"strings"
	"testing"
)

// fingerprint is a digest of every row the API can change.
func (s *testServer) fingerprint(t *testing.T) string {
	t.Helper()
	var fp string
	err := s.DB.QueryRow(`SELECT md5(concat_ws('#',
		(SELECT string_agg(u::text, '|' ORDER BY id) FROM users u),
		(SELECT string_agg(c::text, '|' ORDER BY id) FROM chirps c),
		(SELECT string_agg(r::text, '|' ORDER BY token) FROM refresh_tokens r),
		(SELECT string_agg(w::text, '|' ORDER BY id) FROM webhook_inbox w)))`).Scan(&fp)
	if err != nil {
		t.Fatal(err)
	}
	return fp
}

// Every kind of bad input gets a clear 4xx JSON error and changes nothing.
func TestBadInputChangesNothing(t *testing.T) {
	t.Parallel()
	s := startServer(t, nil)
	walt := s.signUp(t, "walt@breakingbad.com", "123456")
	s.signUp(t, "saul@bettercall.com", "123456")
	c := s.postChirp(t, walt.Token, "Say my name")
	auth := bearer(walt.Token)
	huge := `{"email": "` + strings.Repeat("x", 1<<20) + `", "password": "p"}`

	cases := []struct {
		name        string
		method      string
		path        string
		body        any
		header      []string
		status      int
		msgContains string
	}{
		// One JSON decoding path for every endpoint.
		{"malformed JSON", "POST", "/api/users", `{"email": "jesse@x.com", "password": }`, nil, 400, "at character"},
		{"truncated JSON", "POST", "/api/users", `{"email": "jesse@x.com"`, nil, 400, "malformed"},
		{"wrong type", "POST", "/api/users", `{"email": 42, "password": "p"}`, nil, 400, `"email"`},
		{"array body", "POST", "/api/users", `[]`, nil, 400, "JSON object"},
		{"empty body", "POST", "/api/users", ``, nil, 400, "empty"},
		{"two values", "POST", "/api/users", `{"email": "jesse@x.com", "password": "p"} {}`, nil, 400, "single JSON value"},
		{"trailing garbage", "POST", "/api/users", `{"email": "jesse@x.com", "password": "p"}}`, nil, 400, "single JSON value"},
		{"over 1 MiB", "POST", "/api/users", huge, nil, 413, "larger than"},
		{"over 1 MiB, chirp", "POST", "/api/chirps", `{"body": "` + strings.Repeat("x", 1<<20) + `"}`, auth, 413, "larger than"},
		// Users.
		{"no email", "POST", "/api/users", `{"password": "p"}`, nil, 400, "email"},
		{"empty password", "POST", "/api/users", `{"email": "jesse@x.com", "password": ""}`, nil, 400, "password"},
		{"not an email", "POST", "/api/users", `{"email": "jesse", "password": "p"}`, nil, 400, "email"},
		{"password over 1 KiB", "POST", "/api/users", `{"email": "jesse@x.com", "password": "` + strings.Repeat("p", 1025) + `"}`, nil, 400, "password"},
		{"email taken", "POST", "/api/users", `{"email": "walt@breakingbad.com", "password": "p"}`, nil, 409, "already"},
		{"email taken, other case", "POST", "/api/users", `{"email": "SAUL@bettercall.com", "password": "p"}`, nil, 409, "already"},
		{"update: email taken", "PUT", "/api/users", `{"email": "saul@bettercall.com", "password": "p"}`, auth, 409, "already"},
		{"update: no password", "PUT", "/api/users", `{"email": "walter@breakingbad.com"}`, auth, 400, "password"},
		{"update: malformed", "PUT", "/api/users", `{`, auth, 400, "malformed"},
		{"login: no password", "POST", "/api/login", `{"email": "walt@breakingbad.com"}`, nil, 400, "password"},
		{"login: wrong type", "POST", "/api/login", `{"email": ["walt@breakingbad.com"], "password": "123456"}`, nil, 400, `"email"`},
		// Chirps.
		{"empty chirp", "POST", "/api/chirps", `{"body": ""}`, auth, 400, "empty"},
		{"no chirp body", "POST", "/api/chirps", `{}`, auth, 400, "empty"},
		{"spaces only", "POST", "/api/chirps", `{"body": "   "}`, auth, 400, "empty"},
		{"141 characters", "POST", "/api/chirps", `{"body": "` + strings.Repeat("é", 141) + `"}`, auth, 400, "Chirp is too long"},
		{"NUL in chirp", "POST", "/api/chirps", `{"body": "a\u0000b"}`, auth, 400, "NUL"},
		{"chirp body a number", "POST", "/api/chirps", `{"body": 7}`, auth, 400, `"body"`},
		{"bad sort", "GET", "/api/chirps?sort=sideways", nil, nil, 400, "sort"},
		{"bad author_id", "GET", "/api/chirps?author_id=walt", nil, nil, 400, "author_id"},
		{"bad chirp id", "GET", "/api/chirps/42", nil, nil, 400, "UUID"},
		{"delete: bad chirp id", "DELETE", "/api/chirps/42", nil, auth, 400, "UUID"},
		{"delete: someone else's", "DELETE", "/api/chirps/" + c.ID, nil, bearer(s.signUp(t, "jesse@x.com", "p").Token), 403, "own"},
		// Webhooks.
		{"webhook: bad user id", "POST", hookPath, `{"event": "user.upgraded", "data": {"user_id": "walt"}}`, apiKey(polkaKey), 400, "user_id"},
		{"webhook: malformed", "POST", hookPath, `{"event": `, apiKey(polkaKey), 400, "malformed"},
	}
	for _, tc := range cases {
		before := s.fingerprint(t)
		r := s.req(t, tc.method, tc.path, tc.body, tc.header...)
		if r.Status != tc.status {
			t.Errorf("%s: status %d, want %d; body %.200s", tc.name, r.Status, tc.status, r.Body)
			continue
		}
		if msg := r.errorMessage(t); !strings.Contains(msg, tc.msgContains) {
			t.Errorf("%s: error %q does not mention %q", tc.name, msg, tc.msgContains)
		}
		if after := s.fingerprint(t); after != before {
			t.Errorf("%s: the database changed", tc.name)
		}
	}

	// The limits are on characters: 140 of them, however many bytes.
	s.postChirp(t, walt.Token, strings.Repeat("🐦", 140))
	// Passwords may be short, as course clients send them.
	s.req(t, "POST", "/api/users", map[string]string{"email": "skyler@x.com", "password": "1"}).expect(t, http.StatusCreated)
}
