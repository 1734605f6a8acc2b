package auth

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/google/uuid"
)

const (
	// AccessTokenIssuer is the iss claim of every access token.
	AccessTokenIssuer = "chirpy-access"
	// AccessTokenTTL is the lifetime of every access token; clients cannot
	// ask for another.
	AccessTokenTTL = time.Hour
	// clockLeeway tolerates small clock differences between the servers that
	// issue and check a token: a token is accepted up to 5 s past its exp.
	clockLeeway = 5 * time.Second
)

// ErrInvalidToken covers every way an access token can fail: malformed,
// wrongly signed, of another algorithm, expired, or from another issuer.
var ErrInvalidToken = errors.New("invalid access token")

// errNoSecret: HS256 takes an empty key, with which anyone could sign.
var errNoSecret = errors.New("no secret")

// accessParser accepts only what MakeJWT produces: HS256, with exp and the
// Chirpy issuer. Without WithValidMethods a token could name its own algorithm.
var accessParser = jwt.NewParser(
	jwt.WithValidMethods([]string{jwt.SigningMethodHS256.Alg()}),
	jwt.WithExpirationRequired(),
	jwt.WithIssuer(AccessTokenIssuer),
	jwt.WithIssuedAt(),
	jwt.WithLeeway(clockLeeway),
)

// MakeJWT returns an HS256 access token for userID that expires after
// expiresIn.
func MakeJWT(userID uuid.UUID, secret []byte, expiresIn time.Duration) (string, error) {
	if len(secret) == 0 {
		return "", fmt.Errorf("sign access token: %w", errNoSecret)
	}
	now := time.Now()
	claims := jwt.RegisteredClaims{
		Issuer:    AccessTokenIssuer,
		Subject:   userID.String(),
		IssuedAt:  jwt.NewNumericDate(now),
		ExpiresAt: jwt.NewNumericDate(now.Add(expiresIn)),
	}
	signed, err := jwt.NewWithClaims(jwt.SigningMethodHS256, claims).SignedString(secret)
	if err != nil {
		return "", fmt.Errorf("sign access token: %w", err)
	}
	return signed, nil
}

// accessClaims are an access token's claims, read strictly: the times must
// be JSON numbers, as RFC 7519 says (a NumericDate). jwt's own type also
// takes a string such as "1767225600".
type accessClaims struct {
	jwt.RegisteredClaims
}

func (c *accessClaims) UnmarshalJSON(b []byte) error {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil {
		return err
	}
	for _, name := range []string{"exp", "iat", "nbf"} {
		if v, ok := raw[name]; ok && (len(v) == 0 || (v[0] != '-' && (v[0] < '0' || v[0] > '9'))) {
			return fmt.Errorf("claim %q is not a number", name)
		}
	}
	return json.Unmarshal(b, &c.RegisteredClaims)
}

// ValidateJWT checks an access token and returns the user it was issued to.
// Every failure wraps ErrInvalidToken.
func ValidateJWT(token string, secret []byte) (uuid.UUID, error) {
	var claims accessClaims
	_, err := accessParser.ParseWithClaims(token, &claims, func(*jwt.Token) (any, error) {
		if len(secret) == 0 {
			return nil, errNoSecret
		}
		return secret, nil
	})
	if err != nil {
		return uuid.Nil, fmt.Errorf("%w: %w", ErrInvalidToken, err)
	}
	userID, err := uuid.Parse(claims.Subject)
	if err != nil {
		return uuid.Nil, fmt.Errorf("%w: subject is not a user id", ErrInvalidToken)
	}
	return userID, nil
}
