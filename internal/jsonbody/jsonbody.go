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
