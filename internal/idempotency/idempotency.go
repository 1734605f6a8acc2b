// Package idempotency holds the rules of the Idempotency-Key header (Stripe's
// semantics): which keys are valid, whose keys they are, and what a request
// made under a key gets, given what is stored under it. The store carries
// the decision out; docs/retries.md tells clients what it means.
package idempotency

import (
	"crypto/sha256"
	"errors"
	"time"

	"github.com/google/uuid"
)

// Retention is how long a key and its answer are kept at least: a retry
// within it gets the answer again.
const Retention = 24 * time.Hour

// MaxKeyLen is the longest key, in bytes (each one printable ASCII).
const MaxKeyLen = 255

var (
	// ErrKeyInvalid: the header is empty, too long, has other than
	// printable ASCII, or is sent twice.
	ErrKeyInvalid = errors.New("Idempotency-Key must be one header of 1 to 255 printable ASCII characters")
	// ErrKeyReused: the key was used before for a request with another body.
	ErrKeyReused = errors.New("This Idempotency-Key was used with a different request body; use a new key for a new request")
	// ErrKeyInFlight: a request with the key is still being carried out.
	ErrKeyInFlight = errors.New("A request with this Idempotency-Key is still being carried out; try again shortly")
)

// CheckKey reports whether key is 1 to MaxKeyLen printable ASCII characters
// (0x20 to 0x7E): ErrKeyInvalid if not.
func CheckKey(key string) error {
	if len(key) == 0 || len(key) > MaxKeyLen {
		return ErrKeyInvalid
	}
	for i := range len(key) {
		if key[i] < 0x20 || key[i] > 0x7E {
			return ErrKeyInvalid
		}
	}
	return nil
}

// The scopes of keys: each caller has keys of its own, so another caller's
// key, however spelled, is another key.
const SignUpScope = "sign-up" // a sign-up has no caller yet: the key alone

// UserScope is the scope of the keys of the user with id.
func UserScope(id uuid.UUID) string { return "user " + id.String() }

// Request is a request made under a key: in whose scope, and the SHA-256 of
// its body's bytes, exactly as sent.
type Request struct {
	Scope  string
	Key    string
	Sha256 [sha256.Size]byte
}

// NewRequest is the request with body made under key in scope.
func NewRequest(scope, key string, body []byte) Request {
	return Request{Scope: scope, Key: key, Sha256: sha256.Sum256(body)}
}

// Answer is a response as it is stored: its status and the bytes of its
// body.
type Answer struct {
	Status int
	Body   []byte
}

// Stored is what a key holds: the hash of the request first made under it,
// and the answer that request got.
type Stored struct {
	Sha256 [sha256.Size]byte
	Answer Answer
}

// Verdict is what a request made under a key gets.
type Verdict int

const (
	// Fresh: nothing is stored under the key: the request is carried out,
	// and its answer stored with its effect.
	Fresh Verdict = iota
	// Replay: the same request again: the stored answer, byte for byte.
	Replay
	// Mismatch: another request under the same key: ErrKeyReused (422).
	Mismatch
)

// Decide says what r gets, given what its key holds (found: whether it
// holds anything).
func Decide(r Request, stored Stored, found bool) Verdict {
	switch {
	case !found:
		return Fresh
	case stored.Sha256 == r.Sha256:
		return Replay
	default:
		return Mismatch
	}
}
