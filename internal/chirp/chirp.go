// Package chirp holds the rules of chirps: what text a chirp may hold, and who
// may change one.
package chirp

import (
	"errors"
	"strings"
	"unicode/utf8"
)

// MaxLength is the longest chirp, in characters (Unicode code points).
const MaxLength = 140

var (
	// ErrTooLong carries the message course clients expect, word for word.
	ErrTooLong = errors.New("Chirp is too long")
	ErrEmpty   = errors.New("Chirp is empty")
	// ErrNUL: Postgres text cannot hold U+0000, and no one types it.
	ErrNUL = errors.New("Chirp must not contain NUL characters")
)

// profane words are replaced only when a space-separated piece equals one of
// them, ignoring case: "Fornax!" or "kerfuffles" stay as written.
var profane = [...]string{"kerfuffle", "sharbert", "fornax"}

const mask = "****"

// Clean checks body against the chirp rules and returns the text to store.
// The length is checked on the text as sent, before any word is masked.
func Clean(body string) (string, error) {
	if utf8.RuneCountInString(body) > MaxLength {
		return "", ErrTooLong
	}
	if strings.TrimSpace(body) == "" {
		return "", ErrEmpty
	}
	if strings.IndexByte(body, 0) >= 0 {
		return "", ErrNUL
	}
	return maskProfanity(body), nil
}

// maskProfanity splits on single spaces and joins with single spaces, so the
// spacing of the original text survives exactly.
func maskProfanity(body string) string {
	pieces := strings.Split(body, " ")
	for i, p := range pieces {
		if isProfane(p) {
			pieces[i] = mask
		}
	}
	return strings.Join(pieces, " ")
}

func isProfane(piece string) bool {
	for _, w := range profane {
		if strings.EqualFold(piece, w) {
			return true
		}
	}
	return false
}
