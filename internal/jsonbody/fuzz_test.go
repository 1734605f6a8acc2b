package jsonbody

import (
	"bytes"
	"encoding/json"
	"errors"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"
)

// escape is one escape of a JSON string. In valid JSON every backslash
// starts one, so the leftmost matches, in order, are its escapes.
var escape = regexp.MustCompile(`\\(u[0-9a-fA-F]{4}|.)`)

// hasLoneSurrogate reports whether valid JSON body holds a \u escape of a
// UTF-16 surrogate that is not half of a pair (a high one directly followed
// by a low one): what Decode's contract says it refuses, since encoding/json
// would turn it into U+FFFD. A pair such as \uD83D\uDE00 is a character.
func hasLoneSurrogate(body []byte) bool {
	pendingHigh := -1 // the end of a high surrogate escape waiting for its low half
	for _, m := range escape.FindAllSubmatchIndex(body, -1) {
		r := rune(-1)
		if body[m[2]] == 'u' {
			v, _ := strconv.ParseUint(string(body[m[2]+1:m[3]]), 16, 32)
			r = rune(v)
		}
		low := r >= 0xDC00 && r < 0xE000
		switch {
		case pendingHigh >= 0 && m[0] == pendingHigh && low:
			pendingHigh = -1
			continue
		case pendingHigh >= 0, low:
			return true
		}
		if r >= 0xD800 && r < 0xDC00 {
			pendingHigh = m[1]
		}
	}
	return pendingHigh >= 0
}

// credentials is a body as sign-up and login decode it.
type credentials struct {
	Email    string `json:"email"`
	Password string `json:"password"`
}

// FuzzDecode feeds arbitrary bodies to Decode, as sign-up and login do. A
// body is accepted only if it is one valid JSON value, an object or null,
// with nothing but white space around it, and then it decodes exactly as
// json.Unmarshal would; every rejection is an *Error (ErrInvalid) whose
// message is meant for the client and names no Go type.
func FuzzDecode(f *testing.F) {
	for _, s := range []string{
		`{"email":"a@b.c","password":"x"}`,
		`{"email":"a@b.c","password":"x","extra":[1,{"a":null}]}`,
		`{"Email":"a@b.c","PASSWORD":"x"}`,
		`{"email":"a@b.c","email":"d@e.f"}`,
		`{"email":null}`,
		` {"email":"a"} ` + "\n\t\r",
		`{}`,
		`null`,
		`[]`,
		`"s"`,
		`1`,
		`true`,
		`{"email":1}`,
		`{"email":true}`,
		`{"email":{"a":1}}`,
		`{"password":["x"]}`,
		`{"email":1e400}`,
		`{"a":1}{"b":2}`,
		`{} {}`,
		`{} 1`,
		`{} null`,
		`{}{`,
		`{}]`,
		`{"email":"x"} trailing`,
		"{\"email\":\"x\"}\x00",
		``,
		` `,
		`nul`,
		`nulll`,
		`{`,
		`{"email":`,
		`{"email":"x",}`,
		`{'email':'x'}`,
		strings.Repeat("[", 100) + strings.Repeat("]", 100),
		strings.Repeat("[", 10001) + strings.Repeat("]", 10001),
		strings.Repeat(`{"a":`, 10001) + "1" + strings.Repeat("}", 10001),
		`{"email":"\ud800"}`,
		`{"email":"\ud800\udc00"}`,
		`{"email":"\uD83D\uDE00"}`,
		`{"email":"\uDE00\uD83D"}`,
		`{"email":"\uD83D\\uDE00"}`,
		`{"email":"\\\uD83D\uDE00"}`,
		`{"email":"\uD83D","password":"\uDE00"}`,
		`{"email":"\uD83D\uD83D\uDE00"}`,
		`{"email":"\u0000"}`,
		"{\"email\":\"\xff\"}",
		"\xef\xbb\xbf{}",
		`{"email":"a\x"}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		var got credentials
		err := Decode(body, &got)

		var want credentials
		wantErr := json.Unmarshal(body, &want)

		if err == nil {
			if wantErr == nil && hasLoneSurrogate(body) {
				t.Fatalf("Decode(%q) accepted a lone surrogate escape", body)
			}
			if !utf8.Valid(body) {
				t.Fatalf("Decode(%q) accepted text that is not UTF-8", body)
			}
			if !json.Valid(body) {
				t.Fatalf("Decode(%q) accepted invalid JSON", body)
			}
			trimmed := bytes.Trim(body, " \t\r\n")
			if (!bytes.HasPrefix(trimmed, []byte("{")) || !bytes.HasSuffix(trimmed, []byte("}"))) &&
				!bytes.Equal(trimmed, []byte("null")) {
				t.Fatalf("Decode(%q) accepted a value that is neither an object nor null", body)
			}
			if wantErr != nil {
				t.Fatalf("Decode(%q) accepted what json.Unmarshal rejects: %v", body, wantErr)
			}
			if got != want {
				t.Fatalf("Decode(%q) = %+v, json.Unmarshal gives %+v", body, got, want)
			}
			return
		}

		e, ok := errors.AsType[*Error](err)
		if !ok || e == nil {
			t.Fatalf("Decode(%q) error %T %v, want *Error", body, err, err)
		}
		// Refused beyond json.Unmarshal: only text encoding/json would
		// have altered, and said so: invalid UTF-8, or a lone surrogate
		// escape (a valid pair is a character, and decodes).
		if wantErr == nil {
			switch {
			case !utf8.Valid(body):
				if e.Message != "Request body must be UTF-8 text" {
					t.Fatalf("Decode(%q) refused text that is not UTF-8 with %q", body, e.Message)
				}
			case hasLoneSurrogate(body):
				if !strings.Contains(e.Message, "half of a UTF-16 pair") {
					t.Fatalf("Decode(%q) refused a lone surrogate with %q", body, e.Message)
				}
			default:
				t.Fatalf("Decode(%q) rejected what json.Unmarshal accepts (%+v): %v", body, want, err)
			}
		}
		if !errors.Is(err, ErrInvalid) {
			t.Fatalf("Decode(%q) error %v is not ErrInvalid", body, err)
		}
		if e.Message == "" || !utf8.ValidString(e.Message) {
			t.Fatalf("Decode(%q) message %q, want non-empty UTF-8", body, e.Message)
		}
		for _, leak := range []string{"main.", "server.", "struct {", "struct{", "credentials", "chirpy", "json:", "reflect"} {
			if strings.Contains(e.Message, leak) {
				t.Fatalf("Decode(%q) message %q reveals Go internals (%q)", body, e.Message, leak)
			}
		}
	})
}
