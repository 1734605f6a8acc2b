package auth

import (
	"errors"
	"strings"
	"testing"
)

func TestCheckNewCredentials(t *testing.T) {
	for _, tt := range []struct {
		email, password string
		want            error
	}{
		{"walt@breakingbad.com", "123456", nil},
		{"walt@breakingbad.com", "1", nil},
		{"walt@breakingbad.com", strings.Repeat("p", MaxPasswordBytes), nil},
		{"wälter@bréakingbad.com", "p", nil},
		{"", "123456", ErrEmailRequired},
		{"", "", ErrEmailRequired},
		{"walt@breakingbad.com", "", ErrPasswordRequired},
		{"walt@breakingbad.com", strings.Repeat("p", MaxPasswordBytes+1), ErrPasswordTooLong},
		{"walt", "p", ErrEmailInvalid},
		{"@breakingbad.com", "p", ErrEmailInvalid},
		{"walt@", "p", ErrEmailInvalid},
		{"walt@bad@breakingbad.com", "p", ErrEmailInvalid},
		{"walt white@breakingbad.com", "p", ErrEmailInvalid},
		{"walt\x00@breakingbad.com", "p", ErrEmailInvalid},
		{"walt\x7f@breakingbad.com", "p", ErrEmailInvalid},
		{"walt\xff@breakingbad.com", "p", ErrEmailInvalid},
		{strings.Repeat("w", MaxEmailBytes-len("@x.com")) + "@x.com", "p", nil}, // the longest
		{strings.Repeat("w", MaxEmailBytes-len("@x.com")+1) + "@x.com", "p", ErrEmailInvalid},
		{strings.Repeat("w", MaxEmailBytes) + "@x.com", "p", ErrEmailInvalid},
	} {
		if err := CheckNewCredentials(tt.email, tt.password); !errors.Is(err, tt.want) || (err == nil) != (tt.want == nil) {
			t.Errorf("CheckNewCredentials(%q, %d bytes) = %v, want %v", tt.email, len(tt.password), err, tt.want)
		}
	}
}

func TestCheckLogin(t *testing.T) {
	for _, tt := range []struct {
		email, password string
		want            error
	}{
		{"walt@breakingbad.com", "123456", nil},
		// Not refused here: no account has it, so the login fails as a
		// wrong password does.
		{"walt", "123456", nil},
		{"", "123456", ErrEmailRequired},
		{"walt@breakingbad.com", "", ErrPasswordRequired},
		{"walt@breakingbad.com", strings.Repeat("p", MaxPasswordBytes), nil},
		{"walt@breakingbad.com", strings.Repeat("p", MaxPasswordBytes+1), ErrPasswordTooLong},
	} {
		if err := CheckLogin(tt.email, tt.password); err != tt.want {
			t.Errorf("CheckLogin(%q, %q) = %v, want %v", tt.email, tt.password, err, tt.want)
		}
	}
}

// Each rule has one message, written for the client, naming its field.
func TestCredentialMessages(t *testing.T) {
	for err, field := range map[error]string{
		ErrEmailRequired: `"email"`, ErrEmailInvalid: `"email"`,
		ErrPasswordRequired: `"password"`, ErrPasswordTooLong: `"password"`,
	} {
		if !strings.HasPrefix(err.Error(), "Field "+field) {
			t.Errorf("%q does not name %s", err, field)
		}
	}
}
