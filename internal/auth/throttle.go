package auth

import (
	"sync"
	"time"
)

// LoginThrottle limits failed logins per key (an email and the client it is
// tried from). After Max failures within Window, the key is refused until the
// window that began with its first failure ends; a successful login clears it.
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

type failures struct {
	n     int
	start time.Time
}

// NewLoginThrottle allows max failures per key within window.
func NewLoginThrottle(max int, window time.Duration) *LoginThrottle {
	return &LoginThrottle{Max: max, Window: window, now: time.Now, keys: map[string]*failures{}, maxKeys: 100_000}
}

// Allow reports whether key may try to log in now, and if not, how long it
// must wait.
func (t *LoginThrottle) Allow(key string) (ok bool, retryAfter time.Duration) {
	now := t.now()
	t.mu.Lock()
	defer t.mu.Unlock()
	f := t.keys[key]
	if f == nil || now.Sub(f.start) >= t.Window {
		return true, 0
	}
	if f.n < t.Max {
		return true, 0
	}
	return false, f.start.Add(t.Window).Sub(now)
}

// Failed records a failed login for key.
func (t *LoginThrottle) Failed(key string) {
	now := t.now()
	t.mu.Lock()
	defer t.mu.Unlock()
	f := t.keys[key]
	if f != nil && now.Sub(f.start) < t.Window {
		f.n++
		return
	}
	if f == nil && len(t.keys) >= t.maxKeys {
		t.sweep(now)
		if len(t.keys) >= t.maxKeys {
			return
		}
	}
	t.keys[key] = &failures{n: 1, start: now}
	if now.Sub(t.lastSweep) >= t.Window {
		t.sweep(now)
	}
}

// Succeeded clears key's failures.
func (t *LoginThrottle) Succeeded(key string) {
	t.mu.Lock()
	delete(t.keys, key)
	t.mu.Unlock()
}

func (t *LoginThrottle) sweep(now time.Time) {
	for k, f := range t.keys {
		if now.Sub(f.start) >= t.Window {
			delete(t.keys, k)
		}
	}
	t.lastSweep = now
}
