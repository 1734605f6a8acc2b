package main

import (
	"net/http"
	"regexp"
	"strings"
	"testing"
)

// siteCSP is the policy every response under /app/ must carry.
const siteCSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; " +
	"connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

// maxPageWeight bounds the web client: its page, scripts, style sheet and logo.
const maxPageWeight = 50 << 10

// The web client keeps the course's contract for /app/, is small, and is
// served with a strict Content-Security-Policy, 404s included. What it does
// in a browser is tested in browser_test.go (make test-all).
func TestWebClientServedStrictly(t *testing.T) {
	t.Parallel()
	s := startServer(t, nil)
	weight := 0
	for _, f := range []struct{ path, contentType string }{
		{"/app/", "text/html; charset=utf-8"},
		{"/app/app.js", "text/javascript; charset=utf-8"},
		{"/app/api.js", "text/javascript; charset=utf-8"},
		{"/app/app.css", "text/css; charset=utf-8"},
		{"/app/assets/logo.png", "image/png"},
	} {
		r := s.req(t, "GET", f.path, nil).expect(t, http.StatusOK)
		if ct := r.Header.Get("Content-Type"); ct != f.contentType {
			t.Errorf("%s: Content-Type %q, want %q", f.path, ct, f.contentType)
		}
		checkSiteHeaders(t, f.path, r)
		weight += len(r.Body)
	}
	t.Logf("page weight: %d bytes (index.html, app.js, api.js, app.css, logo.png)", weight)
	if weight >= maxPageWeight {
		t.Errorf("page weight %d bytes, want under %d", weight, maxPageWeight)
	}
	checkSiteHeaders(t, "/app/missing.html", s.req(t, "GET", "/app/missing.html", nil).expect(t, http.StatusNotFound))

	page := string(s.req(t, "GET", "/app/", nil).expect(t, http.StatusOK).Body)
	for _, want := range []string{"<h1>Welcome to Chirpy</h1>", `src="assets/logo.png"`, `<script src="app.js"`, `href="app.css"`} {
		if !strings.Contains(page, want) {
			t.Errorf("/app/ lacks %s", want)
		}
	}
	// The policy forbids inline script and style: the page must not need them.
	if inline := regexp.MustCompile(`(?i)<script(?:\s[^>]*)?>[^<]|<style|\sstyle=|\son[a-z]+=`).FindString(page); inline != "" {
		t.Errorf("/app/ has inline script or style (%q), which its policy blocks", inline)
	}

	// Text from the API goes in as text: the scripts have no way to insert
	// HTML, nor to run a string as code.
	for _, path := range []string{"/app/app.js", "/app/api.js"} {
		code := string(s.req(t, "GET", path, nil).expect(t, http.StatusOK).Body)
		for _, sink := range []string{"innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "new Function"} {
			if strings.Contains(code, sink) {
				t.Errorf("%s uses %s", path, sink)
			}
		}
	}

	// Visits are counted as the course says: nine requests under /app/.
	m := s.req(t, "GET", "/admin/metrics", nil).expect(t, http.StatusOK)
	if !strings.Contains(string(m.Body), "Chirpy has been visited 9 times!") {
		t.Errorf("metrics after nine requests under /app/: %s", m.Body)
	}
}

func checkSiteHeaders(t *testing.T, path string, r response) {
	t.Helper()
	if got := r.Header.Get("Content-Security-Policy"); got != siteCSP {
		t.Errorf("%s: Content-Security-Policy %q, want %q", path, got, siteCSP)
	}
	if r.Header.Get("X-Content-Type-Options") != "nosniff" {
		t.Errorf("%s: no X-Content-Type-Options: nosniff", path)
	}
}
