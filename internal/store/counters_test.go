package store_test

import (
	"context"
	"net/netip"
	"testing"
	"time"

	"chirpy/internal/auth"
)

// The login throttle's counts: a client over its limit adds to no other key,
// an attempt over its email's limit adds nothing to the account, and the
// counts it did not add to are still reported, so that the wait covers every
// window that refuses.
func TestCountLoginAttempt(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	ctx := context.Background()
	limits := auth.LoginLimits{PerEmail: 2, PerClient: 4, PerAccount: 100, Window: time.Minute}
	walt := auth.KeysOf("walt@breakingbad.com", netip.MustParseAddr("192.0.2.1"))
	try := func(keys auth.LoginKeys) auth.LoginCounts {
		t.Helper()
		c, _, err := s.CountLoginAttempt(ctx, keys, limits)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	for i := 1; i <= 2; i++ {
		if c := try(walt); c.Client.Attempts != i || c.Email.Attempts != i || c.Account.Attempts != i {
			t.Fatalf("attempt %d counted %+v", i, c)
		}
	}
	// Over its email's limit: the account is not counted, but reported.
	if c := try(walt); c.Email.Attempts != 3 || c.Account.Attempts != 2 {
		t.Fatalf("attempt 3 counted %+v; want the pair at 3, the account still at 2", c)
	}
	// The pair's window began a while before the client's: once the client
	// is over its limit too, both are reported, and the wait is the later.
	exec(t, s, `UPDATE login_attempts SET window_start = now() - interval '50 seconds' WHERE key = $1`, walt.Client)
	exec(t, s, `UPDATE login_attempts SET window_start = now() - interval '10 seconds' WHERE key = $1`, walt.Email)
	try(walt) // the client's 4th
	c, now, err := s.CountLoginAttempt(ctx, walt, limits)
	if err != nil {
		t.Fatal(err)
	}
	if c.Client.Attempts != 5 || c.Email.Attempts != 4 || c.Account.Attempts != 2 {
		t.Fatalf("over the client's limit: %+v", c)
	}
	ok, wait := limits.Allow(c, now)
	if ok || wait < 45*time.Second {
		t.Fatalf("Allow = %v, wait %v; want a refusal until the pair's window ends, about 50 s", ok, wait)
	}
	// Over its limit, the client makes no key for a new email.
	before := count(t, s, `SELECT count(*) FROM login_attempts`)
	try(auth.KeysOf("saul@bettercall.com", netip.MustParseAddr("192.0.2.1")))
	if n := count(t, s, `SELECT count(*) FROM login_attempts`); n != before {
		t.Fatalf("%d keys, %d before: a client over its limit made keys", n, before)
	}
}
