package store

import (
	"context"
	"time"

	"github.com/google/uuid"

	"chirpy/internal/database"
)

// Refresh tokens are stored only as their hash (auth.HashRefreshToken): a
// copy of the database holds no usable token.

// CreateRefreshToken stores a refresh token's hash for userID: ErrNotFound if
// that account is gone.
func (s *Store) CreateRefreshToken(ctx context.Context, tokenHash string, userID uuid.UUID, expiresAt time.Time) error {
	_, err := write(ctx, s, "store refresh token", func(ctx context.Context) (struct{}, error) {
		err := s.q.CreateRefreshToken(ctx, database.CreateRefreshTokenParams{
			Token: tokenHash, UserID: userID, ExpiresAt: expiresAt,
		})
		return struct{}{}, fail("store refresh token", err)
	})
	return err
}

// RefreshTokenUser returns the account of a refresh token that is neither
// expired nor revoked, or ErrNotFound.
func (s *Store) RefreshTokenUser(ctx context.Context, tokenHash string) (uuid.UUID, error) {
	userID, err := s.q.GetUserFromRefreshToken(ctx, tokenHash)
	return userID, fail("look up refresh token", err)
}

// RevokeRefreshToken revokes a refresh token for good. Revoking one already
// revoked, or unknown, changes nothing and is no error.
func (s *Store) RevokeRefreshToken(ctx context.Context, tokenHash string) error {
	_, err := write(ctx, s, "revoke refresh token", func(ctx context.Context) (struct{}, error) {
		return struct{}{}, fail("revoke refresh token", s.q.RevokeRefreshToken(ctx, tokenHash))
	})
	return err
}
