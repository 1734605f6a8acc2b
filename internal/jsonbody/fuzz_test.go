package jsonbody

import (
	"bytes"
	"encoding/json"
	"errors"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"
)

var surrogateEscape = regexp.MustCompile(`\\u[dD][89a-fA-F]`)

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

		// Refused beyond json.Unmarshal: only text encoding/json would
		// have altered (invalid UTF-8, a surrogate escape).
		if wantErr == nil && utf8.Valid(body) && !surrogateEscape.Match(body) {
			t.Fatalf("Decode(%q) rejected what json.Unmarshal accepts (%+v): %v", body, want, err)
		}
		e, ok := errors.AsType[*Error](err)
		if !ok || e == nil {
			t.Fatalf("Decode(%q) error %T %v, want *Error", body, err, err)
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
