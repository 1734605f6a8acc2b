package jsonbody

import (
	"errors"
	"strings"
	"testing"
)

// Text that encoding/json would quietly alter is refused; the same
// characters, well encoded, are not.
func TestDecodeStrictText(t *testing.T) {
	for _, tc := range []struct {
		body string
		want string // the value of "s", or "" for a refusal
	}{
		{`{"s": "secret\u00e9"}`, "secreté"},
		{`{"s": "bird \ud83d\udc26"}`, "bird 🐦"},
		{`{"s": "bird \uD83D\uDC26"}`, "bird 🐦"},
		{`{"s": "a\\ud800"}`, `a\ud800`}, // an escaped backslash, then text
		{`{"s": "é 🐦"}`, "é 🐦"},
		{"{\"s\": \"secret\xff\"}", ""},
		{"{\"s\": \"secret\xfe\"}", ""},
		{"{\"s\": \"\xed\xa0\x80\"}", ""}, // a surrogate encoded in UTF-8
		{`{"s": "\ud800"}`, ""},
		{`{"s": "\udc00"}`, ""},
		{`{"s": "\ud800\u0041"}`, ""},
		{`{"s": "\ud800x"}`, ""},
		{`{"s": "\udc00\ud800"}`, ""},
	} {
		var v struct{ S string }
		err := Decode([]byte(tc.body), &v)
		switch {
		case tc.want == "" && (err == nil || !errors.Is(err, ErrInvalid)):
			t.Errorf("Decode(%q) = %q, %v; want a refusal", tc.body, v.S, err)
		case tc.want == "" && !strings.Contains(err.Error(), "UTF"):
			t.Errorf("Decode(%q): %q does not say what is wrong", tc.body, err)
		case tc.want != "" && (err != nil || v.S != tc.want):
			t.Errorf("Decode(%q) = %q, %v; want %q", tc.body, v.S, err, tc.want)
		}
	}
}
