package auth

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"
)

// The rules for an email and a password, for signing up, changing them and
// logging in. Each error's text is the message for the client.
var (
	ErrEmailRequired    = errors.New(`Field "email" is required`)
	ErrPasswordRequired = errors.New(`Field "password" is required`)
	ErrEmailInvalid     = errors.New(`Field "email" must be an email address such as walt@breakingbad.com`)
	// ErrPasswordTooLong is a password over MaxPasswordBytes.
	ErrPasswordTooLong = fmt.Errorf(`Field "password" must not be longer than %d bytes`, MaxPasswordBytes)
)

// MaxEmailBytes is the longest address SMTP can carry (RFC 5321).
const MaxEmailBytes = 254

// CheckNewCredentials checks what an account is created or changed with.
// Passwords may be short: course clients use "123456".
func CheckNewCredentials(email, password string) error {
	if err := checkPresent(email, password); err != nil {
		return err
	}
	if len(password) > MaxPasswordBytes {
		return ErrPasswordTooLong
	}
	if !PlausibleEmail(email) {
		return ErrEmailInvalid
	}
	return nil
}

// CheckLogin checks a login's fields before anything is looked up or
// counted: a missing field, or a password no account can have (too long). A
// login with an email no account can have fails as a wrong password does.
func CheckLogin(email, password string) error {
	if err := checkPresent(email, password); err != nil {
		return err
	}
	if len(password) > MaxPasswordBytes {
		return ErrPasswordTooLong
	}
	return nil
}

func checkPresent(email, password string) error {
	switch {
	case email == "":
		return ErrEmailRequired
	case password == "":
		return ErrPasswordRequired
	}
	return nil
}

// PlausibleEmail accepts local@domain with no spaces or control characters.
// Only sending mail to it could prove more.
func PlausibleEmail(s string) bool {
	if len(s) > MaxEmailBytes || !utf8.ValidString(s) {
		return false
	}
	local, domain, ok := strings.Cut(s, "@")
	if !ok || local == "" || domain == "" || strings.Contains(domain, "@") {
		return false
	}
	for _, r := range s {
		if r <= ' ' || r == 0x7f {
			return false
		}
	}
	return true
}
