package main

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"chirpy/internal/dev/pgtest"
	polkapkg "chirpy/internal/polka"
	"chirpy/internal/store"
)

// A receiver that fails twice and then accepts: the sender tries three
// times, with the same webhook-id, each attempt freshly signed, and succeeds.
func TestPolkaSendRetriesUntilAccepted(t *testing.T) {
	t.Parallel()
	const secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
	signer, _ := polkapkg.NewSigner(secret)
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
		if r.URL.Path != polkapkg.WebhookPath || r.Header.Get("Authorization") != "ApiKey k" {
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
	// Help is asked for, and given: on stdout, and no error.
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"chirpy", "-h"}, "polka inbox"},
		{[]string{"chirpy", "polka", "-h"}, "polka inbox"},
		{[]string{"chirpy", "polka", "send", "-h"}, "-max-backoff"},
		{[]string{"chirpy", "polka", "inbox", "--help"}, "-outcome"},
	} {
		args := tc.args
		var out, errOut strings.Builder
		if err := Run(context.Background(), args, lookup(nil), &out, &errOut); err != nil || !strings.Contains(out.String(), tc.want) || errOut.Len() > 0 {
			t.Errorf("%v: %v\n%s%s", args, err, out.String(), errOut.String())
		}
	}
	// A database no one listens on: a command that got past its flags
	// would say it cannot reach it.
	unreachable := map[string]string{"DB_URL": "postgres://chirpy@127.0.0.1:1/chirpy"}
	const user = "8a0e3bb6-1a0d-4b38-8e6c-4a4b7e1e2f00"
	for _, tc := range []struct {
		args      []string
		env       map[string]string
		err       string
		withUsage bool // the command list, on stderr, before the error
	}{
		{[]string{"polka"}, nil, "polka needs a command: send, secret or inbox", true},
		{[]string{"polka", "send"}, nil, "--user must be a user's id (a UUID)", false},
		{[]string{"polka", "send", "--user", "walt"}, nil, "--user must be a user's id (a UUID)", false},
		{[]string{"polka", "send", "--user", user, "extra"}, nil, `unexpected argument "extra"`, false},
		{[]string{"polka", "send", "--event", "user.downgraded", "--user", "walt"}, nil, "--user must be a user's id (a UUID)", false},
		{[]string{"polka", "send", "--user", user, "--at", "yesterday"}, nil, `--at must be an RFC 3339 time such as 2026-12-01T15:04:05Z: parsing time "yesterday" as "2006-01-02T15:04:05.999999999Z07:00": cannot parse "yesterday" as "2006"`, false},
		{[]string{"polka", "sned"}, nil, `unknown polka command "sned"`, true},
		{[]string{"polka", "secret", "extra"}, nil, `unexpected argument "extra"`, false},
		{[]string{"polka", "inbox"}, nil, "DB_URL is not set: the inbox is read from the server's database (after make run: DB_URL=$(make -s db-start) chirpy polka inbox)", false},
		{[]string{"polka", "inbox", "--outcome", "won"}, unreachable, `--outcome: unknown delivery outcome "won"`, false},
		{[]string{"polka", "inbox", "--limit", "0"}, unreachable, "--limit and --since must be positive", false},
	} {
		var out, errOut strings.Builder
		err := Run(context.Background(), append([]string{"chirpy"}, tc.args...), lookup(tc.env), &out, &errOut)
		if err == nil || err.Error() != tc.err {
			t.Errorf("%v: error %v, want %q", tc.args, err, tc.err)
			continue
		}
		want := "chirpy: " + tc.err + "\n"
		if tc.withUsage {
			want = polkaUsage + want
		}
		if out.Len() > 0 || errOut.String() != want {
			t.Errorf("%v: stdout %q, stderr %q; want nothing on stdout, %q on stderr", tc.args, out.String(), errOut.String(), want)
		}
	}
}

// Polka in development: the sender finds the server from PORT, sends
// downgrades, says why the server refused a delivery; a fresh secret is one
// command away; the inbox shows what the server recorded.
func TestPolkaCommandsAgainstServer(t *testing.T) {
	t.Parallel()
	s := startServer(t, nil)
	walt := s.signUp(t, "walt@breakingbad.com", "123456")
	port := s.URL[strings.LastIndex(s.URL, ":")+1:]
	env := map[string]string{"POLKA_KEY": polkaKey, "PORT": port, "DB_URL": s.DBURL}
	polka := func(args ...string) (string, error) {
		var out strings.Builder
		err := Run(context.Background(), append([]string{"chirpy", "polka"}, args...), lookup(env), &out, &out)
		return out.String(), err
	}

	if out, err := polka("send", "--user", walt.ID, "--id", "msg_up"); err != nil || !strings.Contains(out, "attempt 1: 204") {
		t.Fatalf("send to the PORT's server: %v\n%s", err, out)
	}
	if out, err := polka("send", "--event", "user.downgraded", "--user", walt.ID, "--id", "msg_down"); err != nil {
		t.Fatalf("send a downgrade: %v\n%s", err, out)
	}
	if s.isRed(t, "walt@breakingbad.com", "123456") {
		t.Fatal("the downgrade sent by chirpy polka send did not end the membership")
	}
	// An old upgrade, sent late, with the event's time: stale.
	if out, err := polka("send", "--user", walt.ID, "--id", "msg_old", "--at", time.Now().Add(-time.Hour).Format(time.RFC3339)); err != nil {
		t.Fatalf("send an old upgrade: %v\n%s", err, out)
	}
	if s.isRed(t, "walt@breakingbad.com", "123456") {
		t.Fatal("an old upgrade sent late undid the downgrade")
	}
	out, err := polka("send", "--user", "8a0e3bb6-1a0d-4b38-8e6c-4a4b7e1e2f00", "--attempts", "1")
	if err == nil || !strings.Contains(out, "attempt 1: 404 Not Found (User not found); giving up") {
		t.Fatalf("a refused delivery: %v\n%s", err, out)
	}

	secret, err := polka("secret")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := polkapkg.NewSigner(strings.TrimSpace(secret)); err != nil || !strings.HasPrefix(secret, "whsec_") || strings.Count(secret, "\n") != 1 {
		t.Fatalf("secret %q: %v", secret, err)
	}
	if again, _ := polka("secret"); again == secret {
		t.Fatal("two secrets are the same")
	}

	out, err = polka("inbox")
	if err != nil {
		t.Fatalf("inbox: %v\n%s", err, out)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 5 || !strings.HasPrefix(lines[0], "RECEIVED") {
		t.Fatalf("inbox lists %d lines, want a header and 4 deliveries:\n%s", len(lines), out)
	}
	for i, want := range []string{"unknown_user", "msg_old", "msg_down", "msg_up"} { // newest first
		if !strings.Contains(lines[i+1], want) {
			t.Errorf("inbox line %d = %q, want %s", i+1, lines[i+1], want)
		}
	}
	if !strings.Contains(lines[2], "stale") || !strings.Contains(lines[3], "user.downgraded") || !strings.Contains(lines[4], walt.ID) {
		t.Errorf("inbox:\n%s", out)
	}
	out, _ = polka("inbox", "--outcome", "stale")
	if n := strings.Count(out, "\n"); n != 2 || !strings.Contains(out, "msg_old") {
		t.Errorf("inbox --outcome stale:\n%s", out)
	}
	// None of an outcome, or none at all: said as such, in the user's words,
	// and no header over nothing.
	for args, want := range map[string]string{
		"--outcome ignored --since 72h": "no ignored deliveries in the last 72h\n",
		"--since 90m --outcome ignored": "no ignored deliveries in the last 90m\n",
		"--since 1ms":                   "no deliveries received in the last 1ms\n",
	} {
		if out, err := polka(append([]string{"inbox"}, strings.Fields(args)...)...); err != nil || out != want {
			t.Errorf("inbox %s: %v\n%q, want %q", args, err, out, want)
		}
	}
	if _, err := s.DB.Exec(`UPDATE webhook_inbox SET received_at = now() - interval '2 hours' WHERE id = 'msg_up'`); err != nil {
		t.Fatal(err)
	}
	out, _ = polka("inbox", "--since", "1h", "--limit", "2")
	if n := strings.Count(out, "\n"); n != 3 || strings.Contains(out, "msg_up ") {
		t.Errorf("inbox --since 1h --limit 2:\n%s", out)
	}
}

// The inbox of a database the server never ran on says so, with prepared
// statements or without; a DB_PREPARED_STATEMENTS it cannot read is refused
// as the server refuses it.
func TestPolkaInboxOfAnUnmigratedDatabase(t *testing.T) {
	t.Parallel()
	blank := pgtest.NewBlankDatabase(t)
	for _, prepared := range []string{"", "false", "off"} {
		var out strings.Builder
		err := Run(context.Background(), []string{"chirpy", "polka", "inbox"}, lookup(map[string]string{"DB_URL": blank, "DB_PREPARED_STATEMENTS": prepared}), &out, &out)
		if !errors.Is(err, store.ErrNoSchema) || !strings.Contains(out.String(), "no Chirpy tables") {
			t.Errorf("DB_PREPARED_STATEMENTS=%q: %v\n%s", prepared, err, out.String())
		}
	}
	var out strings.Builder
	err := Run(context.Background(), []string{"chirpy", "polka", "inbox"}, lookup(map[string]string{"DB_URL": blank, "DB_PREPARED_STATEMENTS": "maybe"}), &out, &out)
	if err == nil || !strings.Contains(out.String(), "DB_PREPARED_STATEMENTS") {
		t.Errorf("DB_PREPARED_STATEMENTS=maybe: %v\n%s", err, out.String())
	}
}
