package store_test

import (
	"context"
	"net/netip"
	"testing"
	"time"

	"chirpy/internal/auth"
)

// The login throttle's windowed counts, as auth.LoginLimits.Check uses them:
// a key counts in a window that begins with its first attempt and starts
// again with the first attempt after it has run out; a success clears one
// key; pruning forgets the keys whose window has run out, and only those.
func TestLoginAttemptCounts(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	ctx := context.Background()
	const window = time.Minute
	hit := func(key string) auth.LoginCount {
		t.Helper()
		c, now, err := s.CountLoginAttempt(ctx, key, window)
		if err != nil {
			t.Fatal(err)
		}
		if c.Since.After(now) || now.Sub(c.Since) > window {
			t.Fatalf("%s: window began %v, now %v", key, c.Since, now)
		}
		return c
	}
	for i := 1; i <= 3; i++ {
		if c := hit("c:192.0.2.1"); c.Attempts != i {
			t.Fatalf("attempt %d counted %d", i, c.Attempts)
		}
	}
	first := hit("e:walt")

	// A window that ran out starts again at the next attempt; one that has
	// not keeps counting.
	exec(t, s, `UPDATE login_attempts SET window_start = now() - interval '61 seconds' WHERE key = 'c:192.0.2.1'`)
	exec(t, s, `UPDATE login_attempts SET window_start = now() - interval '59 seconds' WHERE key = 'e:walt'`)
	if c := hit("c:192.0.2.1"); c.Attempts != 1 || time.Since(c.Since) > 10*time.Second {
		t.Fatalf("after its window: %+v, want a new window", c)
	}
	if c := hit("e:walt"); c.Attempts != 2 || !c.Since.Before(first.Since) {
		t.Fatalf("within its window: %+v, want the second attempt of the window begun 59 s ago", c)
	}

	// Reading counts nothing, and skips a window that ran out.
	hit("a:walt")
	exec(t, s, `UPDATE login_attempts SET window_start = now() - interval '2 minutes' WHERE key = 'a:walt'`)
	held, err := s.LoginAttempts(ctx, []string{"e:walt", "a:walt", "c:nobody"}, window)
	if err != nil || len(held) != 1 || held["e:walt"].Attempts != 2 {
		t.Fatalf("LoginAttempts = %v, %v; want e:walt at 2 only", held, err)
	}

	// A success clears its key, and no other.
	if err := s.ClearLoginAttempts(ctx, "e:walt"); err != nil {
		t.Fatal(err)
	}
	if n := count(t, s, `SELECT count(*) FROM login_attempts WHERE key = 'e:walt'`); n != 0 {
		t.Fatal("a cleared key is still counted")
	}

	// Pruning forgets the windows that ran out (a:walt), and only those.
	n, err := s.PruneLoginAttempts(ctx, window)
	if err != nil || n != 1 {
		t.Fatalf("PruneLoginAttempts = %d, %v; want 1", n, err)
	}
	if n := count(t, s, `SELECT count(*) FROM login_attempts WHERE key = 'c:192.0.2.1'`); n != 1 {
		t.Fatal("pruning forgot a live window")
	}
}

// The throttle's rule (auth) on the store's counts: over a client's limit, no
// key is made for a new email.
func TestLoginLimitsOnTheStore(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	ctx := context.Background()
	limits := auth.LoginLimits{PerEmail: 2, PerClient: 4, PerAccount: 100, PerDevice: 5, Window: time.Minute}
	client := netip.MustParseAddr("192.0.2.1")
	walt := auth.KeysOf("walt@breakingbad.com", client)
	for i := 1; i <= 4; i++ {
		ok, _, err := limits.Check(ctx, s, walt)
		if err != nil || ok != (i <= 2) {
			t.Fatalf("attempt %d: %v, %v", i, ok, err)
		}
	}
	before := count(t, s, `SELECT count(*) FROM login_attempts`)
	ok, wait, err := limits.Check(ctx, s, auth.KeysOf("saul@bettercall.com", client))
	if err != nil || ok || wait < 50*time.Second {
		t.Fatalf("the client's 5th attempt: %v, %v, %v; want a refusal for about a minute", ok, wait, err)
	}
	if n := count(t, s, `SELECT count(*) FROM login_attempts`); n != before {
		t.Fatalf("%d keys, %d before: a client over its limit made keys", n, before)
	}
}
