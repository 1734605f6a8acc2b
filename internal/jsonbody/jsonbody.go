// Package jsonbody decodes JSON request bodies strictly and says precisely,
// in words meant for the client, what is wrong with a body it refuses. Every
// endpoint that takes JSON, the Polka webhook included, decodes through it.
package jsonbody

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"unicode/utf8"
)

// ErrInvalid is what every refusal of Decode is: errors.Is(err, ErrInvalid).
var ErrInvalid = errors.New("invalid JSON body")

// Error is a refused body; its text is the message for the client.
type Error struct{ Message string }

func (e *Error) Error() string { return e.Message }
func (e *Error) Unwrap() error { return ErrInvalid }

// ClientMessage is what the client is told, however the error is wrapped.
func (e *Error) ClientMessage() string { return e.Message }

func errorf(format string, args ...any) *Error {
	return &Error{Message: fmt.Sprintf(format, args...)}
}

// Decode decodes body, which must hold exactly one JSON value, into dst.
// Unknown fields are ignored, since clients send extras. Every refusal is an
// *Error saying what is wrong and where.
func Decode(body []byte, dst any) error {
	// encoding/json would quietly turn invalid UTF-8 and lone surrogate
	// escapes into U+FFFD, so that "secret\xff" and "secret\xfe" became the
	// same password.
	if !utf8.Valid(body) {
		return errorf("Request body must be UTF-8 text")
	}
	if at := loneSurrogate(body); at >= 0 {
		return errorf("Request body contains an escape (at character %d) that is half of a UTF-16 pair, no character", at+1)
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(dst); err != nil {
		return decodeError(err)
	}
	// A second value ("{}{}") or trailing garbage means the client sent
	// something other than what it meant to.
	if err := dec.Decode(&struct{}{}); !errors.Is(err, io.EOF) {
		return errorf("Request body must contain a single JSON value")
	}
	return nil
}

// loneSurrogate returns the offset of a \u escape of a UTF-16 surrogate that
// is not half of a pair, or -1. Outside strings, valid JSON has no
// backslashes, so every backslash is the start of an escape.
func loneSurrogate(b []byte) int {
	for i := 0; i < len(b); i++ {
		if b[i] != '\\' {
			continue
		}
		if i+1 < len(b) && b[i+1] != 'u' {
			i++ // a two-character escape such as \\ or \"
			continue
		}
		r, ok := hexRune(b, i)
		switch {
		case !ok:
			continue // malformed: the decoder says so
		case r >= 0xD800 && r < 0xDC00: // a high surrogate: a low one must follow
			if low, ok := hexRune(b, i+6); !ok || low < 0xDC00 || low >= 0xE000 {
				return i
			}
			i += 11
		case r >= 0xDC00 && r < 0xE000:
			return i
		default:
			i += 5
		}
	}
	return -1
}

// hexRune reads the \uXXXX escape at b[i:].
func hexRune(b []byte, i int) (rune, bool) {
	if i+6 > len(b) || b[i] != '\\' || b[i+1] != 'u' {
		return 0, false
	}
	var r rune
	for _, c := range b[i+2 : i+6] {
		switch {
		case '0' <= c && c <= '9':
			r = r<<4 | rune(c-'0')
		case 'a' <= c && c <= 'f':
			r = r<<4 | rune(c-'a'+10)
		case 'A' <= c && c <= 'F':
			r = r<<4 | rune(c-'A'+10)
		default:
			return 0, false
		}
	}
	return r, true
}

func decodeError(err error) *Error {
	if syntaxErr, ok := errors.AsType[*json.SyntaxError](err); ok {
		return errorf("Request body contains malformed JSON (at character %d)", syntaxErr.Offset)
	}
	if typeErr, ok := errors.AsType[*json.UnmarshalTypeError](err); ok {
		if typeErr.Field != "" {
			return errorf("Request body has the wrong JSON type for field %q (got %s)", typeErr.Field, typeErr.Value)
		}
		return errorf("Request body must be a JSON object (got %s)", typeErr.Value)
	}
	if errors.Is(err, io.EOF) {
		return errorf("Request body must not be empty")
	}
	// io.ErrUnexpectedEOF, and the few errors encoding/json gives no type.
	return errorf("Request body contains malformed JSON")
}
