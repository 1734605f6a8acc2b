package auth

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/google/uuid"
)

// fuzzHeaderSeeds are Authorization values for both schemes.
var fuzzHeaderSeeds = []string{
	"",
	" ",
	"Bearer",
	"Bearer ",
	"Bearer  ",
	"Bearer abc.def.ghi",
	"bearer abc",
	"BEARER abc",
	"bEaReR abc",
	"Bearer  abc ",
	"Bearer a b",
	"Bearer a\tb",
	"Bearer\tabc",
	"Bearer\u00a0abc",
	" Bearer abc",
	"Bearerabc",
	"Bearer: abc",
	"Bearer abc\r\n",
	"Bearer \x00",
	"Bearer tökén",
	"Basic dXNlcjpwYXNz",
	"ApiKey",
	"ApiKey ",
	"ApiKey f271c81ff7084ee5b99a5091b42d486e",
	"apikey k",
	"APIKEY k",
	"ApiKey a b",
	"ApiKey\tk",
	"ApiKeyk",
	"Api Key k",
	"Token k",
}

// fuzzHasSchemePrefix reports whether v starts with scheme and a space,
// ignoring ASCII case: an auth-scheme is an HTTP token, which is ASCII, and
// "case-insensitive" in RFC 9110 means ASCII case.
func fuzzHasSchemePrefix(v, scheme string) bool {
	if len(v) <= len(scheme) || v[len(scheme)] != ' ' {
		return false
	}
	for i := 0; i < len(scheme); i++ {
		a, b := v[i], scheme[i]
		if 'A' <= a && a <= 'Z' {
			a += 'a' - 'A'
		}
		if 'A' <= b && b <= 'Z' {
			b += 'a' - 'A'
		}
		if a != b {
			return false
		}
	}
	return true
}

// fuzzCredentials checks get, which parses "<scheme> <value>" headers, against
// the rules stated independently of the implementation. other is the parser of
// the other scheme, which must never accept the same header.
func fuzzCredentials(t *testing.T, v, scheme string, get, other func(http.Header) (string, error)) {
	h := http.Header{"Authorization": {v}}
	tok, err := get(h)

	// The expected outcome: a value is accepted exactly when it is the scheme
	// (ignoring case), one space, then a single word, possibly padded with
	// spaces.
	wantOK := false
	var wantTok string
	if fuzzHasSchemePrefix(v, scheme) {
		wantTok = strings.Trim(v[len(scheme)+1:], " ")
		wantOK = wantTok != "" && !strings.ContainsAny(wantTok, " \t")
	}

	switch {
	case v == "":
		if !errors.Is(err, ErrNoAuthHeader) || tok != "" {
			t.Fatalf("%s parser on empty header = %q, %v; want \"\", ErrNoAuthHeader", scheme, tok, err)
		}
		return
	case err != nil:
		if !errors.Is(err, ErrMalformedAuthHeader) {
			t.Fatalf("%s parser on %q: error %v, want ErrMalformedAuthHeader", scheme, v, err)
		}
		if tok != "" {
			t.Fatalf("%s parser on %q = %q with error %v, want \"\"", scheme, v, tok, err)
		}
		if wantOK {
			t.Fatalf("%s parser rejected well-formed %q: %v (want %q)", scheme, v, err, wantTok)
		}
		return
	}

	// Accepted.
	if !fuzzHasSchemePrefix(v, scheme) {
		t.Fatalf("%s parser accepted %+q = %q, which does not start with %q (ASCII case-insensitively)", scheme, v, tok, scheme+" ")
	}
	if tok == "" || strings.ContainsAny(tok, " \t") {
		t.Fatalf("%s parser on %q = %q: want a non-empty value without space or tab", scheme, v, tok)
	}
	if !wantOK || tok != wantTok {
		t.Fatalf("%s parser on %q = %q, want %q", scheme, v, tok, wantTok)
	}
	for _, s := range []string{scheme, strings.ToLower(scheme), strings.ToUpper(scheme)} {
		again, err := get(http.Header{"Authorization": {s + " " + tok}})
		if err != nil || again != tok {
			t.Fatalf("%s parser on %q = %q, %v; want %q, nil", scheme, s+" "+tok, again, err, tok)
		}
	}
	if o, err := other(h); !errors.Is(err, ErrMalformedAuthHeader) {
		t.Fatalf("%q was accepted as %s and also by the other scheme's parser: %q, %v", v, scheme, o, err)
	}
}

// FuzzGetBearerToken checks that GetBearerToken accepts exactly
// "Bearer <word>" (scheme case ignored), returns the word, and that the word
// round-trips.
func FuzzGetBearerToken(f *testing.F) {
	for _, s := range fuzzHeaderSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		fuzzCredentials(t, v, "Bearer", GetBearerToken, GetAPIKey)
	})
}

// FuzzGetAPIKey checks that GetAPIKey accepts exactly "ApiKey <word>" (scheme
// case ignored), returns the word, and that the word round-trips.
func FuzzGetAPIKey(f *testing.F) {
	for _, s := range fuzzHeaderSeeds {
		f.Add(s)
	}
	// The scheme is compared in ASCII: strings.EqualFold would fold U+212A
	// KELVIN SIGN to 'k', and accept "Api\u212Aey abc" as an ApiKey header
	// although its scheme is not the token "ApiKey" (RFC 9110 auth-schemes
	// are ASCII tokens, matched ignoring ASCII case). "Bearer" has no letter with a non-ASCII case fold, so
	// GetBearerToken is not affected.
	f.Add("Api\u212Aey abc")
	f.Fuzz(func(t *testing.T, v string) {
		fuzzCredentials(t, v, "ApiKey", GetAPIKey, GetBearerToken)
	})
}

var (
	fuzzUserID    = uuid.MustParse("3f1c9b1e-8d2a-4c5b-9e7f-0a1b2c3d4e5f")
	fuzzJWTSecret = []byte("fuzz secret, only for FuzzValidateJWT")
	// fuzzOtherSecret signs nothing, so it must accept nothing.
	fuzzOtherSecret = []byte("another secret that signed nothing")
	// fuzzForeignSecret signs a seed but is never used to validate.
	fuzzForeignSecret = []byte("a foreign issuer's secret")
)

// fuzzB64 is base64url without padding, as JWTs use.
func fuzzB64(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }

// fuzzSign signs claims with method and key, failing the fuzz setup on error.
func fuzzSign(f *testing.F, method jwt.SigningMethod, claims jwt.Claims, key any) string {
	f.Helper()
	s, err := jwt.NewWithClaims(method, claims).SignedString(key)
	if err != nil {
		f.Fatal(err)
	}
	return s
}

// FuzzValidateJWT mutates access tokens. Since nothing can forge an HMAC
// without the secret, ValidateJWT must either reject a token, with an error
// wrapping ErrInvalidToken and uuid.Nil, or accept it as a genuine HS256 token
// signed with the secret and return exactly the one user this test ever signs
// tokens for. No token may pass with another secret.
func FuzzValidateJWT(f *testing.F) {
	fresh, err := MakeJWT(fuzzUserID, fuzzJWTSecret, time.Hour)
	if err != nil {
		f.Fatal(err)
	}
	if id, err := ValidateJWT(fresh, fuzzJWTSecret); err != nil || id != fuzzUserID {
		f.Fatalf("ValidateJWT(MakeJWT(...)) = %v, %v; want %v", id, err, fuzzUserID)
	}
	claims := func(iat, exp time.Time) jwt.RegisteredClaims {
		return jwt.RegisteredClaims{
			Issuer:    AccessTokenIssuer,
			Subject:   fuzzUserID.String(),
			IssuedAt:  jwt.NewNumericDate(iat),
			ExpiresAt: jwt.NewNumericDate(exp),
		}
	}
	// A token that stays valid until 2100, so the corpus is reproducible.
	lasting := fuzzSign(f, jwt.SigningMethodHS256,
		claims(time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC)),
		fuzzJWTSecret)
	expired := fuzzSign(f, jwt.SigningMethodHS256,
		claims(time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2000, 1, 1, 1, 0, 0, 0, time.UTC)),
		fuzzJWTSecret)
	wrongIssuer := claims(time.Now(), time.Now().Add(time.Hour))
	wrongIssuer.Issuer = "chirpy-refresh"
	badSubject := claims(time.Now(), time.Now().Add(time.Hour))
	badSubject.Subject = "not-a-uuid"
	noExpiry := claims(time.Now(), time.Now())
	noExpiry.ExpiresAt = nil

	seeds := []string{
		fresh,
		lasting,
		expired,
		fuzzSign(f, jwt.SigningMethodHS256, wrongIssuer, fuzzJWTSecret),
		fuzzSign(f, jwt.SigningMethodHS256, badSubject, fuzzJWTSecret),
		fuzzSign(f, jwt.SigningMethodHS256, noExpiry, fuzzJWTSecret),
		// Same secret, another HMAC algorithm.
		fuzzSign(f, jwt.SigningMethodHS512, claims(time.Now(), time.Now().Add(time.Hour)), fuzzJWTSecret),
		// Signed with a foreign secret.
		fuzzSign(f, jwt.SigningMethodHS256, claims(time.Now(), time.Now().Add(time.Hour)), fuzzForeignSecret),
		// Random strings.
		"",
		".",
		"..",
		"a.b.c",
		"a.b",
		"Bearer " + lasting,
		"not a token",
		"\x00.\x00.\x00",
	}
	for _, tok := range []string{fresh, lasting} {
		parts := strings.Split(tok, ".")
		// Each part truncated, emptied, or with its last character changed.
		for i := range parts {
			for _, p := range []string{
				parts[i][:len(parts[i])-1],
				"",
				parts[i][:len(parts[i])-1] + "A",
				parts[i][:len(parts[i])-1] + "_",
				parts[i] + "=",
				parts[i] + "A",
			} {
				mutated := append([]string(nil), parts...)
				mutated[i] = p
				seeds = append(seeds, strings.Join(mutated, "."))
			}
		}
		seeds = append(seeds,
			parts[0]+"."+parts[1],
			tok+".",
			tok+"."+parts[2],
			parts[1]+"."+parts[0]+"."+parts[2],
			tok+" ",
			" "+tok,
			tok[:len(tok)/2],
		)
		// "alg":"none" and friends, with the real payload.
		for _, header := range []string{
			`{"alg":"none","typ":"JWT"}`,
			`{"alg":"None","typ":"JWT"}`,
			`{"alg":"NONE"}`,
			`{"alg":"HS512","typ":"JWT"}`,
			`{"alg":"RS256","typ":"JWT"}`,
			`{"alg":"hs256","typ":"JWT"}`,
			`{"typ":"JWT"}`,
			`{}`,
		} {
			seeds = append(seeds,
				fuzzB64(header)+"."+parts[1]+".",
				fuzzB64(header)+"."+parts[1]+"."+parts[2],
			)
		}
	}
	for _, s := range seeds {
		f.Add(s)
	}

	f.Fuzz(func(t *testing.T, tok string) {
		id, err := ValidateJWT(tok, fuzzOtherSecret)
		if err == nil || !errors.Is(err, ErrInvalidToken) || id != uuid.Nil {
			t.Fatalf("ValidateJWT(%q, other secret) = %v, %v; want uuid.Nil and ErrInvalidToken", tok, id, err)
		}

		id, err = ValidateJWT(tok, fuzzJWTSecret)
		if err != nil {
			if !errors.Is(err, ErrInvalidToken) {
				t.Fatalf("ValidateJWT(%q) error %v does not wrap ErrInvalidToken", tok, err)
			}
			if id != uuid.Nil {
				t.Fatalf("ValidateJWT(%q) = %v with error %v, want uuid.Nil", tok, id, err)
			}
			return
		}

		// Accepted: it must be our user, in a genuine HS256 token.
		if id != fuzzUserID {
			t.Fatalf("ValidateJWT(%q) = %v, want %v: accepted a token for a user never signed", tok, id, fuzzUserID)
		}
		parts := strings.Split(tok, ".")
		if len(parts) != 3 {
			t.Fatalf("ValidateJWT(%q) accepted a token of %d parts", tok, len(parts))
		}
		sig, err := base64.RawURLEncoding.DecodeString(parts[2])
		if err != nil {
			t.Fatalf("ValidateJWT(%q) accepted an undecodable signature: %v", tok, err)
		}
		mac := hmac.New(sha256.New, fuzzJWTSecret)
		mac.Write([]byte(parts[0] + "." + parts[1]))
		if !hmac.Equal(sig, mac.Sum(nil)) {
			t.Fatalf("ValidateJWT(%q) accepted a token whose signature is not HMAC-SHA256 of its content", tok)
		}
		var header struct {
			Alg string `json:"alg"`
		}
		var payload struct {
			Iss string   `json:"iss"`
			Sub string   `json:"sub"`
			Exp *float64 `json:"exp"`
		}
		if err := fuzzDecodePart(parts[0], &header); err != nil || header.Alg != "HS256" {
			t.Fatalf("ValidateJWT(%q) accepted header alg %q (%v), want HS256", tok, header.Alg, err)
		}
		if err := fuzzDecodePart(parts[1], &payload); err != nil ||
			payload.Iss != AccessTokenIssuer || payload.Sub != fuzzUserID.String() || payload.Exp == nil {
			t.Fatalf("ValidateJWT(%q) accepted payload %+v (%v)", tok, payload, err)
		}
	})
}

func fuzzDecodePart(part string, dst any) error {
	b, err := base64.RawURLEncoding.DecodeString(part)
	if err != nil {
		return err
	}
	return json.Unmarshal(b, dst)
}

// FuzzParseDeviceToken mutates device tokens: since nothing can forge an HMAC
// without the secret, a token is either refused, or one this test signed, in
// its one spelling, for its one user; no token passes with another secret.
func FuzzParseDeviceToken(f *testing.F) {
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	fresh, err := MakeDeviceToken(fuzzUserID, "hash", fuzzJWTSecret, now)
	if err != nil {
		f.Fatal(err)
	}
	access, _ := MakeJWT(fuzzUserID, fuzzJWTSecret, time.Hour)
	// The last character of a token carries two spare bits: set, they spell
	// the same bytes another way.
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	spare := fresh[:len(fresh)-1] + string(alphabet[strings.IndexByte(alphabet, fresh[len(fresh)-1])^1])
	for _, s := range []string{fresh, fresh[:48] + "\n" + fresh[48:], fresh + "=", access, "", "d:" + fresh[2:], spare} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, token string) {
		if d, ok := ParseDeviceToken(token, fuzzOtherSecret, now); ok {
			t.Fatalf("accepted with a secret that signed nothing: %+v", d)
		}
		d, ok := ParseDeviceToken(token, fuzzJWTSecret, now)
		b, _ := base64.RawURLEncoding.DecodeString(token)
		if ok && (base64.RawURLEncoding.EncodeToString(b) != token || !d.IssuedTo(fuzzUserID, "hash", fuzzJWTSecret)) {
			t.Fatalf("ParseDeviceToken(%q) = %+v, accepted", token, d)
		}
	})
}
