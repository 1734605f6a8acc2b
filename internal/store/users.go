package store

import (
	"context"
	"time"

	"github.com/google/uuid"

	"chirpy/internal/database"
)

// User is an account. HashedPassword never leaves the server.
type User struct {
	ID             uuid.UUID
	CreatedAt      time.Time
	UpdatedAt      time.Time
	Email          string
	HashedPassword string
	IsChirpyRed    bool
}

func userOf(u database.User) User {
	return User{
		ID:             u.ID,
		CreatedAt:      u.CreatedAt,
		UpdatedAt:      u.UpdatedAt,
		Email:          u.Email,
		HashedPassword: u.HashedPassword,
		IsChirpyRed:    u.IsChirpyRed,
	}
}

// CreateUser creates an account. An email some account has, in any case, is
// ErrConflict.
func (s *Store) CreateUser(ctx context.Context, email, hashedPassword string) (User, error) {
	return write(ctx, s, "create user", func(ctx context.Context) (User, error) {
		u, err := s.q.CreateUser(ctx, database.CreateUserParams{Email: email, HashedPassword: hashedPassword})
		if err != nil {
			return User{}, fail("create user", err)
		}
		return userOf(u), nil
	})
}

// UserByEmail returns the account with email, matched regardless of case, or
// ErrNotFound.
func (s *Store) UserByEmail(ctx context.Context, email string) (User, error) {
	u, err := s.q.GetUserByEmail(ctx, email)
	if err != nil {
		return User{}, fail("find user by email", err)
	}
	return userOf(u), nil
}

// UpdateUser sets an account's email and password: ErrNotFound if the
// account is gone, ErrConflict if another account has the email.
func (s *Store) UpdateUser(ctx context.Context, id uuid.UUID, email, hashedPassword string) (User, error) {
	return write(ctx, s, "update user", func(ctx context.Context) (User, error) {
		u, err := s.q.UpdateUser(ctx, database.UpdateUserParams{ID: id, Email: email, HashedPassword: hashedPassword})
		if err != nil {
			return User{}, fail("update user", err)
		}
		return userOf(u), nil
	})
}

// Reset deletes every user (their chirps and refresh tokens go with them),
// every recorded webhook delivery, idempotency key and login attempt counted,
// and sets the visits to 0: all or nothing, for every server process at once.
func (s *Store) Reset(ctx context.Context) error {
	_, err := write(ctx, s, "reset", func(ctx context.Context) (struct{}, error) {
		return struct{}{}, s.InTx(ctx, func(tx *Store) error {
			if err := tx.q.DeleteAllWebhooks(ctx); err != nil {
				return fail("reset: delete webhook deliveries", err)
			}
			if err := tx.q.DeleteAllUsers(ctx); err != nil {
				return fail("reset: delete users", err)
			}
			if err := tx.q.DeleteAllLoginAttempts(ctx); err != nil {
				return fail("reset: delete login attempts", err)
			}
			if err := tx.q.DeleteAllIdempotencyKeys(ctx); err != nil {
				return fail("reset: delete idempotency keys", err)
			}
			if err := tx.q.ResetVisits(ctx); err != nil {
				return fail("reset: visits", err)
			}
			return nil
		})
	})
	return err
}
