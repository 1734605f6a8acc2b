package auth

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"time"

	"github.com/google/uuid"
)

// DeviceTokenTTL is how long a device token is accepted after the login that
// issued it (OWASP's device cookies: a returning user is recognised).
const DeviceTokenTTL = 365 * 24 * time.Hour

// A device token is base64url(user id | nonce | expiry | password print |
// HMAC-SHA256 of them), under a key of its own derived from the JWT secret:
// it is no JWT, so it can never pass for an access token, nor one for it.
// The password print ties it to the account's password hash when it was
// issued, so that a new password retires every token issued before: whoever
// logged in with the old one (a thief, until the owner changed it) keeps no
// way past the account's lockout.
const (
	deviceNonceBytes   = 16
	devicePrintBytes   = 8
	devicePayloadBytes = 16 + deviceNonceBytes + 8 + devicePrintBytes
	deviceTokenBytes   = devicePayloadBytes + sha256.Size
)

// Device is what a valid device token says: whose login it was, and the key
// its attempts are counted under (LoginKeys.Device). IssuedTo says whether
// it is still that account's.
type Device struct {
	UserID uuid.UUID
	Key    string
	print  [devicePrintBytes]byte
}

// IssuedTo reports whether d was issued to the account with id userID while
// its password hash was passwordHash.
func (d Device) IssuedTo(userID uuid.UUID, passwordHash string, secret []byte) bool {
	p := passwordPrint(passwordHash, secret)
	return hmac.Equal(d.print[:], p[:]) && d.UserID == userID
}

// deviceKey derives the device tokens' key from the JWT secret.
func deviceKey(secret []byte) []byte {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte("chirpy device token"))
	return m.Sum(nil)
}

// passwordPrint is what a device token keeps of a password hash: keyed, so
// that it tells nothing of the hash without the secret.
func passwordPrint(passwordHash string, secret []byte) (p [devicePrintBytes]byte) {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte("chirpy device token password\x00"))
	m.Write([]byte(passwordHash))
	copy(p[:], m.Sum(nil))
	return p
}

// MakeDeviceToken returns a new device token for the account with id userID
// and password hash passwordHash, valid from now for DeviceTokenTTL.
func MakeDeviceToken(userID uuid.UUID, passwordHash string, secret []byte, now time.Time) (string, error) {
	if len(secret) == 0 {
		return "", fmt.Errorf("sign device token: %w", errNoSecret)
	}
	b := make([]byte, devicePayloadBytes, deviceTokenBytes)
	copy(b, userID[:])
	rand.Read(b[16 : 16+deviceNonceBytes]) // never fails (crypto/rand)
	binary.BigEndian.PutUint64(b[16+deviceNonceBytes:], uint64(now.Add(DeviceTokenTTL).Unix()))
	p := passwordPrint(passwordHash, secret)
	copy(b[16+deviceNonceBytes+8:], p[:])
	m := hmac.New(sha256.New, deviceKey(secret))
	m.Write(b)
	return base64.RawURLEncoding.EncodeToString(m.Sum(b)), nil
}

// ParseDeviceToken reports whether token is a device token this secret
// signed that has not expired at now, and what it says.
func ParseDeviceToken(token string, secret []byte, now time.Time) (Device, bool) {
	if len(token) != base64.RawURLEncoding.EncodedLen(deviceTokenBytes) { // (the decoder skips newlines)
		return Device{}, false
	}
	// Strict: the last character's spare bits must be zero, or two
	// spellings would be one token.
	b, err := base64.RawURLEncoding.Strict().DecodeString(token)
	if err != nil || len(b) != deviceTokenBytes || len(secret) == 0 {
		return Device{}, false
	}
	m := hmac.New(sha256.New, deviceKey(secret))
	m.Write(b[:devicePayloadBytes])
	if !hmac.Equal(m.Sum(nil), b[devicePayloadBytes:]) {
		return Device{}, false
	}
	if exp := int64(binary.BigEndian.Uint64(b[16+deviceNonceBytes:])); now.Unix() >= exp {
		return Device{}, false
	}
	d := Device{UserID: uuid.UUID(b[:16]), Key: "d:" + hex.EncodeToString(b[16:16+deviceNonceBytes])}
	copy(d.print[:], b[16+deviceNonceBytes+8:])
	return d, true
}
