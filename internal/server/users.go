package server

import (
	"database/sql"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"

	"chirpy/internal/auth"
	"chirpy/internal/database"
	"chirpy/internal/postgres"
)

// User is the public form of an account; it never carries the password hash.
type User struct {
	ID          uuid.UUID `json:"id"`
	CreatedAt   time.Time `json:"created_at"`
	UpdatedAt   time.Time `json:"updated_at"`
	Email       string    `json:"email"`
	IsChirpyRed bool      `json:"is_chirpy_red"`
}

func newUser(u database.User) User {
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

const maxEmailBytes = 254 // the longest address SMTP can carry (RFC 5321)

func (c credentials) validate() error {
	switch {
	case c.Email == "":
		return badRequest("Field \"email\" is required")
	case c.Password == "":
		return badRequest("Field \"password\" is required")
	case len(c.Password) > auth.MaxPasswordBytes:
		return badRequest("Field \"password\" must not be longer than %d bytes", auth.MaxPasswordBytes)
	case !plausibleEmail(c.Email):
		return badRequest("Field \"email\" must be an email address such as walt@breakingbad.com")
	}
	return nil
}

// plausibleEmail accepts local@domain with no spaces or control characters.
// Only sending mail to it could prove more.
func plausibleEmail(s string) bool {
	if len(s) > maxEmailBytes || !utf8.ValidString(s) {
		return false
	}
	local, domain, ok := strings.Cut(s, "@")
	if !ok || local == "" || domain == "" || strings.Contains(domain, "@") {
		return false
	}
	for _, r := range s {
		if r <= ' ' || r == 0x7f {
			return false
		}
	}
	return true
}

var errEmailTaken = conflict("An account with this email already exists")

func handleUsersCreate(q *database.Queries, hasher *auth.Hasher) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		var req credentials
		if err := readJSON(w, r, &req, maxBodyBytes); err != nil {
			return err
		}
		if err := req.validate(); err != nil {
			return err
		}
		hash, err := hasher.Hash(r.Context(), req.Password)
		if err != nil {
			return err
		}
		u, err := q.CreateUser(r.Context(), database.CreateUserParams{Email: req.Email, HashedPassword: hash})
		if postgres.IsUniqueViolation(err) {
			return errEmailTaken
		}
		if err != nil {
			return fmt.Errorf("create user: %w", err)
		}
		writeJSON(w, http.StatusCreated, newUser(u))
		return nil
	}
}

func handleUsersUpdate(q *database.Queries, hasher *auth.Hasher, secret []byte) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		userID, err := authenticate(r, secret)
		if err != nil {
			return err
		}
		var req credentials
		if err := readJSON(w, r, &req, maxBodyBytes); err != nil {
			return err
		}
		if err := req.validate(); err != nil {
			return err
		}
		hash, err := hasher.Hash(r.Context(), req.Password)
		if err != nil {
			return err
		}
		u, err := q.UpdateUser(r.Context(), database.UpdateUserParams{ID: userID, Email: req.Email, HashedPassword: hash})
		switch {
		case postgres.IsUniqueViolation(err):
			return errEmailTaken
		case errors.Is(err, sql.ErrNoRows):
			// A valid token for an account deleted since it was issued.
			return unauthorized("Bearer", "The account of this token no longer exists")
		case err != nil:
			return fmt.Errorf("update user: %w", err)
		}
		writeJSON(w, http.StatusOK, newUser(u))
		return nil
	}
}
