package auth

import (
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
)

func TestDeviceToken(t *testing.T) {
	secret := []byte("a secret of at least thirty-two bytes")
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	walt := uuid.New()
	const hash = "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA"
	token, err := MakeDeviceToken(walt, hash, secret, now)
	if err != nil {
		t.Fatal(err)
	}
	d, ok := ParseDeviceToken(token, secret, now.Add(DeviceTokenTTL-time.Second))
	if !ok || d.UserID != walt || !strings.HasPrefix(d.Key, "d:") {
		t.Fatalf("ParseDeviceToken = %+v, %v", d, ok)
	}
	// The token is the account's while its password is the one it had.
	if !d.IssuedTo(walt, hash, secret) {
		t.Error("a device token is not its account's")
	}
	if d.IssuedTo(uuid.New(), hash, secret) || d.IssuedTo(walt, hash+"x", secret) || d.IssuedTo(walt, "", secret) {
		t.Error("a device token passed for another account's, or for its account's after a new password")
	}
	again, err := MakeDeviceToken(walt, hash, secret, now)
	if err != nil {
		t.Fatal(err)
	}
	if d2, ok := ParseDeviceToken(again, secret, now); !ok || d2.Key == d.Key {
		t.Errorf("a second device token: %+v, %v; want its own key", d2, ok)
	}
	flipped := []byte(token)
	flipped[3] ^= 1 // in the user id
	access, err := MakeJWT(walt, secret, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	for name, bad := range map[string]struct {
		token  string
		secret []byte
		now    time.Time
	}{
		"expired":         {token, secret, now.Add(DeviceTokenTTL)},
		"another secret":  {token, []byte("another secret of thirty-two bytes"), now},
		"no secret":       {token, nil, now},
		"tampered":        {string(flipped), secret, now},
		"cut short":       {token[:len(token)-2], secret, now},
		"an access token": {access, secret, now},
		"empty":           {"", secret, now},
	} {
		if d, ok := ParseDeviceToken(bad.token, bad.secret, bad.now); ok {
			t.Errorf("%s: ParseDeviceToken = %+v, accepted", name, d)
		}
	}
	if _, err := ValidateJWT(token, secret); err == nil {
		t.Error("a device token passed for an access token")
	}
	if _, err := MakeDeviceToken(walt, hash, nil, now); err == nil {
		t.Error("a device token signed with no secret")
	}
}
