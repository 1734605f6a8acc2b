package server

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"

	"chirpy/internal/jsonbody"
)

// maxBodyBytes bounds every JSON request body but the webhook's.
const maxBodyBytes = 1 << 20

// readJSON decodes the single JSON value of r's body into dst. Every way a body
// can be wrong is answered with what is wrong and where: 413 when it is over
// maxBytes, 400 for anything else (jsonbody). Unknown fields are ignored,
// since clients send extras.
func readJSON(w http.ResponseWriter, r *http.Request, dst any, maxBytes int64) error {
	body, err := readBody(w, r, maxBytes)
	if err != nil {
		return err
	}
	return jsonbody.Decode(body, dst)
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

// jsonContentType is shared by every JSON response; net/http only reads it.
var jsonContentType = []string{"application/json"}

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
