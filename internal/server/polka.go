package server

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/google/uuid"

	"chirpy/internal/auth"
	"chirpy/internal/database"
	"chirpy/internal/polka"
	"chirpy/internal/postgres"
)

// maxWebhookBytes bounds a webhook body; Polka's events are a few hundred bytes.
const maxWebhookBytes = 64 << 10

// webhookDBTimeout is the database's share of a delivery: well under the 10 to
// 30 seconds after which senders give up on an answer, so a stuck database
// gets a 503 (and a retry) rather than a timeout.
const webhookDBTimeout = 5 * time.Second

// handlePolkaWebhook answers 2xx only once the delivery is committed, and
// applies each webhook-id once however often and however concurrently it is
// delivered. signer is nil unless deliveries must be signed.
func handlePolkaWebhook(q *database.Queries, keys auth.APIKeys, signer *polka.Signer) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		// The key is checked before the body is read.
		key, err := auth.GetAPIKey(r.Header)
		if err != nil || !keys.Valid(key) {
			return unauthorized("ApiKey", "Missing or wrong API key")
		}
		body, err := readBody(w, r, maxWebhookBytes)
		if err != nil {
			return err
		}
		id := r.Header.Get(polka.HeaderID)
		if !validWebhookID(id) {
			return badRequest("Header webhook-id must be at most %d printable ASCII characters", polka.MaxIDLength)
		}
		if signer != nil {
			err := signer.Verify(id, r.Header.Get(polka.HeaderTimestamp), r.Header.Get(polka.HeaderSignature), body, time.Now())
			if err != nil {
				return unauthorized("Webhook-Signature", "Invalid webhook signature: "+err.Error())
			}
		}
		var ev polka.Event
		if err := decodeJSON(body, &ev); err != nil {
			return err
		}
		if ev.Event == "" || strings.IndexByte(ev.Event, 0) >= 0 {
			return badRequest("Field \"event\" is required")
		}
		var userID uuid.NullUUID
		if u, err := uuid.Parse(ev.Data.UserID); err == nil {
			userID = uuid.NullUUID{UUID: u, Valid: true}
		} else if ev.Event == polka.EventUserUpgraded {
			// Garbage is refused with a 4xx so that it is not retried forever.
			return badRequest("Field \"data.user_id\" must be a UUID")
		}
		if id == "" {
			// Without an id, retries cannot be recognised; they still converge,
			// since upgrading a user twice changes nothing.
			id = "chirpy_" + uuid.NewString()
		}

		ctx, cancel := context.WithTimeout(r.Context(), webhookDBTimeout)
		defer cancel()
		outcome, duplicate, err := recordWebhook(ctx, q, database.RecordWebhookParams{
			ID: id, Event: ev.Event, UserID: userID, Payload: body,
		})
		// The delivery's log line is its request's.
		if err != nil {
			outcome = "error"
		}
		logAttrs(r.Context(), slog.String("webhook_id", id), slog.String("event", ev.Event),
			slog.Any("user_id", userID.UUID), slog.String("outcome", outcome), slog.Bool("duplicate", duplicate))
		if postgres.IsDataException(err) {
			// Text the database cannot store, that the checks above missed:
			// garbage, which no retry will mend.
			return badRequest("Request contains a value that cannot be stored")
		}
		if err != nil {
			// Any other failure to commit asks Polka to retry.
			return unavailable(err)
		}

		if outcome == polka.OutcomeUnknownUser {
			return notFound("User not found")
		}
		w.WriteHeader(http.StatusNoContent)
		return nil
	}
}

// validWebhookID accepts the empty id (none sent) and ids of printable ASCII,
// as Standard Webhooks' are ("msg_..."), up to polka.MaxIDLength.
func validWebhookID(id string) bool {
	if len(id) > polka.MaxIDLength {
		return false
	}
	for i := 0; i < len(id); i++ {
		if id[i] <= ' ' || id[i] > '~' {
			return false
		}
	}
	return true
}

// recordWebhook records and applies a delivery, or, when its id was recorded
// before, returns that first delivery's outcome.
func recordWebhook(ctx context.Context, q *database.Queries, p database.RecordWebhookParams) (outcome string, duplicate bool, err error) {
	outcome, err = q.RecordWebhook(ctx, p)
	if err == nil {
		return outcome, false, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return "", false, fmt.Errorf("record webhook: %w", err)
	}
	// No row: the id was taken, by an earlier delivery or by a concurrent one
	// that committed while this one waited.
	outcome, err = q.GetWebhookOutcome(ctx, p.ID)
	if err != nil {
		return "", true, fmt.Errorf("get outcome of webhook %s: %w", p.ID, err)
	}
	return outcome, true, nil
}
