package main

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
)

// Every endpoint that takes credentials or a chirp refuses a body over its
// limit with 413, whether its length is announced or it comes in chunks, and
// changes nothing: the logins, the account update and the chirp edit too,
// not only sign-up and posting.
func TestBodyLimitOnEveryEndpoint(t *testing.T) {
	t.Parallel()
	s := startServer(t, nil)
	walt := s.signUp(t, "walt@breakingbad.com", "123456")
	chirp := s.postChirp(t, walt.Token, "I am the one who knocks")
	before := s.fingerprint(t)

	// Valid JSON, 1 KiB over each endpoint's limit (8 KiB): it would be refused
	// anyway, but for being too long, if it were read.
	credentials := `{"email": "walt@breakingbad.com", "password": "` + strings.Repeat("p", 9<<10) + `"}`
	chirpBody := `{"body": "` + strings.Repeat("a", 9<<10) + `"}`
	for _, tc := range []struct {
		method, path, body string
		header             []string
	}{
		{"POST", "/api/login", credentials, nil},
		{"PUT", "/api/users", credentials, bearer(walt.Token)},
		{"PUT", "/api/chirps/" + chirp.ID, chirpBody, bearer(walt.Token)},
	} {
		name := tc.method + " " + tc.path
		// Announced: s.req sends a Content-Length.
		r := s.req(t, tc.method, tc.path, tc.body, tc.header...)
		if r.Status != http.StatusRequestEntityTooLarge {
			t.Errorf("%s with %d bytes: %d, want 413; body: %s", name, len(tc.body), r.Status, r.Body)
		} else {
			r.errorMessage(t)
		}
		// Chunked.
		auth := ""
		if tc.header != nil {
			auth = tc.header[0] + ": " + tc.header[1] + "\r\n"
		}
		raw := fmt.Sprintf("%s %s HTTP/1.1\r\nHost: x\r\n%sContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n%x\r\n%s\r\n0\r\n\r\n",
			tc.method, tc.path, auth, len(tc.body), tc.body)
		if st, _ := rawRequest(t, s, raw); st != http.StatusRequestEntityTooLarge {
			t.Errorf("%s with %d bytes in chunks: %d, want 413", name, len(tc.body), st)
		}
	}
	if after := s.fingerprint(t); after != before {
		t.Errorf("oversize bodies changed the database:\nbefore %s\nafter  %s", before, after)
	}
}
