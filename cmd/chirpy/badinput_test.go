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
		name   string
		method string
		path   string
		body   any
		header []string
		status int
		msg    string // exact: a substring cannot tell "required" from "invalid"
	}{
		// One JSON decoding path for every endpoint.
		{"malformed JSON", "POST", "/api/users", `{"email": "jesse@x.com", "password": }`, nil, 400, "Request body contains malformed JSON (at character 38)"},
		{"truncated JSON", "POST", "/api/users", `{"email": "jesse@x.com"`, nil, 400, "Request body contains malformed JSON"},
		{"wrong type", "POST", "/api/users", `{"email": 42, "password": "p"}`, nil, 400, `Request body has the wrong JSON type for field "email" (got number)`},
		{"array body", "POST", "/api/users", `[]`, nil, 400, "Request body must be a JSON object (got array)"},
		{"empty body", "POST", "/api/users", ``, nil, 400, "Request body must not be empty"},
		{"two values", "POST", "/api/users", `{"email": "jesse@x.com", "password": "p"} {}`, nil, 400, "Request body must contain a single JSON value"},
		{"trailing garbage", "POST", "/api/users", `{"email": "jesse@x.com", "password": "p"}}`, nil, 400, "Request body must contain a single JSON value"},
		{"over 1 MiB", "POST", "/api/users", huge, nil, 413, "Request body must not be larger than 8192 bytes"},
		{"over 1 MiB, chirp", "POST", "/api/chirps", `{"body": "` + strings.Repeat("x", 1<<20) + `"}`, auth, 413, "Request body must not be larger than 8192 bytes"},
		// Users.
		{"no email", "POST", "/api/users", `{"password": "p"}`, nil, 400, `Field "email" is required`},
		{"empty password", "POST", "/api/users", `{"email": "jesse@x.com", "password": ""}`, nil, 400, `Field "password" is required`},
		{"not an email", "POST", "/api/users", `{"email": "jesse", "password": "p"}`, nil, 400, `Field "email" must be an email address such as walt@breakingbad.com`},
		{"password over 1 KiB", "POST", "/api/users", `{"email": "jesse@x.com", "password": "` + strings.Repeat("p", 1025) + `"}`, nil, 400, `Field "password" must not be longer than 1024 bytes`},
		{"email taken", "POST", "/api/users", `{"email": "walt@breakingbad.com", "password": "p"}`, nil, 409, "An account with this email already exists"},
		{"email taken, other case", "POST", "/api/users", `{"email": "SAUL@bettercall.com", "password": "p"}`, nil, 409, "An account with this email already exists"},
		{"update: email taken", "PUT", "/api/users", `{"email": "saul@bettercall.com", "password": "p"}`, auth, 409, "An account with this email already exists"},
		{"update: no password", "PUT", "/api/users", `{"email": "walter@breakingbad.com"}`, auth, 400, `Field "password" is required`},
		{"update: malformed", "PUT", "/api/users", `{`, auth, 400, "Request body contains malformed JSON"},
		{"login: no password", "POST", "/api/login", `{"email": "walt@breakingbad.com"}`, nil, 400, `Field "password" is required`},
		{"login: wrong type", "POST", "/api/login", `{"email": ["walt@breakingbad.com"], "password": "123456"}`, nil, 400, `Request body has the wrong JSON type for field "email" (got array)`},
		// Chirps.
		{"empty chirp", "POST", "/api/chirps", `{"body": ""}`, auth, 400, "Chirp is empty"},
		{"no chirp body", "POST", "/api/chirps", `{}`, auth, 400, "Chirp is empty"},
		{"spaces only", "POST", "/api/chirps", `{"body": "   "}`, auth, 400, "Chirp is empty"},
		{"141 characters", "POST", "/api/chirps", `{"body": "` + strings.Repeat("é", 141) + `"}`, auth, 400, "Chirp is too long"},
		{"NUL in chirp", "POST", "/api/chirps", `{"body": "a\u0000b"}`, auth, 400, "Chirp must not contain NUL characters"},
		{"chirp body a number", "POST", "/api/chirps", `{"body": 7}`, auth, 400, `Request body has the wrong JSON type for field "body" (got number)`},
		{"bad sort", "GET", "/api/chirps?sort=sideways", nil, nil, 400, `Query parameter "sort" must be "asc" or "desc"`},
		{"bad author_id", "GET", "/api/chirps?author_id=walt", nil, nil, 400, `Query parameter "author_id" must be a UUID`},
		{"bad chirp id", "GET", "/api/chirps/42", nil, nil, 400, `"42" is not a valid id (a UUID)`},
		{"delete: bad chirp id", "DELETE", "/api/chirps/42", nil, auth, 400, `"42" is not a valid id (a UUID)`},
		{"delete: someone else's", "DELETE", "/api/chirps/" + c.ID, nil, bearer(s.signUp(t, "jesse@x.com", "p").Token), 403, "You can only change your own chirps"},
		// Webhooks.
		{"webhook: bad user id", "POST", hookPath, `{"event": "user.upgraded", "data": {"user_id": "walt"}}`, apiKey(polkaKey), 400, `Field "data.user_id" must be a UUID`},
		{"webhook: malformed", "POST", hookPath, `{"event": `, apiKey(polkaKey), 400, "Request body contains malformed JSON"},
	}
	for _, tc := range cases {
		before := s.fingerprint(t)
		r := s.req(t, tc.method, tc.path, tc.body, tc.header...)
		if r.Status != tc.status {
			t.Errorf("%s: status %d, want %d; body %.200s", tc.name, r.Status, tc.status, r.Body)
			continue
		}
		if msg := r.errorMessage(t); msg != tc.msg {
			t.Errorf("%s: error %q, want %q", tc.name, msg, tc.msg)
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
