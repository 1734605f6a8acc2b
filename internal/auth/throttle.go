package auth

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
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
	// PerDevice bounds the attempts with one device token (OWASP's device
	// cookies): a login that brings a valid one for its own account counts
	// under it, past the other limits, so that guessing elsewhere locks no
	// returning user out, and a stolen token guesses slowly. Such logins to
	// one account count together too, under PerAccount: each success issues
	// a fresh token, so without that bound whoever knows an account's
	// password could log in to it without limit, ahead of the hash queue,
	// and crowd the returning users' lane.
	PerDevice int
	Window    time.Duration
}

// DefaultLoginLimits: enough for a person mistyping, or an office behind one
// address, far too few for guessing. (LOGIN_LIMIT_PER_CLIENT sets PerClient.)
var DefaultLoginLimits = LoginLimits{PerEmail: 10, PerClient: 300, PerAccount: 100, PerDevice: 5, Window: time.Minute}

// LoginCount is what a key has counted in its window, this attempt included.
type LoginCount struct {
	Attempts int
	Since    time.Time // when its window began
}

// LoginCounts are what a login's keys have counted in their windows, this
// attempt included: the email from this client, the client, the email from
// any client; or, for a login with a device token, that token's and its
// account's device-token logins (Devices).
type LoginCounts struct {
	Email, Client, Account, Device, Devices LoginCount
}

// ErrNoLoginLimits is the error of Check on the zero LoginLimits, which
// would allow nothing, or everything: a server left without limits fails
// closed.
var ErrNoLoginLimits = errors.New("login limits not set")

// LoginCounter keeps the counts of login attempts (the store, so that every
// server process counts the same).
type LoginCounter interface {
	// CountLoginAttempt counts one attempt under key, in a window of the
	// given length that begins with the key's first attempt, and returns
	// what the key has counted in it, this attempt included, and the time
	// now, as the windows are kept.
	CountLoginAttempt(ctx context.Context, key string, window time.Duration) (LoginCount, time.Time, error)
	// LoginAttempts returns what keys have counted in windows that have not
	// run out, counting nothing. A key without one is absent.
	LoginAttempts(ctx context.Context, keys []string, window time.Duration) (map[string]LoginCount, error)
}

// Check counts a login attempt under its keys, and reports whether it may go
// on; if not, how long until the last window that refuses it ends. The keys
// are counted in turn: the client first, and a client over its limit counts
// under no other key, so that it cannot make keys without bound; then the
// email from this client, and an attempt refused for that pair does not
// count for the account, so that one client alone cannot make the account's
// owner wait; then the account. The keys not counted are still read, so that
// the wait covers every window that refuses. A login with a device token
// counts under its key and then, unless that refuses it, under its
// account's device-token logins (so a stolen token's refused guesses do not
// make its owner wait).
func (l LoginLimits) Check(ctx context.Context, c LoginCounter, k LoginKeys) (ok bool, retryAfter time.Duration, err error) {
	if l.Window <= 0 || l.PerEmail <= 0 || l.PerClient <= 0 || l.PerAccount <= 0 || l.PerDevice <= 0 {
		return false, 0, ErrNoLoginLimits
	}
	var counts LoginCounts
	var now time.Time
	if k.Device != "" {
		if counts.Device, now, err = c.CountLoginAttempt(ctx, k.Device, l.Window); err != nil {
			return false, 0, err
		}
		if counts.Device.Attempts <= l.PerDevice {
			if counts.Devices, _, err = c.CountLoginAttempt(ctx, k.Devices, l.Window); err != nil {
				return false, 0, err
			}
		} else {
			held, err := c.LoginAttempts(ctx, []string{k.Devices}, l.Window)
			if err != nil {
				return false, 0, err
			}
			counts.Devices = held[k.Devices]
		}
		ok, retryAfter = l.Allow(counts, now)
		return ok, retryAfter, nil
	}
	if counts.Client, now, err = c.CountLoginAttempt(ctx, k.Client, l.Window); err != nil {
		return false, 0, err
	}
	if counts.Client.Attempts <= l.PerClient {
		if counts.Email, _, err = c.CountLoginAttempt(ctx, k.Email, l.Window); err != nil {
			return false, 0, err
		}
		if counts.Email.Attempts <= l.PerEmail {
			if counts.Account, _, err = c.CountLoginAttempt(ctx, k.Account, l.Window); err != nil {
				return false, 0, err
			}
		}
	}
	if counts.Account.Attempts == 0 { // a key was not counted: read what it holds
		held, err := c.LoginAttempts(ctx, []string{k.Email, k.Account}, l.Window)
		if err != nil {
			return false, 0, err
		}
		if counts.Email.Attempts == 0 {
			counts.Email = held[k.Email]
		}
		counts.Account = held[k.Account]
	}
	ok, retryAfter = l.Allow(counts, now)
	return ok, retryAfter, nil
}

// Allow reports whether an attempt with these counts may go on, at now; if
// not, how long until the last window that refuses it ends. An attempt with
// a device token is held to that token's limit and its account's
// device-token logins' (PerAccount) only.
func (l LoginLimits) Allow(c LoginCounts, now time.Time) (ok bool, retryAfter time.Duration) {
	type limit struct {
		count LoginCount
		max   int
	}
	limits := []limit{{c.Email, l.PerEmail}, {c.Client, l.PerClient}, {c.Account, l.PerAccount}}
	if c.Device.Attempts > 0 {
		limits = []limit{{c.Device, l.PerDevice}, {c.Devices, l.PerAccount}}
	}
	ok = true
	var wait time.Duration
	for _, k := range limits {
		if k.count.Attempts > k.max {
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
	// Device is a device token's key (Device.Key), set only for a token
	// issued to the account whose email this is: then it and Devices are
	// the only keys counted.
	Device string
	// Devices is the email with any device token of its account.
	Devices string
}

// KeysOf returns a login's keys. The email is kept only as a digest. An IPv6
// client is its /64, what one subscriber usually holds.
func KeysOf(email string, client netip.Addr) LoginKeys {
	c := clientPrefix(client)
	sum := sha256.Sum256([]byte(strings.ToLower(email)))
	e := hex.EncodeToString(sum[:16])
	return LoginKeys{Email: "e:" + e + "|" + c, Client: "c:" + c, Account: "a:" + e, Devices: "v:" + e}
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
