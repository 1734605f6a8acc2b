package auth

import (
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/google/uuid"
)

var testSecret = []byte("a test secret that is long enough")

func TestJWTRoundTrip(t *testing.T) {
	id := uuid.New()
	tok, err := MakeJWT(id, testSecret, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	got, err := ValidateJWT(tok, testSecret)
	if err != nil {
		t.Fatalf("ValidateJWT: %v", err)
	}
	if got != id {
		t.Fatalf("subject = %v, want %v", got, id)
	}

	claims := jwt.RegisteredClaims{}
	if _, _, err := jwt.NewParser().ParseUnverified(tok, &claims); err != nil {
		t.Fatal(err)
	}
	if claims.Issuer != "chirpy-access" {
		t.Errorf("iss = %q, want chirpy-access", claims.Issuer)
	}
	if d := claims.ExpiresAt.Sub(claims.IssuedAt.Time); d != time.Hour {
		t.Errorf("exp - iat = %v, want 1h", d)
	}
}

// sign makes a token with arbitrary claims and method, as an attacker or a
// foreign issuer could.
func sign(t *testing.T, method jwt.SigningMethod, claims jwt.Claims, key any) string {
	t.Helper()
	s, err := jwt.NewWithClaims(method, claims).SignedString(key)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestValidateJWTRejects(t *testing.T) {
	id := uuid.New()
	now := time.Now()
	valid := func() jwt.RegisteredClaims {
		return jwt.RegisteredClaims{
			Issuer:    AccessTokenIssuer,
			Subject:   id.String(),
			IssuedAt:  jwt.NewNumericDate(now),
			ExpiresAt: jwt.NewNumericDate(now.Add(time.Hour)),
		}
	}
	good := sign(t, jwt.SigningMethodHS256, valid(), testSecret)
	parts := strings.Split(good, ".")

	expired := valid()
	expired.IssuedAt = jwt.NewNumericDate(now.Add(-2 * time.Hour))
	expired.ExpiresAt = jwt.NewNumericDate(now.Add(-time.Hour))

	wrongIssuer := valid()
	wrongIssuer.Issuer = "chirpy-refresh"

	noIssuer := valid()
	noIssuer.Issuer = ""

	noExpiry := valid()
	noExpiry.ExpiresAt = nil

	futureIssued := valid()
	futureIssued.IssuedAt = jwt.NewNumericDate(now.Add(time.Hour))

	notUUID := valid()
	notUUID.Subject = "walt"

	// A payload whose subject is someone else, spliced onto a real signature.
	other := valid()
	other.Subject = uuid.New().String()
	otherParts := strings.Split(sign(t, jwt.SigningMethodHS256, other, testSecret), ".")
	tampered := parts[0] + "." + otherParts[1] + "." + parts[2]

	// Times that are strings, not NumericDates, signed with the right secret.
	stringTime := func(claim string) string {
		claims := jwt.MapClaims{"iss": AccessTokenIssuer, "sub": id.String(), "iat": now.Unix(), "exp": now.Add(time.Hour).Unix()}
		claims[claim] = fmt.Sprint(claims[claim])
		tok, err := jwt.NewWithClaims(jwt.SigningMethodHS256, claims).SignedString(testSecret)
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}

	noneHeader := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"none","typ":"JWT"}`))
	algNone := noneHeader + "." + parts[1] + "."

	tests := map[string]string{
		"empty":            "",
		"garbage":          "badToken",
		"refresh token":    MakeRefreshToken(),
		"expired":          sign(t, jwt.SigningMethodHS256, expired, testSecret),
		"wrong secret":     sign(t, jwt.SigningMethodHS256, valid(), []byte("another secret")),
		"wrong issuer":     sign(t, jwt.SigningMethodHS256, wrongIssuer, testSecret),
		"no issuer":        sign(t, jwt.SigningMethodHS256, noIssuer, testSecret),
		"no expiry":        sign(t, jwt.SigningMethodHS256, noExpiry, testSecret),
		"issued in future": sign(t, jwt.SigningMethodHS256, futureIssued, testSecret),
		"subject not uuid": sign(t, jwt.SigningMethodHS256, notUUID, testSecret),
		"HS512":            sign(t, jwt.SigningMethodHS512, valid(), testSecret),
		"alg none":         algNone,
		"tampered payload": tampered,
		"no signature":     parts[0] + "." + parts[1] + ".",
		"exp a string":     stringTime("exp"),
		"iat a string":     stringTime("iat"),
	}
	for name, tok := range tests {
		t.Run(name, func(t *testing.T) {
			got, err := ValidateJWT(tok, testSecret)
			if !errors.Is(err, ErrInvalidToken) {
				t.Fatalf("ValidateJWT = %v, %v; want ErrInvalidToken", got, err)
			}
			if got != uuid.Nil {
				t.Fatalf("ValidateJWT returned user %v for a rejected token", got)
			}
		})
	}
}

func TestValidateJWTLeeway(t *testing.T) {
	// A token that expired a moment ago, as seen from a server whose clock
	// runs slightly behind the issuer's, is still accepted.
	id := uuid.New()
	tok, err := MakeJWT(id, testSecret, -2*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := ValidateJWT(tok, testSecret); err != nil || got != id {
		t.Fatalf("ValidateJWT = %v, %v; want %v within the leeway", got, err, id)
	}
}

func TestRefreshToken(t *testing.T) {
	a, b := MakeRefreshToken(), MakeRefreshToken()
	if len(a) != 64 || strings.Trim(a, "0123456789abcdef") != "" {
		t.Fatalf("refresh token %q is not 64 lowercase hex characters", a)
	}
	if a == b {
		t.Fatal("two refresh tokens are equal")
	}
	h := HashRefreshToken(a)
	if h == a || len(h) != 64 || h != HashRefreshToken(a) || h == HashRefreshToken(b) {
		t.Fatalf("HashRefreshToken(%q) = %q: not a stable, distinct digest", a, h)
	}
	// Known answer: SHA-256 of the empty string.
	if got := HashRefreshToken(""); got != "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" {
		t.Fatalf("HashRefreshToken(\"\") = %s", got)
	}
}

// An empty secret is no secret: anyone could sign with it. Nothing is signed
// with it, and nothing is accepted.
func TestJWTEmptySecret(t *testing.T) {
	id := uuid.New()
	if tok, err := MakeJWT(id, nil, time.Hour); err == nil {
		t.Fatalf("MakeJWT with no secret = %q, want an error", tok)
	}
	now := time.Now()
	forged := sign(t, jwt.SigningMethodHS256, jwt.RegisteredClaims{Issuer: AccessTokenIssuer, Subject: id.String(),
		IssuedAt: jwt.NewNumericDate(now), ExpiresAt: jwt.NewNumericDate(now.Add(time.Hour))}, []byte{})
	if got, err := ValidateJWT(forged, []byte{}); !errors.Is(err, ErrInvalidToken) {
		t.Fatalf("ValidateJWT with no secret = %v, %v; want ErrInvalidToken", got, err)
	}
}

// Times are numbers whatever digit they start with: 0 (the epoch) and
// 9999999999 (the year 2286) are as good as any.
func TestValidateJWTTimesOfEveryDigit(t *testing.T) {
	id := uuid.New()
	tok, err := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims{
		"iss": AccessTokenIssuer, "sub": id.String(), "iat": 0, "nbf": 0, "exp": 9999999999,
	}).SignedString(testSecret)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := ValidateJWT(tok, testSecret); err != nil || got != id {
		t.Fatalf("ValidateJWT = %v, %v; want %v", got, err, id)
	}
}
