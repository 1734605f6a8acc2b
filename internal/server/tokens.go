package server

import (
	"database/sql"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/google/uuid"

	"chirpy/internal/auth"
	"chirpy/internal/database"
	"chirpy/internal/postgres"
)

// authenticate returns the user whose access token the request carries.
func authenticate(r *http.Request, secret []byte) (uuid.UUID, error) {
	token, err := auth.GetBearerToken(r.Header)
	if err != nil {
		return uuid.Nil, unauthorized("Bearer", "Send an access token in the Authorization header: Bearer TOKEN")
	}
	userID, err := auth.ValidateJWT(token, secret)
	if err != nil {
		return uuid.Nil, unauthorized(`Bearer error="invalid_token"`, "Invalid or expired access token")
	}
	return userID, nil
}

// errBadLogin is the same for an unknown email and a wrong password, so the
// answer does not tell which emails have accounts.
var errBadLogin = &Error{Status: http.StatusUnauthorized, Message: "Incorrect email or password"}

type loginResponse struct {
	User
	Token        string `json:"token"`
	RefreshToken string `json:"refresh_token"`
}

func handleLogin(q *database.Queries, hasher *auth.Hasher, secret []byte) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		// Extra fields such as expires_in_seconds are ignored: access tokens
		// always live for auth.AccessTokenTTL.
		var req credentials
		if err := readJSON(w, r, &req, maxBodyBytes); err != nil {
			return err
		}
		if req.Email == "" || req.Password == "" {
			return badRequest("Fields \"email\" and \"password\" are required")
		}
		if !plausibleEmail(req.Email) {
			// No account can have it: sign-up refuses such addresses.
			return errBadLogin
		}
		ctx := r.Context()
		u, err := q.GetUserByEmail(ctx, req.Email)
		if errors.Is(err, sql.ErrNoRows) {
			if err := hasher.CheckDecoy(ctx, req.Password); err != nil {
				return err
			}
			return errBadLogin
		}
		if err != nil {
			return fmt.Errorf("find user: %w", err)
		}
		ok, err := hasher.Check(ctx, req.Password, u.HashedPassword)
		if err != nil {
			return err
		}
		if !ok {
			return errBadLogin
		}

		access, err := auth.MakeJWT(u.ID, secret, auth.AccessTokenTTL)
		if err != nil {
			return err
		}
		refresh := auth.MakeRefreshToken()
		err = q.CreateRefreshToken(ctx, database.CreateRefreshTokenParams{
			Token:     auth.HashRefreshToken(refresh),
			UserID:    u.ID,
			ExpiresAt: time.Now().Add(auth.RefreshTokenTTL),
		})
		if postgres.IsForeignKeyViolation(err) {
			// The account was deleted while its password was being checked.
			return errBadLogin
		}
		if err != nil {
			return fmt.Errorf("store refresh token: %w", err)
		}
		writeJSON(w, http.StatusOK, loginResponse{User: newUser(u), Token: access, RefreshToken: refresh})
		return nil
	}
}

type refreshResponse struct {
	Token string `json:"token"`
}

func handleRefresh(q *database.Queries, secret []byte) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		token, err := auth.GetBearerToken(r.Header)
		if err != nil {
			return unauthorized("Bearer", "Send a refresh token in the Authorization header: Bearer TOKEN")
		}
		userID, err := q.GetUserFromRefreshToken(r.Context(), auth.HashRefreshToken(token))
		if errors.Is(err, sql.ErrNoRows) {
			return unauthorized(`Bearer error="invalid_token"`, "Invalid, expired or revoked refresh token")
		}
		if err != nil {
			return fmt.Errorf("look up refresh token: %w", err)
		}
		access, err := auth.MakeJWT(userID, secret, auth.AccessTokenTTL)
		if err != nil {
			return err
		}
		writeJSON(w, http.StatusOK, refreshResponse{Token: access})
		return nil
	}
}

func handleRevoke(q *database.Queries) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		token, err := auth.GetBearerToken(r.Header)
		if err != nil {
			return unauthorized("Bearer", "Send the refresh token to revoke in the Authorization header: Bearer TOKEN")
		}
		// Unknown and already revoked tokens are answered the same way: the
		// token does not work afterwards either way.
		if err := q.RevokeRefreshToken(r.Context(), auth.HashRefreshToken(token)); err != nil {
			return fmt.Errorf("revoke refresh token: %w", err)
		}
		w.WriteHeader(http.StatusNoContent)
		return nil
	}
}
