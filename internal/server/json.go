package server

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
)

// maxBodyBytes bounds every JSON request body.
const maxBodyBytes = 1 << 20

// readJSON decodes the single JSON value of r's body into dst. Every way a body
// can be wrong becomes an *Error saying what is wrong and where: 413 when it is
// over maxBytes, 400 for anything else. Unknown fields are ignored, since
// clients send extras.
func readJSON(w http.ResponseWriter, r *http.Request, dst any, maxBytes int64) error {
	body, err := readBody(w, r, maxBytes)
	if err != nil {
		return err
	}
	return decodeJSON(body, dst)
}

// readBody reads all of r's body, refusing more than maxBytes with 413.
func readBody(w http.ResponseWriter, r *http.Request, maxBytes int64) ([]byte, error) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBytes))
	if err != nil {
		if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
			return nil, &Error{Status: http.StatusRequestEntityTooLarge, Message: fmt.Sprintf("Request body must not be larger than %d bytes", maxBytes)}
		}
		// The client stopped sending before the end of its body.
		return nil, badRequest("Request body could not be read")
	}
	return body, nil
}

// decodeJSON decodes body, which must hold exactly one JSON value, into dst.
func decodeJSON(body []byte, dst any) error {
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(dst); err != nil {
		return decodeError(err)
	}
	// A second value ("{}{}") or trailing garbage means the client sent
	// something other than what it meant to.
	if err := dec.Decode(&struct{}{}); !errors.Is(err, io.EOF) {
		return badRequest("Request body must contain a single JSON value")
	}
	return nil
}

func decodeError(err error) *Error {
	if syntaxErr, ok := errors.AsType[*json.SyntaxError](err); ok {
		return badRequest("Request body contains malformed JSON (at character %d)", syntaxErr.Offset)
	}
	if typeErr, ok := errors.AsType[*json.UnmarshalTypeError](err); ok {
		if typeErr.Field != "" {
			return badRequest("Request body has the wrong JSON type for field %q (got %s)", typeErr.Field, typeErr.Value)
		}
		return badRequest("Request body must be a JSON object (got %s)", typeErr.Value)
	}
	if errors.Is(err, io.EOF) {
		return badRequest("Request body must not be empty")
	}
	// io.ErrUnexpectedEOF, and the few errors encoding/json gives no type.
	return badRequest("Request body contains malformed JSON")
}

// writeJSON answers with v as JSON.
func writeJSON(w http.ResponseWriter, status int, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		// Only our own response types reach here; failing to encode one is a
		// bug that every test would show.
		panic(fmt.Sprintf("encode %T: %v", v, err))
	}
	w.Header()["Content-Type"] = jsonContentType
	w.WriteHeader(status)
	w.Write(body)
}
