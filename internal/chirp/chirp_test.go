package chirp

import (
	"errors"
	"strings"
	"testing"
)

func TestClean(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want string
		err  error
	}{
		{"plain", "I had something interesting for breakfast", "I had something interesting for breakfast", nil},
		{"course example", "I really need a kerfuffle to go to bed sooner, Fornax !", "I really need a **** to go to bed sooner, **** !", nil},
		{"course example with punctuation", "I hear Mastodon is better than Chirpy. sharbert I need to migrate", "I hear Mastodon is better than Chirpy. **** I need to migrate", nil},
		{"attached punctuation stays", "Sharbert!", "Sharbert!", nil},
		{"plural stays", "kerfuffles everywhere", "kerfuffles everywhere", nil},
		{"upper case", "KERFUFFLE", "****", nil},
		{"mixed case", "fOrNaX", "****", nil},
		{"every word", "kerfuffle sharbert fornax", "**** **** ****", nil},
		{"double spaces kept", "a  fornax  b", "a  ****  b", nil},
		{"leading and trailing spaces kept", " fornax ", " **** ", nil},
		{"tab is not a separator", "fornax\tfornax", "fornax\tfornax", nil},
		{"140 characters", strings.Repeat("a", 140), strings.Repeat("a", 140), nil},
		{"141 characters", strings.Repeat("a", 141), "", ErrTooLong},
		{"140 multi-byte characters", strings.Repeat("é", 140), strings.Repeat("é", 140), nil},
		{"141 multi-byte characters", strings.Repeat("é", 141), "", ErrTooLong},
		{"140 emoji (560 bytes)", strings.Repeat("🐦", 140), strings.Repeat("🐦", 140), nil},
		{"combining accents count, unnormalised: 70 e+U+0301 fit", strings.Repeat("e\u0301", 70), strings.Repeat("e\u0301", 70), nil},
		{"combining accents count, unnormalised: 71 letters are 142 characters", strings.Repeat("e\u0301", 71), "", ErrTooLong},
		{"a family emoji is five characters (ZWJ sequence)", strings.Repeat("👨\u200d👩\u200d👧", 29), "", ErrTooLong},
		{"length checked before masking", strings.Repeat("fornax ", 20) + "x", "", ErrTooLong},
		{"empty", "", "", ErrEmpty},
		{"only spaces", "   ", "", ErrEmpty},
		{"NUL", "a\x00b", "", ErrNUL},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Clean(tt.in)
			if !errors.Is(err, tt.err) {
				t.Fatalf("Clean(%q) error = %v, want %v", tt.in, err, tt.err)
			}
			if got != tt.want {
				t.Errorf("Clean(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestErrTooLongMessage(t *testing.T) {
	// Course clients compare this message exactly.
	if ErrTooLong.Error() != "Chirp is too long" {
		t.Fatalf("ErrTooLong = %q", ErrTooLong.Error())
	}
}
