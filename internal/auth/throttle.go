package auth

import (
	"crypto/sha256"
	"encoding/hex"
	"net/netip"
	"strings"
	"time"
)

// LoginLimits are how many login attempts are allowed within a window, which
// begins with a key's first attempt: per email from one client (PerEmail;
// a success clears that count), and per client whatever the emails
// (PerClient), so that one client cannot make keys without bound, nor guess
// one password from ever new emails' keys. Keying the first on the client too
// means an attacker elsewhere cannot lock the real owner out through it (only
// through PerAccount, below), and a window of a minute means a mistyping
// owner waits at most that long. Attempts count when they start, so
// concurrent ones cannot slip past a limit while their passwords are checked. The counts live in the database (the store), so
// every server process counts the same.
type LoginLimits struct {
	PerEmail  int
	PerClient int
	// PerAccount bounds the attempts on one email from all clients
	// together, so that many addresses cannot guess one password at the
	// hash rate. Past it the account waits out the window whoever tries, its
	// owner too: the price of that bound, paid only while someone keeps
	// trying (from many addresses, or from one within PerClient).
	PerAccount int
	Window     time.Duration
}

// DefaultLoginLimits: enough for a person mistyping, or an office behind one
// address, far too few for guessing. (LOGIN_LIMIT_PER_CLIENT sets PerClient.)
var DefaultLoginLimits = LoginLimits{PerEmail: 10, PerClient: 300, PerAccount: 100, Window: time.Minute}

// LoginCount is what a key has counted in its window, this attempt included.
type LoginCount struct {
	Attempts int
	Since    time.Time // when its window began
}

// LoginCounts are what a login's keys have counted in their windows, this
// attempt included: the email from this client, the client, the email from
// any client.
type LoginCounts struct {
	Email, Client, Account LoginCount
}

// Allow reports whether an attempt with these counts may go on, at now; if
// not, how long until the last window that refuses it ends.
func (l LoginLimits) Allow(c LoginCounts, now time.Time) (ok bool, retryAfter time.Duration) {
	ok = true
	var wait time.Duration
	for _, k := range []struct {
		count LoginCount
		max   int
	}{{c.Email, l.PerEmail}, {c.Client, l.PerClient}, {c.Account, l.PerAccount}} {
		if k.max > 0 && k.count.Attempts > k.max {
			ok = false
			wait = max(wait, k.count.Since.Add(l.Window).Sub(now))
		}
	}
	if ok {
		return true, 0
	}
	return false, max(wait, time.Second)
}

// LoginKeys are the keys a login is counted under.
type LoginKeys struct {
	Email   string // the email (in any case) from the client
	Client  string // the client
	Account string // the email from any client
}

// KeysOf returns a login's keys. The email is kept only as a digest. An IPv6
// client is its /64, what one subscriber usually holds.
func KeysOf(email string, client netip.Addr) LoginKeys {
	c := clientPrefix(client)
	sum := sha256.Sum256([]byte(strings.ToLower(email)))
	e := hex.EncodeToString(sum[:16])
	return LoginKeys{Email: "e:" + e + "|" + c, Client: "c:" + c, Account: "a:" + e}
}

// clientPrefix is a's client (ClientOf) as a key: an IPv4 address without
// its /32.
func clientPrefix(a netip.Addr) string {
	p := ClientOf(a)
	if p.IsSingleIP() {
		return p.Addr().String()
	}
	return p.String()
}
