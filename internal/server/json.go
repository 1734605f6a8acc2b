package server

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"

	"golang.org/x/sync/semaphore"

	"chirpy/internal/jsonbody"
)

// Each endpoint's body limit is sized to the largest valid body: over it, a
// request cannot be valid, and is refused with 413 as soon as that is known.
const (
	// An email (254 bytes) and a password (1 KiB) with every byte escaped
	// (\u00XX), and room for the fields clients add.
	maxCredentialsBytes = 8 << 10
	// 140 characters, each escaped as a surrogate pair (12 bytes), and room
	// for a chirp too long by far, which gets the course's 400 "Chirp is
	// too long" rather than a 413, and for the fields clients add.
	maxChirpBytes = 8 << 10
)

// bodies reads request bodies within a budget of bytes for all the bodies
// being read at once, so that however many clients send (or stall in
// sending) bodies, the server holds a bounded amount of them. A body waits
// for its share within the request's deadline (then 503).
type bodies struct {
	budget *semaphore.Weighted
}

func newBodies(budget int64) *bodies { return &bodies{budget: semaphore.NewWeighted(budget)} }

// readJSON decodes the single JSON value of r's body into dst. Every way a body
// can be wrong is answered with what is wrong and where: 413 when it is over
// maxBytes, 400 for anything else (jsonbody). Unknown fields are ignored,
// since clients send extras. It returns the body's bytes as sent, which an
// Idempotency-Key's request is hashed from.
func (b *bodies) readJSON(w http.ResponseWriter, r *http.Request, dst any, maxBytes int64) ([]byte, error) {
	body, err := b.read(w, r, maxBytes)
	if err != nil {
		return nil, err
	}
	return body, jsonbody.Decode(body, dst)
}

// read reads all of r's body, refusing more than maxBytes with 413: at once
// when the request says its length, or as soon as the limit is passed.
func (b *bodies) read(w http.ResponseWriter, r *http.Request, maxBytes int64) ([]byte, error) {
	tooLarge := &Error{Status: http.StatusRequestEntityTooLarge, Message: fmt.Sprintf("Request body must not be larger than %d bytes", maxBytes)}
	if r.ContentLength > maxBytes {
		// Not a byte of it will be read: the connection cannot be reused.
		w.Header().Set("Connection", "close")
		return nil, tooLarge
	}
	share := maxBytes
	if r.ContentLength >= 0 {
		share = max(r.ContentLength, 1)
	}
	if err := b.budget.Acquire(r.Context(), share); err != nil {
		return nil, unavailable(fmt.Errorf("wait for room to read a body: %w", err))
	}
	defer b.budget.Release(share)
	// Room for the whole share at once: the buffer never grows past it.
	buf := bytes.NewBuffer(make([]byte, 0, share+bytes.MinRead))
	_, err := buf.ReadFrom(http.MaxBytesReader(w, r.Body, maxBytes))
	if err != nil {
		if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
			return nil, tooLarge
		}
		// The client stopped sending before the end of its body.
		return nil, badRequest("Request body could not be read")
	}
	return buf.Bytes(), nil
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
	writeJSONBytes(w, status, body)
}

// writeJSONBytes answers with body, already encoded as JSON.
func writeJSONBytes(w http.ResponseWriter, status int, body []byte) {
	w.Header()["Content-Type"] = jsonContentType
	w.WriteHeader(status)
	w.Write(body)
}

var noStore = []string{"no-store"}

// writePrivateJSON answers with v, which carries a token or an account's
// data, as JSON that no cache may keep (RFC 6749 §5.1).
func writePrivateJSON(w http.ResponseWriter, status int, v any) {
	w.Header()["Cache-Control"] = noStore
	writeJSON(w, status, v)
}
