package auth

import (
	"context"
	"crypto/rand"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/alexedwards/argon2id"
)

// MaxPasswordBytes caps what a client may send as a password. Short passwords
// are allowed (course clients use "123456"); huge ones would only make every
// hash slower.
const MaxPasswordBytes = 1024

// PasswordParams are OWASP's minimum recommendation for argon2id: 19 MiB of
// memory, 2 passes, 1 lane. Each hash therefore holds 19 MiB while it runs.
var PasswordParams = argon2id.Params{
	Memory:      19 * 1024,
	Iterations:  2,
	Parallelism: 1,
	SaltLength:  16,
	KeyLength:   32,
}

// TestPasswordParams hash far too cheaply for real passwords (64 KiB, one
// pass): for test suites, which hash thousands (PASSWORD_HASH_COST=test).
var TestPasswordParams = argon2id.Params{
	Memory:      64,
	Iterations:  1,
	Parallelism: 1,
	SaltLength:  16,
	KeyLength:   32,
}

// Hasher hashes and checks passwords with a bounded number of hashes running at
// once, so a storm of logins queues for a slot instead of allocating memory
// without bound.
type Hasher struct {
	params argon2id.Params
	slots  chan struct{}
	// first is a lane of slots of its own for the logins of returning
	// users (CheckFirst), who take a slot of either, whichever frees first:
	// a queue of others does not hold them up, and no more than
	// cap(slots)+cap(first) hashes ever run at once.
	first chan struct{}
	// hashes counts the hashes computed, made or checked (for metrics and
	// tests).
	hashes atomic.Int64
	// OnWait, if set, learns how long each hash waited for its slot (for
	// metrics). Set it before the Hasher is used.
	OnWait func(time.Duration)
	// decoy is the hash of a random password. Checking a login for an unknown
	// email against it costs as much as checking a real one, so response times
	// do not tell which emails have accounts.
	decoy string
}

// NewHasher returns a Hasher that runs at most concurrency hashes at a time,
// and half as many again (rounded up) for returning users (CheckFirst).
func NewHasher(params argon2id.Params, concurrency int) (*Hasher, error) {
	if concurrency < 1 { // (<= 1 would do the same: it sets 1 to 1)
		concurrency = 1
	}
	h := &Hasher{params: params, slots: make(chan struct{}, concurrency), first: make(chan struct{}, (concurrency+1)/2)}
	decoy, err := argon2id.CreateHash(rand.Text(), &h.params)
	if err != nil {
		return nil, fmt.Errorf("create decoy hash: %w", err)
	}
	h.decoy = decoy
	return h, nil
}

// Hash returns the argon2id hash of password in the PHC string format, which
// records its own parameters.
func (h *Hasher) Hash(ctx context.Context, password string) (string, error) {
	if len(password) > MaxPasswordBytes {
		return "", ErrPasswordTooLong
	}
	lane, err := h.acquire(ctx, false)
	if err != nil {
		return "", err
	}
	defer func() { <-lane }()
	h.hashes.Add(1)
	hash, err := argon2id.CreateHash(password, &h.params)
	if err != nil {
		return "", fmt.Errorf("hash password: %w", err)
	}
	return hash, nil
}

// Check reports whether password matches hash. Hashes made with other
// parameters still verify, since the hash carries its own.
func (h *Hasher) Check(ctx context.Context, password, hash string) (bool, error) {
	return h.check(ctx, password, hash, false)
}

// CheckFirst is Check for a returning user (a valid device token): it may
// also take a slot of the lane kept for them, ahead of the others' queue.
func (h *Hasher) CheckFirst(ctx context.Context, password, hash string) (bool, error) {
	return h.check(ctx, password, hash, true)
}

func (h *Hasher) check(ctx context.Context, password, hash string, first bool) (bool, error) {
	if len(password) > MaxPasswordBytes {
		return false, nil
	}
	lane, err := h.acquire(ctx, first)
	if err != nil {
		return false, err
	}
	defer func() { <-lane }()
	h.hashes.Add(1)
	ok, err := argon2id.ComparePasswordAndHash(password, hash)
	if err != nil {
		return false, fmt.Errorf("check password: %w", err)
	}
	return ok, nil
}

// CheckDecoy spends the same work as Check for a login whose email has no
// account. It always reports a mismatch.
func (h *Hasher) CheckDecoy(ctx context.Context, password string) error {
	_, err := h.Check(ctx, password, h.decoy)
	return err
}

// Hashes returns how many hashes h has computed.
func (h *Hasher) Hashes() int64 { return h.hashes.Load() }

// acquire waits for a slot, of either lane if first, and returns the lane it
// holds one of, to give it back to.
func (h *Hasher) acquire(ctx context.Context, first bool) (chan struct{}, error) {
	start := time.Now()
	defer func() {
		if h.OnWait != nil {
			h.OnWait(time.Since(start))
		}
	}()
	var firstLane chan struct{} // nil, never ready, unless first
	if first {
		firstLane = h.first
	}
	select {
	case h.slots <- struct{}{}:
		return h.slots, nil
	case firstLane <- struct{}{}:
		return firstLane, nil
	case <-ctx.Done():
		return nil, fmt.Errorf("wait for a password hashing slot: %w", ctx.Err())
	}
}
