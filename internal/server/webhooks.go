package server

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"time"

	"chirpy/internal/polka"
	"chirpy/internal/store"
)

// handleWebhook answers 2xx only once the delivery is committed, and applies
// each webhook-id once however often and however concurrently it is
// delivered (store.RecordDelivery). What a delivery is, and which are
// refused, is polka.ParseDelivery's to say. signer is nil unless deliveries
// must be signed. The API key was checked before (withAPIKey).
func handleWebhook(st *store.Store, signer *polka.Signer, timeout time.Duration, b *bodies, m *Metrics) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		body, err := b.read(w, r, polka.MaxBodyBytes)
		if err != nil {
			return err
		}
		d, err := polka.ParseDelivery(r.Header, body, signer, time.Now())
		if err != nil {
			// Polka retries this too, as it retries every non-2xx answer, but
			// no retry will succeed: the log says so, and why.
			logAttrs(r.Context(), slog.String("outcome", "refused"), slog.String("reason", err.Error()))
			m.delivery("", "refused")
			return err
		}

		ctx, cancel := context.WithTimeout(r.Context(), timeout)
		defer cancel()
		outcome, duplicate, err := st.RecordDelivery(ctx, d)
		// The delivery's log line is its request's.
		word := outcome.String()
		if err != nil {
			word = "error"
		}
		attrs := []slog.Attr{slog.String("webhook_id", d.ID), slog.String("event", d.Event)}
		if d.UserID.Valid { // events that are not membership changes name no user
			attrs = append(attrs, slog.Any("user_id", d.UserID.UUID))
		}
		logAttrs(r.Context(), append(attrs, slog.String("outcome", word), slog.Bool("duplicate", duplicate))...)
		m.delivery(d.Event, word)
		switch {
		case errors.Is(err, store.ErrInvalid):
			// Text the database cannot store, that the checks before missed:
			// garbage, which no retry will mend.
			return err
		case err != nil:
			// Any other failure to commit asks Polka to retry.
			return unavailable(err)
		case outcome == polka.UnknownUser:
			return notFound("User not found")
		}
		w.WriteHeader(http.StatusNoContent)
		return nil
	}
}
