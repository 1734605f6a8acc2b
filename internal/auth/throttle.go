package auth

import (
	"sync"
	"time"
)

// LoginThrottle limits login attempts per key (an email and the client it is
// tried from). Each attempt counts as soon as it is allowed, so concurrent
// attempts cannot slip past the limit while their passwords are checked; a
// successful login clears the count. After Max attempts within Window, the key
// is refused until the window that began with its first attempt ends.
// Keying on the client too means an attacker elsewhere cannot lock the real
// owner out, and a window of a minute means a mistyping owner waits at most
// that long.
type LoginThrottle struct {
	Max    int
	Window time.Duration
	now    func() time.Time

	mu   sync.Mutex
	keys map[string]*failures
	// maxKeys bounds memory under a flood of distinct keys; past it, expired
	// keys are swept, and if none have expired new keys are not tracked.
	maxKeys   int
	lastSweep time.Time
}

// failures counts the attempts of one key in the window that began at start.
type failures struct {
	n     int
	start time.Time
}

// NewLoginThrottle allows max failures per key within window.
func NewLoginThrottle(max int, window time.Duration) *LoginThrottle {
	return &LoginThrottle{Max: max, Window: window, now: time.Now, keys: map[string]*failures{}, maxKeys: 100_000}
}

// Try reports whether key may try to log in now, and if so counts the
// attempt; if not, it reports how long to wait.
func (t *LoginThrottle) Try(key string) (ok bool, retryAfter time.Duration) {
	now := t.now()
	t.mu.Lock()
	defer t.mu.Unlock()
	f := t.keys[key]
	switch {
	case f != nil && now.Sub(f.start) < t.Window:
		if f.n >= t.Max {
			return false, f.start.Add(t.Window).Sub(now)
		}
		f.n++
	case f == nil && len(t.keys) >= t.maxKeys && !t.sweep(now):
		// Full of live keys: let the attempt through untracked rather than
		// lock everyone out.
	default:
		t.keys[key] = &failures{n: 1, start: now}
	}
	if now.Sub(t.lastSweep) >= t.Window {
		t.sweep(now)
	}
	return true, 0
}

// Succeeded clears key's failures.
func (t *LoginThrottle) Succeeded(key string) {
	t.mu.Lock()
	delete(t.keys, key)
	t.mu.Unlock()
}

// sweep drops expired keys and reports whether there is room for a new one.
func (t *LoginThrottle) sweep(now time.Time) bool {
	for k, f := range t.keys {
		if now.Sub(f.start) >= t.Window {
			delete(t.keys, k)
		}
	}
	t.lastSweep = now
	return len(t.keys) < t.maxKeys
}
