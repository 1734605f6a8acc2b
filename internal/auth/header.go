package auth

import (
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"net/http"
	"strings"
)

var (
	ErrNoAuthHeader        = errors.New("missing Authorization header")
	ErrMalformedAuthHeader = errors.New("malformed Authorization header")
)

// GetBearerToken returns the token of an "Authorization: Bearer <token>"
// header.
func GetBearerToken(h http.Header) (string, error) {
	return credentials(h, "Bearer")
}

// GetAPIKey returns the key of an "Authorization: ApiKey <key>" header.
func GetAPIKey(h http.Header) (string, error) {
	return credentials(h, "ApiKey")
}

// credentials parses "<scheme> <value>". The scheme is matched without regard
// to ASCII case (RFC 9110 §11.1: schemes are ASCII tokens, so the Kelvin sign
// is no "k"); the value must be a single non-empty word.
func credentials(h http.Header, scheme string) (string, error) {
	values := h.Values("Authorization")
	if len(values) > 1 {
		// Which one counts would be up to whoever reads them: a proxy and
		// the server could disagree.
		return "", ErrMalformedAuthHeader
	}
	if len(values) == 0 || values[0] == "" {
		return "", ErrNoAuthHeader
	}
	v := values[0]
	s, value, ok := strings.Cut(v, " ")
	if !ok || !equalFoldASCII(s, scheme) {
		return "", ErrMalformedAuthHeader
	}
	value = strings.Trim(value, " ")
	if value == "" || strings.ContainsAny(value, " \t") {
		return "", ErrMalformedAuthHeader
	}
	return value, nil
}

func equalFoldASCII(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		x, y := a[i], b[i]
		if 'A' <= x && x <= 'Z' {
			x += 'a' - 'A'
		}
		if 'A' <= y && y <= 'Z' {
			y += 'a' - 'A'
		}
		if x != y {
			return false
		}
	}
	return true
}

// APIKeys is a set of accepted API keys. Several keys let one be rotated
// without downtime: add the new key, move the sender over, remove the old.
type APIKeys struct {
	digests [][sha256.Size]byte
}

// NewAPIKeys accepts each non-empty key in keys.
func NewAPIKeys(keys []string) APIKeys {
	var k APIKeys
	for _, key := range keys {
		if key != "" {
			k.digests = append(k.digests, sha256.Sum256([]byte(key)))
		}
	}
	return k
}

// Valid reports whether key is one of the accepted keys. It compares digests in
// constant time and checks every key, so timing reveals neither the key nor
// which of them matched.
func (k APIKeys) Valid(key string) bool {
	d := sha256.Sum256([]byte(key))
	match := 0
	for i := range k.digests {
		match |= subtle.ConstantTimeCompare(d[:], k.digests[i][:])
	}
	return match == 1
}
