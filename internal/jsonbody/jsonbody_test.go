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
		{`{"s": "\ud800\ue000"}`, ""},           // just past the low surrogates
		{`{"s": "\ud800\udc00"}`, "\U00010000"}, // the first pair
		{`{"s": "\udbff\udfff"}`, "\U0010FFFF"}, // the last pair
		{`{"s": "\uD800"}`, ""},
		{`{"s": "\uDBFF"}`, ""},
		{`{"s": "\uDC00"}`, ""},
		{`{"s": "\uDFFF"}`, ""},
		{`{"s": "\uE000"}`, "\ue000"},
		{`\ud800`, ""},   // the escape first: not yet JSON, already refused
		{`"\ud800"`, ""}, // the escape last
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

// Each kind of refusal says what is wrong, and where when it knows.
func TestDecodeMessages(t *testing.T) {
	for _, tc := range []struct{ body, want string }{
		{`{"s": "\ud800"}`, "Request body contains an escape (at character 8) that is half of a UTF-16 pair, no character"},
		{`\udc00`, "Request body contains an escape (at character 1) that is half of a UTF-16 pair, no character"},
		{`{"s": 1}`, `Request body has the wrong JSON type for field "s" (got number)`},
		{`[]`, "Request body must be a JSON object (got array)"},
		{`{"s": "a\`, "Request body contains malformed JSON"}, // ends in a backslash
		{`{"s": "a\u12`, "Request body contains malformed JSON"},
		{`{"s": "x"} {}`, "Request body must contain a single JSON value"},
		{``, "Request body must not be empty"},
	} {
		var v struct {
			S string `json:"s"`
		}
		err := Decode([]byte(tc.body), &v)
		if !errors.Is(err, ErrInvalid) || err.Error() != tc.want {
			t.Errorf("Decode(%q) = %v; want %q", tc.body, err, tc.want)
		}
	}
}
