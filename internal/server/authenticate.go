package server

import (
	"net/http"

	"github.com/google/uuid"

	"chirpy/internal/auth"
)

// userHandlerFunc is a handler for a route that needs an access token: it is
// called only with the token's user.
type userHandlerFunc func(w http.ResponseWriter, r *http.Request, userID uuid.UUID) error

// withUser answers 401 unless the request carries a valid access token, and
// passes the token's user to h.
func withUser(secret []byte, h userHandlerFunc) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		token, err := auth.GetBearerToken(r.Header)
		if err != nil {
			return unauthorized("Bearer", "Send an access token in the Authorization header: Bearer TOKEN")
		}
		userID, err := auth.ValidateJWT(token, secret)
		if err != nil {
			return unauthorized(`Bearer error="invalid_token"`, "Invalid or expired access token")
		}
		return h(w, r, userID)
	}
}

// withAPIKey answers 401 unless the request carries one of keys
// (Authorization: ApiKey KEY), before h reads anything of the body.
func withAPIKey(keys auth.APIKeys, h handlerFunc) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		key, err := auth.GetAPIKey(r.Header)
		if err != nil || !keys.Valid(key) {
			return unauthorized("ApiKey", "Missing or wrong API key")
		}
		return h(w, r)
	}
}

// errAccountGone answers a valid token whose account was deleted since it
// was issued.
var errAccountGone = unauthorized("Bearer", "The account of this token no longer exists")
