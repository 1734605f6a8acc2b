package store_test

import (
	"chirpy/internal/store"
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/uuid"
)

func TestUsers(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	ctx := context.Background()
	walt, err := s.CreateUser(ctx, "walt@breakingbad.com", "hash1")
	if err != nil {
		t.Fatal(err)
	}
	if walt.ID == uuid.Nil || walt.IsChirpyRed || walt.CreatedAt.IsZero() || walt.HashedPassword != "hash1" {
		t.Fatalf("CreateUser = %+v", walt)
	}
	// Emails are unique regardless of case.
	if _, err := s.CreateUser(ctx, "WALT@breakingbad.com", "h"); !errors.Is(err, store.ErrConflict) {
		t.Fatalf("second account with the email: %v, want store.ErrConflict", err)
	}
	got, err := s.UserByEmail(ctx, "Walt@BreakingBad.com")
	if err != nil || got.ID != walt.ID {
		t.Fatalf("UserByEmail = %+v, %v", got, err)
	}
	if _, err := s.UserByEmail(ctx, "jesse@breakingbad.com"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("UserByEmail of no one = %v, want store.ErrNotFound", err)
	}

	saul, _ := s.CreateUser(ctx, "saul@bettercall.com", "h")
	if _, err := s.UpdateUser(ctx, walt.ID, "SAUL@bettercall.com", "h"); !errors.Is(err, store.ErrConflict) {
		t.Fatalf("update to another's email: %v, want store.ErrConflict", err)
	}
	updated, err := s.UpdateUser(ctx, walt.ID, "walter@breakingbad.com", "hash2")
	if err != nil || updated.Email != "walter@breakingbad.com" || updated.HashedPassword != "hash2" || !updated.UpdatedAt.After(walt.UpdatedAt) {
		t.Fatalf("UpdateUser = %+v, %v", updated, err)
	}
	if _, err := s.UpdateUser(ctx, uuid.New(), "x@y.z", "h"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("update of no one = %v, want store.ErrNotFound", err)
	}

	// Text PostgreSQL cannot store is the caller's input, not a bug.
	if _, err := s.CreateUser(ctx, "nul\x00@x.com", "h"); !errors.Is(err, store.ErrInvalid) {
		t.Fatalf("email with NUL: %v, want store.ErrInvalid", err)
	}

	// Reset takes everything: users, their chirps and tokens, deliveries.
	if _, err := s.CreateChirp(ctx, saul.ID, "Better call Saul"); err != nil {
		t.Fatal(err)
	}
	if err := s.CreateRefreshToken(ctx, "digest", saul.ID, time.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	exec(t, s, `INSERT INTO webhook_inbox (id, event, payload, outcome) VALUES ('msg', 'user.upgraded', '{}', 'applied')`)
	if err := s.Reset(ctx); err != nil {
		t.Fatal(err)
	}
	for _, table := range []string{"users", "chirps", "refresh_tokens", "webhook_inbox"} {
		if n := count(t, s, `SELECT count(*) FROM `+table); n != 0 {
			t.Errorf("%d rows left in %s after Reset", n, table)
		}
	}
}

func TestRefreshTokens(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	ctx := context.Background()
	walt, _ := s.CreateUser(ctx, "walt@breakingbad.com", "h")
	if err := s.CreateRefreshToken(ctx, "live", walt.ID, time.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if err := s.CreateRefreshToken(ctx, "expired", walt.ID, time.Now().Add(-time.Second)); err != nil {
		t.Fatal(err)
	}
	if err := s.CreateRefreshToken(ctx, "orphan", uuid.New(), time.Now().Add(time.Hour)); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("token for no one: %v, want store.ErrNotFound", err)
	}
	if id, err := s.RefreshTokenUser(ctx, "live"); err != nil || id != walt.ID {
		t.Fatalf("RefreshTokenUser(live) = %v, %v", id, err)
	}
	for _, token := range []string{"expired", "unknown"} {
		if _, err := s.RefreshTokenUser(ctx, token); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("RefreshTokenUser(%s) = %v, want store.ErrNotFound", token, err)
		}
	}
	for range 2 { // revoking twice is no error
		if err := s.RevokeRefreshToken(ctx, "live"); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.RefreshTokenUser(ctx, "live"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("revoked token: %v, want store.ErrNotFound", err)
	}
}
