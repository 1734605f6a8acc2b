package server

import (
	"fmt"
	"net/http"

	"github.com/google/uuid"

	"chirpy/internal/auth"
	"chirpy/internal/database"
)

// maxWebhookBytes bounds a webhook body; Polka's events are a few hundred bytes.
const maxWebhookBytes = 64 << 10

const eventUserUpgraded = "user.upgraded"

type polkaEvent struct {
	Event string `json:"event"`
	Data  struct {
		UserID string `json:"user_id"`
	} `json:"data"`
}

func handlePolkaWebhook(q *database.Queries, keys auth.APIKeys) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		// The key is checked before the body is read.
		key, err := auth.GetAPIKey(r.Header)
		if err != nil || !keys.Valid(key) {
			return unauthorized("ApiKey", "Missing or wrong API key")
		}
		var ev polkaEvent
		if err := readJSON(w, r, &ev, maxWebhookBytes); err != nil {
			return err
		}
		if ev.Event != eventUserUpgraded {
			// Acknowledged so that Polka stops sending it; nothing changes.
			w.WriteHeader(http.StatusNoContent)
			return nil
		}
		userID, err := uuid.Parse(ev.Data.UserID)
		if err != nil {
			return badRequest("Field \"data.user_id\" must be a UUID")
		}
		n, err := q.UpgradeUser(r.Context(), userID)
		if err != nil {
			return fmt.Errorf("upgrade user: %w", err)
		}
		if n == 0 {
			return notFound("User not found")
		}
		w.WriteHeader(http.StatusNoContent)
		return nil
	}
}
