package auth

import (
	"net/netip"
	"testing"
	"time"
)

func TestLoginLimits(t *testing.T) {
	l := LoginLimits{PerEmail: 3, PerClient: 5, PerAccount: 8, Window: time.Minute}
	t0 := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	count := func(n int, since time.Time) LoginCount { return LoginCount{Attempts: n, Since: since} }
	for _, tc := range []struct {
		name          string
		email, client LoginCount
		account       LoginCount
		now           time.Time
		ok            bool
		wait          time.Duration
	}{
		{"first attempt", count(1, t0), count(1, t0), count(1, t0), t0, true, 0},
		{"at the email's limit", count(3, t0), count(3, t0), count(3, t0), t0.Add(3 * time.Second), true, 0},
		{"over the email's limit", count(4, t0), count(4, t0), count(4, t0), t0.Add(3 * time.Second), false, 57 * time.Second},
		{"over the client's limit", count(1, t0.Add(30*time.Second)), count(6, t0), count(1, t0), t0.Add(40 * time.Second), false, 20 * time.Second},
		{"over both: the later end", count(4, t0.Add(10*time.Second)), count(6, t0), count(4, t0), t0.Add(20 * time.Second), false, 50 * time.Second},
		{"over the account's limit, from many clients", count(1, t0), count(1, t0), count(9, t0.Add(5*time.Second)), t0.Add(10 * time.Second), false, 55 * time.Second},
		{"a window about to end waits a second at least", count(4, t0), count(1, t0), count(4, t0), t0.Add(time.Minute - time.Millisecond), false, time.Second},
	} {
		ok, wait := l.Allow(LoginCounts{Email: tc.email, Client: tc.client, Account: tc.account}, tc.now)
		if ok != tc.ok || wait != tc.wait {
			t.Errorf("%s: Allow = %v, %v; want %v, %v", tc.name, ok, wait, tc.ok, tc.wait)
		}
	}
}

func TestLoginKeys(t *testing.T) {
	v4 := netip.MustParseAddr("10.0.0.1")
	k1 := KeysOf("Walt@BreakingBad.com", v4)
	k2 := KeysOf("walt@breakingbad.com", netip.MustParseAddr("::ffff:10.0.0.1"))
	if k1 != k2 || k1.Client != "c:10.0.0.1" {
		t.Errorf("the same email and client: %+v, %+v", k1, k2)
	}
	if k3 := KeysOf("saul@bettercall.com", v4); k3.Email == k1.Email || k3.Account == k1.Account {
		t.Error("two emails share a key")
	}
	k4 := KeysOf("walt@breakingbad.com", netip.MustParseAddr("10.0.0.2"))
	if k4.Email == k1.Email || k4.Account != k1.Account {
		t.Error("two clients share an email's key, or not its account's")
	}
	// An IPv6 client is its /64: an attacker does not get a key per address.
	a := KeysOf("x@y.z", netip.MustParseAddr("2001:db8:1:2::1")).Client
	b := KeysOf("x@y.z", netip.MustParseAddr("2001:db8:1:2:ffff::9")).Client
	c := KeysOf("x@y.z", netip.MustParseAddr("2001:db8:1:3::1")).Client
	if a != b || a == c || a != "c:2001:db8:1:2::/64" {
		t.Errorf("IPv6 clients: %q %q %q", a, b, c)
	}
	if len(k1.Email) > 64 || len(k1.Email) < 20 {
		t.Errorf("email key %q", k1.Email)
	}
}
