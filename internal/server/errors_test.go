package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"chirpy/internal/auth"
	"chirpy/internal/chirp"
	"chirpy/internal/idempotency"
	"chirpy/internal/jsonbody"
	"chirpy/internal/polka"
	"chirpy/internal/store"
)

// writeError answers each kind of failure with its status, its message for
// the client however the error is wrapped, and its headers; our own failures
// are logged with their cause, which the client never sees.
func TestWriteError(t *testing.T) {
	signer, _ := polka.NewSigner("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
	_, badSignature := polka.ParseDelivery(http.Header{"Webhook-Id": {"msg_1"}}, []byte(`{}`), signer, time.Now())
	badJSON := jsonbody.Decode([]byte(`{"email": 7}`), &credentials{})
	cause := errors.New("pq: the secret cause")
	for _, tc := range []struct {
		name    string
		err     error
		status  int
		message string // the whole "error" text
		header  string // a header the response must have, "Name: value"
		logged  string // the log line's message, "" for none
	}{
		{"JSON, wrapped", fmt.Errorf("create user: %w", badJSON), 400, `Request body has the wrong JSON type for field "email" (got number)`, "", ""},
		{"a rule, wrapped", fmt.Errorf("post: %w", chirp.ErrTooLong), 400, "Chirp is too long", "", ""},
		{"a credential rule", auth.ErrEmailRequired, 400, `Field "email" is required`, "", ""},
		{"a bad signature", fmt.Errorf("webhook: %w", badSignature), 401, "Invalid webhook signature: webhook-id, webhook-timestamp and webhook-signature are required", "Www-Authenticate: Webhook-Signature", ""},
		{"not the author", fmt.Errorf("delete chirp: %w", chirp.ErrNotAuthor), 403, "You can only change your own chirps", "", ""},
		{"not a member", fmt.Errorf("update chirp: %w", chirp.ErrNotMember), 403, "Editing chirps is a Chirpy Red feature; this account is not a member", "", ""},
		{"a key in use", fmt.Errorf("post: %w", idempotency.ErrKeyInFlight), 409, idempotency.ErrKeyInFlight.Error(), "Retry-After: 1", ""},
		{"a key reused", idempotency.ErrKeyReused, 422, idempotency.ErrKeyReused.Error(), "", ""},
		{"a taken email", fmt.Errorf("create user: %w", store.ErrConflict), 409, "An account with this email already exists", "", ""},
		{"a value the database refused", fmt.Errorf("x: %w", store.ErrInvalid), 400, "Request contains a value that cannot be stored", "", ""},
		{"the database away", fmt.Errorf("get chirp: %w", errors.Join(store.ErrUnavailable, cause)), 503, msgUnavailable, "Retry-After: 1", "database unavailable"},
		{"our own deadline", fmt.Errorf("wait for a password hashing slot: %w", context.DeadlineExceeded), 503, msgUnavailable, "Retry-After: 1", "request deadline exceeded"},
		{"a bug", fmt.Errorf("list chirps: %w", cause), 500, msgInternal, "", "internal error"},
		{"an answer of the handler's, with a cause", unavailable(cause), 503, msgUnavailable, "Retry-After: 1", "request failed"},
		{"an answer of the handler's", notFound("Chirp not found"), 404, "Chirp not found", "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var logs strings.Builder
			logger := slog.New(slog.NewJSONHandler(&logs, nil))
			w := httptest.NewRecorder()
			r := httptest.NewRequest("GET", "/api/chirps", nil)
			writeError(w, r, logger, tc.err)
			var body errorBody
			if err := json.Unmarshal(w.Body.Bytes(), &body); err != nil || w.Header().Get("Content-Type") != "application/json" {
				t.Fatalf("body %q (%s): %v", w.Body, w.Header().Get("Content-Type"), err)
			}
			if w.Code != tc.status || body.Error != tc.message {
				t.Errorf("answered %d %q, want %d %q", w.Code, body.Error, tc.status, tc.message)
			}
			if name, value, ok := strings.Cut(tc.header, ": "); ok && w.Header().Get(name) != value {
				t.Errorf("%s: %q, want %q", name, w.Header().Get(name), value)
			}
			if strings.Contains(w.Body.String(), "secret cause") {
				t.Error("the answer tells the cause")
			}
			var line map[string]any
			if tc.logged != "" {
				if err := json.Unmarshal([]byte(logs.String()), &line); err != nil {
					t.Fatalf("log %q: %v", logs.String(), err)
				}
			}
			switch {
			case tc.logged == "" && logs.Len() > 0:
				t.Errorf("logged %s", logs.String())
			case tc.logged != "" && (line["msg"] != tc.logged || !strings.Contains(fmt.Sprint(line["error"]), "deadline") && !strings.Contains(logs.String(), "secret cause")):
				t.Errorf("logged %s, want %q with the cause", logs.String(), tc.logged)
			}
		})
	}
}
