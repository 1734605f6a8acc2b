package chirp

import (
	"errors"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzClean checks Clean against the chirp rules stated independently of its
// implementation:
//
//   - more than MaxLength code points: ErrTooLong, checked before anything else;
//   - otherwise blank (empty or only white space): ErrEmpty;
//   - otherwise containing NUL: ErrNUL;
//   - otherwise accepted, and the result is the body split on single spaces with
//     every piece that equals kerfuffle, sharbert or fornax (strings.EqualFold)
//     replaced by "****", joined again with single spaces.
//
// On success it also checks that the result is never longer than the body and
// that cleaning is idempotent.
func FuzzClean(f *testing.F) {
	for _, s := range []string{
		// The course examples.
		"I had something interesting for breakfast",
		"I really need a kerfuffle to go to bed sooner, Fornax !",
		"I hear Mastodon is better than Chirpy. sharbert I need to migrate",
		"Sharbert!",
		"kerfuffles everywhere",
		"KERFUFFLE",
		"fOrNaX",
		"kerfuffle sharbert fornax",
		"This is a kerfuffle opinion I need to share with the world",
		// Spacing must survive exactly.
		"a  fornax  b",
		" fornax ",
		"fornax\tfornax",
		"fornax\nsharbert",
		"****",
		// Multi-byte text and Unicode case folding: U+212A KELVIN SIGN folds
		// to k and U+017F LONG S folds to s, so EqualFold matches them.
		"héllo wörld 🐦 fornax",
		"\u212Aerfuffle",
		"\u017Fharbert",
		"FORNA\u212A",
		"日本語 kerfuffle 日本語",
		// Length boundaries, measured in code points, before masking.
		strings.Repeat("a", MaxLength),
		strings.Repeat("a", MaxLength+1),
		strings.Repeat("é", MaxLength),
		strings.Repeat("é", MaxLength+1),
		strings.Repeat("🐦", MaxLength),
		strings.Repeat("🐦", MaxLength+1),
		strings.Repeat("fornax ", 20),
		strings.Repeat("fornax ", 20) + "x",
		strings.Repeat(" ", MaxLength+1),
		strings.Repeat("\x00", MaxLength+1),
		// Invalid UTF-8: each bad byte counts as one code point.
		"\xff",
		"fornax \xff\xfe",
		"\xc3",
		"kerfuffle\x80",
		strings.Repeat("\xff", MaxLength),
		strings.Repeat("\xff", MaxLength+1),
		// Blank and NUL.
		"",
		" ",
		"   ",
		"\t\n\r",
		"\u00a0\u2003",
		"\x00",
		"a\x00b",
		" \x00 ",
		"fornax\x00",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body string) {
		got, err := Clean(body)
		runes := utf8.RuneCountInString(body)

		// What the rules say should happen, in the order the spec gives.
		var want error
		switch {
		case runes > MaxLength:
			want = ErrTooLong
		case strings.TrimSpace(body) == "":
			want = ErrEmpty
		case strings.IndexByte(body, 0) >= 0:
			want = ErrNUL
		}
		if err != want {
			t.Fatalf("Clean(%q) (%d code points) error = %v, want %v", body, runes, err, want)
		}
		if err != nil {
			if got != "" {
				t.Fatalf("Clean(%q) = %q with error %v, want \"\"", body, got, err)
			}
			switch {
			case errors.Is(err, ErrTooLong) && runes <= MaxLength:
				t.Fatalf("Clean(%q): ErrTooLong for %d code points", body, runes)
			case errors.Is(err, ErrEmpty) && strings.TrimSpace(body) != "":
				t.Fatalf("Clean(%q): ErrEmpty for a body that is not blank", body)
			case errors.Is(err, ErrNUL) && !strings.Contains(body, "\x00"):
				t.Fatalf("Clean(%q): ErrNUL for a body without NUL", body)
			}
			return
		}

		// Accepted: piece by piece, each either kept or masked.
		in := strings.Split(body, " ")
		out := strings.Split(got, " ")
		if len(in) != len(out) {
			t.Fatalf("Clean(%q) = %q: %d space-separated pieces, want %d", body, got, len(out), len(in))
		}
		for i := range in {
			profane := strings.EqualFold(in[i], "kerfuffle") ||
				strings.EqualFold(in[i], "sharbert") ||
				strings.EqualFold(in[i], "fornax")
			want := in[i]
			if profane {
				want = "****"
			}
			if out[i] != want {
				t.Fatalf("Clean(%q) = %q: piece %d is %q, want %q (profane: %v)", body, got, i, out[i], want, profane)
			}
		}
		if n := utf8.RuneCountInString(got); n > runes {
			t.Fatalf("Clean(%q) = %q: %d code points, more than the %d sent", body, got, n, runes)
		}
		if utf8.ValidString(got) != utf8.ValidString(body) {
			t.Fatalf("Clean(%q) = %q changed UTF-8 validity", body, got)
		}
		again, err := Clean(got)
		if err != nil || again != got {
			t.Fatalf("Clean(Clean(%q)) = %q, %v; want %q, nil", body, again, err, got)
		}
	})
}
