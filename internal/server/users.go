package server

import (
	"encoding/json"
	"errors"
	"net/http"
	"time"

	"github.com/google/uuid"

	"chirpy/internal/auth"
	"chirpy/internal/idempotency"
	"chirpy/internal/store"
)

// User is an account as the API shows it; it never carries the password hash.
type User struct {
	ID          uuid.UUID `json:"id"`
	CreatedAt   time.Time `json:"created_at"`
	UpdatedAt   time.Time `json:"updated_at"`
	Email       string    `json:"email"`
	IsChirpyRed bool      `json:"is_chirpy_red"`
}

func newUser(u store.User) User {
	return User{
		ID:          u.ID,
		CreatedAt:   u.CreatedAt.UTC(),
		UpdatedAt:   u.UpdatedAt.UTC(),
		Email:       u.Email,
		IsChirpyRed: u.IsChirpyRed,
	}
}

// credentials is the body of sign-up, update and login.
type credentials struct {
	Email    string `json:"email"`
	Password string `json:"password"`
}

func handleUsersCreate(st *store.Store, hasher *auth.Hasher, b *bodies) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		key, keyed, err := idempotencyKey(r)
		if err != nil {
			return err
		}
		var req credentials
		raw, err := b.readJSON(w, r, &req, maxCredentialsBytes)
		if err != nil {
			return err
		}
		if err := auth.CheckNewCredentials(req.Email, req.Password); err != nil {
			return err
		}
		var keyedReq idempotency.Request
		if keyed {
			// A replay costs no password hash.
			keyedReq = idempotency.NewRequest(idempotency.SignUpScope, key, raw)
			a, replayed, err := st.Recall(r.Context(), keyedReq)
			if err != nil {
				return err
			}
			if replayed {
				writeAnswer(w, a, true, true)
				return nil
			}
		}
		hash, err := hasher.Hash(r.Context(), req.Password)
		if err != nil {
			return err
		}
		if keyed {
			return answerOnce(w, r, st, keyedReq, true, func(tx *store.Store) (idempotency.Answer, error) {
				u, err := tx.CreateUser(r.Context(), req.Email, hash)
				if err != nil {
					return idempotency.Answer{}, err
				}
				body, err := json.Marshal(newUser(u))
				return idempotency.Answer{Status: http.StatusCreated, Body: body}, err
			})
		}
		// A taken email is store.ErrConflict: 409.
		u, err := st.CreateUser(r.Context(), req.Email, hash)
		if err != nil {
			return err
		}
		writePrivateJSON(w, http.StatusCreated, newUser(u))
		return nil
	}
}

func handleUsersUpdate(st *store.Store, hasher *auth.Hasher, b *bodies) userHandlerFunc {
	return func(w http.ResponseWriter, r *http.Request, userID uuid.UUID) error {
		var req credentials
		if _, err := b.readJSON(w, r, &req, maxCredentialsBytes); err != nil {
			return err
		}
		if err := auth.CheckNewCredentials(req.Email, req.Password); err != nil {
			return err
		}
		hash, err := hasher.Hash(r.Context(), req.Password)
		if err != nil {
			return err
		}
		u, err := st.UpdateUser(r.Context(), userID, req.Email, hash)
		if errors.Is(err, store.ErrNotFound) {
			return errAccountGone
		}
		if err != nil {
			return err // a taken email is store.ErrConflict: 409
		}
		writePrivateJSON(w, http.StatusOK, newUser(u))
		return nil
	}
}
