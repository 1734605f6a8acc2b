package auth

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"testing"
	"time"
)

func TestLoginLimits(t *testing.T) {
	l := LoginLimits{PerEmail: 3, PerClient: 5, PerAccount: 8, PerDevice: 2, Window: time.Minute}
	t0 := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	count := func(n int, since time.Time) LoginCount { return LoginCount{Attempts: n, Since: since} }
	var none LoginCount
	for _, tc := range []struct {
		name          string
		email, client LoginCount
		account       LoginCount
		device        LoginCount
		now           time.Time
		ok            bool
		wait          time.Duration
	}{
		{"first attempt", count(1, t0), count(1, t0), count(1, t0), none, t0, true, 0},
		{"at the email's limit", count(3, t0), count(3, t0), count(3, t0), none, t0.Add(3 * time.Second), true, 0},
		{"over the email's limit", count(4, t0), count(4, t0), count(4, t0), none, t0.Add(3 * time.Second), false, 57 * time.Second},
		{"over the client's limit", count(1, t0.Add(30*time.Second)), count(6, t0), count(1, t0), none, t0.Add(40 * time.Second), false, 20 * time.Second},
		{"over both: the later end", count(4, t0.Add(10*time.Second)), count(6, t0), count(4, t0), none, t0.Add(20 * time.Second), false, 50 * time.Second},
		{"over the account's limit, from many clients", count(1, t0), count(1, t0), count(9, t0.Add(5*time.Second)), none, t0.Add(10 * time.Second), false, 55 * time.Second},
		{"a window about to end waits a second at least", count(4, t0), count(1, t0), count(4, t0), none, t0.Add(time.Minute - time.Millisecond), false, time.Second},
		{"a device token within its limit", none, none, none, count(2, t0), t0, true, 0},
		{"a device token, its account locked out", count(4, t0), count(6, t0), count(9, t0), count(1, t0), t0, true, 0},
		{"a device token over its limit", none, none, none, count(3, t0), t0.Add(15 * time.Second), false, 45 * time.Second},
	} {
		ok, wait := l.Allow(LoginCounts{Email: tc.email, Client: tc.client, Account: tc.account, Device: tc.device}, tc.now)
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
	if k4.Email == k1.Email || k4.Account != k1.Account || k4.Devices != k1.Devices {
		t.Error("two clients share an email's key, or not its account's")
	}
	if k3 := KeysOf("saul@bettercall.com", v4); k3.Devices == k1.Devices || k1.Devices == k1.Account {
		t.Error("two accounts share their device tokens' key, or it is the account's")
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

// memCounter counts login attempts in memory, in windows that begin with a
// key's first attempt, at a clock the test moves.
type memCounter struct {
	now    time.Time
	counts map[string]LoginCount
	err    error
}

func (m *memCounter) CountLoginAttempt(_ context.Context, key string, window time.Duration) (LoginCount, time.Time, error) {
	if m.err != nil {
		return LoginCount{}, time.Time{}, m.err
	}
	c, ok := m.counts[key]
	if !ok || !c.Since.Add(window).After(m.now) {
		c = LoginCount{Since: m.now}
	}
	c.Attempts++
	m.counts[key] = c
	return c, m.now, nil
}

func (m *memCounter) LoginAttempts(_ context.Context, keys []string, window time.Duration) (map[string]LoginCount, error) {
	held := map[string]LoginCount{}
	for _, k := range keys {
		if c, ok := m.counts[k]; ok && c.Since.Add(window).After(m.now) {
			held[k] = c
		}
	}
	return held, nil
}

func TestLoginLimitsCheck(t *testing.T) {
	l := LoginLimits{PerEmail: 2, PerClient: 4, PerAccount: 5, PerDevice: 2, Window: time.Minute}
	t0 := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	ctx := context.Background()
	client := netip.MustParseAddr("192.0.2.1")
	walt, saul := KeysOf("walt@breakingbad.com", client), KeysOf("saul@bettercall.com", client)
	elsewhere := KeysOf("walt@breakingbad.com", netip.MustParseAddr("198.51.100.7"))
	m := &memCounter{now: t0, counts: map[string]LoginCount{}}
	check := func(k LoginKeys, wantOK bool, wantWait time.Duration) {
		t.Helper()
		ok, wait, err := l.Check(ctx, m, k)
		if err != nil || ok != wantOK || wait != wantWait {
			t.Fatalf("Check = %v, %v, %v; want %v, %v", ok, wait, err, wantOK, wantWait)
		}
	}
	attempts := func(key string) int { return m.counts[key].Attempts }

	check(walt, true, 0)
	check(walt, true, 0)
	if attempts(walt.Client) != 2 || attempts(walt.Email) != 2 || attempts(walt.Account) != 2 {
		t.Fatalf("two attempts counted %v", m.counts)
	}
	// Over the pair's limit: refused until its window ends, and the account
	// is not counted, so this client alone cannot make the owner wait.
	m.now = t0.Add(10 * time.Second)
	check(walt, false, 50*time.Second)
	if attempts(walt.Account) != 2 {
		t.Fatalf("an attempt refused for its pair counted for the account: %d", attempts(walt.Account))
	}
	check(elsewhere, true, 0) // the owner, from elsewhere
	// The client's 5th attempt is over its limit: it counts under no other
	// key, makes none, and waits for the later of the windows that refuse.
	check(saul, true, 0)
	check(saul, false, 50*time.Second)
	if _, made := m.counts[saul.Account]; attempts(saul.Email) != 1 || !made {
		t.Fatalf("saul's keys %v", m.counts)
	}
	m.now = t0.Add(20 * time.Second)
	newcomer := KeysOf("gus@lospollos.com", client)
	check(newcomer, false, 40*time.Second)
	if _, made := m.counts[newcomer.Email]; made {
		t.Fatal("a client over its limit made a key")
	}
	// Every window has run out: all is allowed again.
	m.now = t0.Add(time.Minute)
	check(walt, true, 0)

	// A client over its limit waits for the pair's window too, when that one
	// refuses and ends later: the keys not counted are read.
	m = &memCounter{now: t0, counts: map[string]LoginCount{}}
	check(saul, true, 0)
	m.now = t0.Add(30 * time.Second)
	check(walt, true, 0)
	check(walt, true, 0)
	check(walt, false, time.Minute) // the pair's 3rd: its window ends at t0+90s
	m.now = t0.Add(40 * time.Second)
	check(walt, false, 50*time.Second) // the client's 5th; its own window ends at t0+60s

	// The owner's account from many clients.
	m = &memCounter{now: t0, counts: map[string]LoginCount{}}
	for i := range 5 {
		check(KeysOf("walt@breakingbad.com", netip.AddrFrom4([4]byte{10, 0, 0, byte(i)})), true, 0)
	}
	locked := KeysOf("walt@breakingbad.com", netip.MustParseAddr("10.0.1.1"))
	check(locked, false, time.Minute)

	// With a device token for the account, the owner counts under its key
	// alone: past the lockout, until the token's own limit.
	owner := locked
	owner.Device = "d:walt's laptop"
	check(owner, true, 0)
	check(owner, true, 0)
	if attempts(owner.Device) != 2 || attempts(owner.Client) != 1 || attempts(owner.Account) != 6 {
		t.Fatalf("a device token's attempts counted %v", m.counts)
	}
	check(owner, false, time.Minute)
	if attempts(owner.Devices) != 2 {
		t.Fatalf("an attempt refused for its token counted for the account's tokens: %d", attempts(owner.Devices))
	}

	// Each success issues a fresh token: whoever knows the password cannot
	// chain fresh tokens past the account's limit, ahead of the hash queue.
	for i := range 3 {
		owner.Device = fmt.Sprintf("d:fresh %d", i)
		check(owner, true, 0)
	}
	owner.Device = "d:fresh 3"
	check(owner, false, time.Minute)

	// The zero limits refuse, as does a counter that fails.
	if ok, _, err := (LoginLimits{}).Check(ctx, m, walt); ok || !errors.Is(err, ErrNoLoginLimits) {
		t.Errorf("zero limits: %v, %v", ok, err)
	}
	m.err = errors.New("database down")
	if ok, _, err := l.Check(ctx, m, walt); ok || !errors.Is(err, m.err) {
		t.Errorf("a failing counter: %v, %v", ok, err)
	}
}

// Limits with any one of them zero or less refuse every login, counting
// nothing.
func TestLoginLimitsCheckUnset(t *testing.T) {
	set := LoginLimits{PerEmail: 2, PerClient: 4, PerAccount: 5, PerDevice: 1, Window: time.Minute}
	for name, l := range map[string]LoginLimits{
		// Each leaves one limit unset, the rest as set.
		"no window":            {PerEmail: 2, PerClient: 4, PerAccount: 5, PerDevice: 1},
		"a negative window":    {PerEmail: 2, PerClient: 4, PerAccount: 5, PerDevice: 1, Window: -time.Minute},
		"no email limit":       {PerClient: 4, PerAccount: 5, PerDevice: 1, Window: time.Minute},
		"a negative email one": {PerEmail: -1, PerClient: 4, PerAccount: 5, PerDevice: 1, Window: time.Minute},
		"no client limit":      {PerEmail: 2, PerAccount: 5, PerDevice: 1, Window: time.Minute},
		"no account limit":     {PerEmail: 2, PerClient: 4, PerDevice: 1, Window: time.Minute},
		"no device limit":      {PerEmail: 2, PerClient: 4, PerAccount: 5, Window: time.Minute},
		"all zero":             {},
	} {
		m := &memCounter{now: time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC), counts: map[string]LoginCount{}}
		ok, _, err := l.Check(context.Background(), m, KeysOf("walt@breakingbad.com", netip.MustParseAddr("192.0.2.1")))
		if ok || !errors.Is(err, ErrNoLoginLimits) || len(m.counts) != 0 {
			t.Errorf("%s: Check = %v, %v, counting %v; want a refusal, ErrNoLoginLimits", name, ok, err, m.counts)
		}
	}
	m := &memCounter{now: time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC), counts: map[string]LoginCount{}}
	if ok, _, err := set.Check(context.Background(), m, KeysOf("walt@breakingbad.com", netip.MustParseAddr("192.0.2.1"))); !ok || err != nil {
		t.Errorf("limits all set: Check = %v, %v", ok, err)
	}
}
