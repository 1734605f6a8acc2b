package server

import (
	"net/http"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"

	"chirpy/internal/store"
)

// Chirp is a chirp as the API shows it. Responses encode it with appendJSON,
// which writes byte for byte what encoding/json makes of these fields and
// tags (FuzzChirpJSON holds it to that), without reflection or an allocation
// per chirp: lists are made of thousands of them.
type Chirp struct {
	ID        uuid.UUID `json:"id"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
	Body      string    `json:"body"`
	UserID    uuid.UUID `json:"user_id"`
}

func newChirp(c store.Chirp) Chirp {
	return Chirp{
		ID:        c.ID,
		CreatedAt: c.CreatedAt.UTC(),
		UpdatedAt: c.UpdatedAt.UTC(),
		Body:      c.Body,
		UserID:    c.UserID,
	}
}

// appendJSON appends c as encoding/json would write it.
func (c Chirp) appendJSON(buf []byte) []byte {
	buf = append(buf, `{"id":"`...)
	buf = appendUUID(buf, c.ID)
	buf = append(buf, `","created_at":"`...)
	buf = c.CreatedAt.AppendFormat(buf, time.RFC3339Nano)
	buf = append(buf, `","updated_at":"`...)
	buf = c.UpdatedAt.AppendFormat(buf, time.RFC3339Nano)
	buf = append(buf, `","body":`...)
	buf = appendJSONString(buf, c.Body)
	buf = append(buf, `,"user_id":"`...)
	buf = appendUUID(buf, c.UserID)
	return append(buf, `"}`...)
}

// encodeBuffers are reused by writeChirp: a chirp is encoded on every read.
var encodeBuffers = sync.Pool{New: func() any { b := make([]byte, 0, 1024); return &b }}

// writeChirp answers with one chirp.
func writeChirp(w http.ResponseWriter, status int, c store.Chirp) {
	buf := encodeBuffers.Get().(*[]byte)
	*buf = newChirp(c).appendJSON((*buf)[:0])
	writeJSONBytes(w, status, *buf)
	encodeBuffers.Put(buf)
}

const hexDigits = "0123456789abcdef"

// appendUUID appends u in its canonical form, as uuid.UUID.MarshalText does.
func appendUUID(buf []byte, u uuid.UUID) []byte {
	for i, b := range u {
		if i == 4 || i == 6 || i == 8 || i == 10 {
			buf = append(buf, '-')
		}
		buf = append(buf, hexDigits[b>>4], hexDigits[b&0xf])
	}
	return buf
}

// appendJSONString appends s as a JSON string the way encoding/json does with
// HTML escaping on (its default): quotes and backslashes escaped, control
// characters as \b \f \n \r \t or \u00XX, <, > and & as \u003c \u003e \u0026,
// U+2028 and U+2029 escaped, and invalid UTF-8 replaced by \ufffd.
func appendJSONString(buf []byte, s string) []byte {
	buf = append(buf, '"')
	start := 0
	for i := 0; i < len(s); {
		b := s[i]
		if b < utf8.RuneSelf {
			if b >= ' ' && b != '"' && b != '\\' && b != '<' && b != '>' && b != '&' {
				i++
				continue
			}
			buf = append(buf, s[start:i]...)
			switch b {
			case '"', '\\':
				buf = append(buf, '\\', b)
			case '\b':
				buf = append(buf, '\\', 'b')
			case '\f':
				buf = append(buf, '\\', 'f')
			case '\n':
				buf = append(buf, '\\', 'n')
			case '\r':
				buf = append(buf, '\\', 'r')
			case '\t':
				buf = append(buf, '\\', 't')
			default:
				buf = append(buf, '\\', 'u', '0', '0', hexDigits[b>>4], hexDigits[b&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			buf = append(buf, s[start:i]...)
			buf = append(buf, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			buf = append(buf, s[start:i]...)
			buf = append(buf, '\\', 'u', '2', '0', '2', hexDigits[r&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	buf = append(buf, s[start:]...)
	return append(buf, '"')
}
