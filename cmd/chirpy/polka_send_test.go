package main

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"chirpy/internal/polka"
)

// A receiver that fails twice and then accepts: the sender tries three
// times, with the same webhook-id, each attempt freshly signed, and succeeds.
func TestPolkaSendRetriesUntilAccepted(t *testing.T) {
	t.Parallel()
	const secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
	signer, _ := polka.NewSigner(secret)
	var mu sync.Mutex
	var ids []string
	var verifyErrs []error
	receiver := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		mu.Lock()
		defer mu.Unlock()
		ids = append(ids, r.Header.Get("Webhook-Id"))
		verifyErrs = append(verifyErrs, signer.Verify(r.Header.Get("Webhook-Id"), r.Header.Get("Webhook-Timestamp"),
			r.Header.Get("Webhook-Signature"), body, time.Now()))
		if r.URL.Path != polka.WebhookPath || r.Header.Get("Authorization") != "ApiKey k" {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		if len(ids) <= 2 {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	}))
	defer receiver.Close()

	var out strings.Builder
	err := Run(context.Background(), []string{"chirpy", "polka", "send",
		"--url", receiver.URL, "--key", "k", "--secret", secret,
		"--user", "8a0e3bb6-1a0d-4b38-8e6c-4a4b7e1e2f00", "--backoff", "1ms", "--attempts", "5"},
		lookup(nil), &out, &out)
	if err != nil {
		t.Fatalf("polka send = %v\n%s", err, out.String())
	}
	if len(ids) != 3 {
		t.Fatalf("%d attempts, want 3\n%s", len(ids), out.String())
	}
	if ids[0] == "" || ids[1] != ids[0] || ids[2] != ids[0] {
		t.Errorf("webhook-ids %q: want one id on every attempt", ids)
	}
	for i, err := range verifyErrs {
		if err != nil {
			t.Errorf("attempt %d: signature does not verify: %v", i+1, err)
		}
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	want := []*regexp.Regexp{
		regexp.MustCompile(`^attempt 1: 503 Service Unavailable; retrying in 1ms$`),
		regexp.MustCompile(`^attempt 2: 503 Service Unavailable; retrying in 2ms$`),
		regexp.MustCompile(`^attempt 3: 204 No Content; delivered msg_\w+$`),
	}
	if len(lines) != len(want) {
		t.Fatalf("output:\n%s", out.String())
	}
	for i, re := range want {
		if !re.MatchString(lines[i]) {
			t.Errorf("line %d = %q, want %v", i+1, lines[i], re)
		}
	}
}

func TestPolkaSendGivesUp(t *testing.T) {
	t.Parallel()
	var attempts atomic.Int32
	receiver := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		attempts.Add(1)
		w.WriteHeader(http.StatusInternalServerError)
	}))
	defer receiver.Close()
	var out strings.Builder
	err := Run(context.Background(), []string{"chirpy", "polka", "send", "--url", receiver.URL, "--key", "k",
		"--user", "8a0e3bb6-1a0d-4b38-8e6c-4a4b7e1e2f00", "--backoff", "1ms", "--attempts", "3"},
		lookup(nil), &out, &out)
	if err == nil || attempts.Load() != 3 || !strings.Contains(out.String(), "attempt 3: 500 Internal Server Error; giving up") {
		t.Fatalf("err %v after %d attempts:\n%s", err, attempts.Load(), out.String())
	}
}

// A connection error is retried like a non-2xx answer.
func TestPolkaSendRetriesConnectionErrors(t *testing.T) {
	t.Parallel()
	receiver := httptest.NewServer(http.NotFoundHandler())
	url := receiver.URL
	receiver.Close() // nothing listens there any more
	var out strings.Builder
	err := Run(context.Background(), []string{"chirpy", "polka", "send", "--url", url, "--key", "k",
		"--user", "8a0e3bb6-1a0d-4b38-8e6c-4a4b7e1e2f00", "--backoff", "1ms", "--attempts", "2"},
		lookup(nil), &out, &out)
	if err == nil || strings.Count(out.String(), "error:") != 2 {
		t.Fatalf("err %v:\n%s", err, out.String())
	}
}

func TestPolkaSendAgainstServer(t *testing.T) {
	t.Parallel()
	s := startServer(t, nil)
	walt := s.signUp(t, "walt@breakingbad.com", "123456")
	var out strings.Builder
	env := map[string]string{"POLKA_KEY": polkaKey + ",other"}
	err := Run(context.Background(), []string{"chirpy", "polka", "send", "--url", s.URL, "--user", walt.ID, "--id", "msg_cli"},
		lookup(env), &out, &out)
	if err != nil {
		t.Fatalf("polka send: %v\n%s", err, out.String())
	}
	if !strings.Contains(out.String(), "attempt 1: 204") {
		t.Errorf("output: %s", out.String())
	}
	if outcome, _ := s.inbox(t, "msg_cli"); outcome != "applied" {
		t.Fatalf("inbox outcome %q", outcome)
	}
	if !s.isRed(t, "walt@breakingbad.com", "123456") {
		t.Fatal("user not upgraded")
	}
}

func TestPolkaSendUsage(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{
		{"chirpy", "polka"},
		{"chirpy", "polka", "send"}, // no --user
		{"chirpy", "polka", "send", "--user", "walt"},
		{"chirpy", "polka", "send", "--user", "8a0e3bb6-1a0d-4b38-8e6c-4a4b7e1e2f00", "extra"},
	} {
		var out strings.Builder
		if err := Run(context.Background(), args, lookup(nil), &out, &out); err == nil {
			t.Errorf("%v succeeded", args)
		}
	}
}
