package store_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"chirpy/internal/chirp"
	"chirpy/internal/store"

	"github.com/google/uuid"
)

func TestChirps(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	ctx := context.Background()
	walt, _ := s.CreateUser(ctx, "walt@breakingbad.com", "h")
	saul, _ := s.CreateUser(ctx, "saul@bettercall.com", "h")

	c, err := s.CreateChirp(ctx, walt.ID, "I am the danger")
	if err != nil || c.UserID != walt.ID || c.Body != "I am the danger" || c.ID == uuid.Nil {
		t.Fatalf("CreateChirp = %+v, %v", c, err)
	}
	if _, err := s.CreateChirp(ctx, uuid.New(), "from no one"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("chirp by no one: %v, want store.ErrNotFound", err)
	}
	if got, err := s.Chirp(ctx, c.ID); err != nil || got != c {
		t.Fatalf("Chirp = %+v, %v; want %+v", got, err, c)
	}
	if _, err := s.Chirp(ctx, uuid.New()); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("Chirp of nothing: %v, want store.ErrNotFound", err)
	}

	if err := s.DeleteChirp(ctx, c.ID, saul.ID); !errors.Is(err, chirp.ErrNotAuthor) || errors.Is(err, store.ErrNotFound) {
		t.Fatalf("delete by another: %v, want chirp.ErrNotAuthor", err)
	}
	if err := s.DeleteChirp(ctx, c.ID, walt.ID); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteChirp(ctx, c.ID, walt.ID); !errors.Is(err, store.ErrNotFound) || errors.Is(err, chirp.ErrNotAuthor) {
		t.Fatalf("delete of a deleted chirp: %v, want store.ErrNotFound", err)
	}
}

// A list read page by page comes out whole, in order, with no chirp twice,
// including chirps that share a creation time across a page boundary.
func TestChirpPages(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	ctx := context.Background()
	walt, _ := s.CreateUser(ctx, "walt@breakingbad.com", "h")
	saul, _ := s.CreateUser(ctx, "saul@bettercall.com", "h")
	// Groups of 7 chirps share a timestamp, so page boundaries fall inside
	// groups and only the id orders them; every third is Saul's.
	exec(t, s, `
		INSERT INTO chirps (body, user_id, created_at)
		SELECT 'chirp ' || i, CASE WHEN i % 3 = 0 THEN $2::uuid ELSE $1::uuid END,
		       timestamptz '2026-01-01' + (i / 7) * interval '1 second'
		FROM generate_series(1, 250) AS i`, walt.ID, saul.ID)
	var all []store.Chirp
	rows, err := store.DB(s).Query(`SELECT id, created_at, updated_at, body, user_id FROM chirps ORDER BY created_at, id`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var c store.Chirp
		if err := rows.Scan(&c.ID, &c.CreatedAt, &c.UpdatedAt, &c.Body, &c.UserID); err != nil {
			t.Fatal(err)
		}
		all = append(all, c)
	}
	rows.Close()
	byWalt := slices.DeleteFunc(slices.Clone(all), func(c store.Chirp) bool { return c.UserID != walt.ID })
	rev := func(cs []store.Chirp) []store.Chirp { r := slices.Clone(cs); slices.Reverse(r); return r }

	for _, tc := range []struct {
		name string
		f    store.ChirpFilter
		want []store.Chirp
	}{
		{"all, oldest first", store.ChirpFilter{}, all},
		{"all, newest first", store.ChirpFilter{Desc: true}, rev(all)},
		{"Walt's, oldest first", store.ChirpFilter{Author: uuid.NullUUID{UUID: walt.ID, Valid: true}}, byWalt},
		{"Walt's, newest first", store.ChirpFilter{Author: uuid.NullUUID{UUID: walt.ID, Valid: true}, Desc: true}, rev(byWalt)},
		{"no one's", store.ChirpFilter{Author: uuid.NullUUID{UUID: uuid.New(), Valid: true}}, nil},
	} {
		var got []store.Chirp
		pages := 0
		for page, err := range s.ChirpPages(ctx, tc.f, 10) {
			if err != nil {
				t.Fatal(err)
			}
			if len(page) > 10 {
				t.Fatalf("%s: a page of %d, want at most 10", tc.name, len(page))
			}
			got = append(got, page...)
			pages++
		}
		if !slices.EqualFunc(got, tc.want, func(a, b store.Chirp) bool { return a.ID == b.ID }) {
			t.Errorf("%s: %d chirps, not the %d expected in order", tc.name, len(got), len(tc.want))
		}
		if want := max(1, (len(tc.want)+9)/10); pages != want {
			t.Errorf("%s: %d pages, want %d", tc.name, pages, want)
		}
	}

	// One page at a time, from a cursor.
	page, more, err := s.ChirpPage(ctx, store.ChirpFilter{}, store.After(all[6]), 7)
	if err != nil || !more || len(page) != 7 || page[0].ID != all[7].ID || page[6].ID != all[13].ID {
		t.Fatalf("ChirpPage after the 7th = %d chirps, more %v, %v", len(page), more, err)
	}
	if _, more, _ := s.ChirpPage(ctx, store.ChirpFilter{}, store.After(all[len(all)-8]), 7); more {
		t.Fatal("the last page says more follow")
	}

	// Stopping early ends the page read ahead: no connection stays busy.
	for _, err := range s.ChirpPages(ctx, store.ChirpFilter{}, 10) {
		if err != nil {
			t.Fatal(err)
		}
		break
	}
	deadline := time.Now().Add(30 * time.Second)
	for store.DB(s).Stats().InUse != 0 {
		if time.Now().After(deadline) {
			t.Fatalf("%d connections still in use after the list was left", store.DB(s).Stats().InUse)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// Only the author edits, and only while a Chirpy Red member, as the account
// says at the moment of the edit.
func TestUpdateChirp(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	ctx := context.Background()
	walt, _ := s.CreateUser(ctx, "walt@breakingbad.com", "h")
	saul, _ := s.CreateUser(ctx, "saul@bettercall.com", "h")
	c, _ := s.CreateChirp(ctx, walt.ID, "I am the danger")

	if _, err := s.UpdateChirp(ctx, c.ID, walt.ID, "I am the one who knocks"); !errors.Is(err, chirp.ErrNotMember) {
		t.Fatalf("edit by a non-member author: %v, want ErrNotMember", err)
	}
	exec(t, s, `UPDATE users SET is_chirpy_red = true`)
	if _, err := s.UpdateChirp(ctx, c.ID, saul.ID, "mine now"); !errors.Is(err, chirp.ErrNotAuthor) {
		t.Fatalf("edit by a member who is not the author: %v, want ErrNotAuthor", err)
	}
	if _, err := s.UpdateChirp(ctx, uuid.New(), walt.ID, "x"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("edit of nothing: %v, want ErrNotFound", err)
	}
	edited, err := s.UpdateChirp(ctx, c.ID, walt.ID, "I am the one who knocks")
	if err != nil {
		t.Fatal(err)
	}
	if edited.ID != c.ID || edited.UserID != c.UserID || !edited.CreatedAt.Equal(c.CreatedAt) ||
		edited.Body != "I am the one who knocks" || !edited.UpdatedAt.After(c.UpdatedAt) {
		t.Fatalf("edited %+v from %+v", edited, c)
	}
	if got, _ := s.Chirp(ctx, c.ID); got != edited {
		t.Fatalf("stored %+v, returned %+v", got, edited)
	}
	exec(t, s, `UPDATE users SET is_chirpy_red = false WHERE id = $1`, walt.ID)
	if _, err := s.UpdateChirp(ctx, c.ID, walt.ID, "again"); !errors.Is(err, chirp.ErrNotMember) {
		t.Fatalf("edit after the membership ended: %v, want ErrNotMember", err)
	}
}
