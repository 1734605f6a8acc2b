package auth

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"time"
)

// RefreshTokenTTL is how long a refresh token works unless it is revoked.
const RefreshTokenTTL = 60 * 24 * time.Hour

// MakeRefreshToken returns 256 random bits as 64 lowercase hex characters.
func MakeRefreshToken() string {
	b := make([]byte, 32)
	rand.Read(b) // never fails: crypto/rand.Read panics rather than return an error
	return hex.EncodeToString(b)
}

// HashRefreshToken returns the SHA-256 of token in hex: the only form in which
// a refresh token is stored. A token has 256 bits of entropy, so a fast hash
// is enough; a slow one would only slow down every refresh.
func HashRefreshToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}
