package polka

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// SignatureTolerance is how far a delivery's timestamp may be from now, either
// way, so a captured delivery cannot be replayed later.
const SignatureTolerance = 5 * time.Minute

const secretPrefix = "whsec_"

var (
	ErrMissingSignatureHeaders = errors.New("webhook-id, webhook-timestamp and webhook-signature are required")
	ErrBadTimestamp            = errors.New("webhook-timestamp is not a Unix time")
	ErrTimestampOutOfTolerance = errors.New("webhook-timestamp is more than 5 minutes from now")
	ErrNoMatchingSignature     = errors.New("no webhook-signature matches")
)

// Signer signs and verifies deliveries with one secret (HMAC-SHA256, the
// "v1" scheme of Standard Webhooks).
type Signer struct {
	key []byte
}

// NewSigner parses a secret of the form whsec_<base64 key>.
func NewSigner(secret string) (*Signer, error) {
	b64, ok := strings.CutPrefix(secret, secretPrefix)
	if !ok {
		return nil, fmt.Errorf("webhook secret must start with %q", secretPrefix)
	}
	key, err := base64.StdEncoding.DecodeString(b64)
	if err != nil || len(key) == 0 {
		return nil, errors.New("webhook secret is not whsec_ followed by base64")
	}
	return &Signer{key: key}, nil
}

// NewSecret returns a new random secret of the whsec_ form, 256 bits, for
// POLKA_WEBHOOK_SECRET and the sender alike.
func NewSecret() string {
	key := make([]byte, 32)
	rand.Read(key) // never fails: crypto/rand.Read panics rather than return an error
	return secretPrefix + base64.StdEncoding.EncodeToString(key)
}

// Sign returns the webhook-signature header value for a delivery.
func (s *Signer) Sign(id string, timestamp time.Time, body []byte) string {
	return "v1," + base64.StdEncoding.EncodeToString(s.mac(id, strconv.FormatInt(timestamp.Unix(), 10), body))
}

func (s *Signer) mac(id, timestamp string, body []byte) []byte {
	m := hmac.New(sha256.New, s.key)
	m.Write([]byte(id))
	m.Write([]byte{'.'})
	m.Write([]byte(timestamp))
	m.Write([]byte{'.'})
	m.Write(body)
	return m.Sum(nil)
}

// Verify checks a delivery's headers against its raw body at time now. Any one
// of the space-separated signatures may match (senders list several while they
// rotate secrets); signatures of other schemes are skipped.
func (s *Signer) Verify(id, timestamp, signatures string, body []byte, now time.Time) error {
	if id == "" || timestamp == "" || signatures == "" {
		return ErrMissingSignatureHeaders
	}
	sec, err := strconv.ParseInt(timestamp, 10, 64)
	if err != nil {
		return ErrBadTimestamp
	}
	if d := now.Sub(time.Unix(sec, 0)); d > SignatureTolerance || d < -SignatureTolerance {
		return ErrTimestampOutOfTolerance
	}
	want := s.mac(id, timestamp, body)
	for _, sig := range strings.Fields(signatures) {
		scheme, value, ok := strings.Cut(sig, ",")
		if !ok || scheme != "v1" {
			continue
		}
		got, err := base64.StdEncoding.DecodeString(value)
		if err == nil && hmac.Equal(got, want) {
			return nil
		}
	}
	return ErrNoMatchingSignature
}
