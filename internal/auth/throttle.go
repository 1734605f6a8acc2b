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
// means an attacker elsewhere cannot lock the real owner out, and a window of
// a minute means a mistyping owner waits at most that long. Attempts count
// when they start, so concurrent ones cannot slip past a limit while their
// passwords are checked. The counts live in the database (the store), so
// every server process counts the same.
type LoginLimits struct {
	PerEmail  int
	PerClient int
	Window    time.Duration
}

// DefaultLoginLimits: enough for a person mistyping, or an office behind one
// address, far too few for guessing. (LOGIN_LIMIT_PER_CLIENT sets PerClient.)
var DefaultLoginLimits = LoginLimits{PerEmail: 10, PerClient: 300, Window: time.Minute}

// LoginCount is what a key has counted in its window, this attempt included.
type LoginCount struct {
	Attempts int
	Since    time.Time // when its window began
}

// Allow reports whether an attempt with these counts may go on, at now; if
// not, how long until the window that refuses it ends.
func (l LoginLimits) Allow(email, client LoginCount, now time.Time) (ok bool, retryAfter time.Duration) {
	var wait time.Duration
	for _, c := range []struct {
		count LoginCount
		max   int
	}{{email, l.PerEmail}, {client, l.PerClient}} {
		if c.count.Attempts > c.max {
			wait = max(wait, c.count.Since.Add(l.Window).Sub(now))
		}
	}
	if wait == 0 && email.Attempts <= l.PerEmail && client.Attempts <= l.PerClient {
		return true, 0
	}
	return false, max(wait, time.Second)
}

// LoginKeys returns the keys a login is counted under: the email (in any
// case) from the client, and the client. The email is kept only as a digest.
// An IPv6 client is its /64, what one subscriber usually holds.
func LoginKeys(email string, client netip.Addr) (emailKey, clientKey string) {
	c := clientPrefix(client)
	sum := sha256.Sum256([]byte(strings.ToLower(email)))
	return "e:" + hex.EncodeToString(sum[:16]) + "|" + c, "c:" + c
}

func clientPrefix(a netip.Addr) string {
	a = a.Unmap()
	if a.Is6() {
		p, _ := a.Prefix(64)
		return p.String()
	}
	return a.String()
}
