package server

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"net/http"
	"runtime/debug"
	"strconv"
	"sync/atomic"
	"time"
)

type ctxKey int

const requestKey ctxKey = iota

// requestInfo is what the request log line says beyond the basics: the
// request's id, and what its handler chose to add (see logAttrs).
type requestInfo struct {
	id    string
	attrs []slog.Attr
}

func requestID(ctx context.Context) string {
	if info, ok := ctx.Value(requestKey).(*requestInfo); ok {
		return info.id
	}
	return ""
}

// logAttrs adds attributes to the request's log line, so that one line tells
// all about a request.
func logAttrs(ctx context.Context, attrs ...slog.Attr) {
	if info, ok := ctx.Value(requestKey).(*requestInfo); ok {
		info.attrs = append(info.attrs, attrs...)
	}
}

// requestIDs makes ids unique across processes (random prefix) and cheap to
// make (a counter).
type requestIDs struct {
	prefix []byte
	n      atomic.Uint64
}

func newRequestIDs() *requestIDs {
	b := make([]byte, 4)
	rand.Read(b)
	return &requestIDs{prefix: []byte(hex.EncodeToString(b) + "-")}
}

func (g *requestIDs) next() string {
	var buf [32]byte
	id := append(buf[:0], g.prefix...)
	return string(strconv.AppendUint(id, g.n.Add(1), 36))
}

// Header values every response shares; net/http only reads them.
var (
	nosniff         = []string{"nosniff"}
	jsonContentType = []string{"application/json"}
)

// requestTimeout bounds what one request may wait for: the database
// (including connecting to it) and a password hashing slot. Past it the
// request gets 503 instead of hanging. A response streamed in parts gives each
// part a deadline of its own instead (see handleChirpsList).
const requestTimeout = 10 * time.Second

// observe is the outermost middleware: it gives the request an id and a
// deadline, sets the headers every response carries, turns a panic into a 500
// that the process survives, and logs one line per request.
func observe(logger *slog.Logger, next http.Handler) http.Handler {
	ids := newRequestIDs()
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w}
		sw.info.id = r.Header.Get("X-Request-Id")
		if !validRequestID(sw.info.id) {
			sw.info.id = ids.next()
		}
		ctx, cancel := context.WithTimeout(context.WithValue(r.Context(), requestKey, &sw.info), requestTimeout)
		defer cancel()
		r = r.WithContext(ctx)
		h := w.Header()
		h["X-Request-Id"] = []string{sw.info.id}
		h["X-Content-Type-Options"] = nosniff

		defer func() {
			v := recover()
			if v != nil && v != http.ErrAbortHandler {
				logger.Error("panic", "method", r.Method, "path", r.URL.Path, "request_id", sw.info.id,
					"panic", v, "stack", string(debug.Stack()))
				if sw.status == 0 {
					h.Set("Connection", "close")
					writeJSON(sw, http.StatusInternalServerError, errorBody{msgInternal})
					v = nil
				}
			}
			var arr [12]slog.Attr
			attrs := append(arr[:0],
				slog.String("method", r.Method),
				slog.String("path", r.URL.Path),
				slog.Int("status", sw.code()),
				slog.Duration("duration", time.Since(start)),
				slog.String("request_id", sw.info.id),
			)
			attrs = append(attrs, sw.info.attrs...)
			logger.LogAttrs(ctx, slog.LevelInfo, "request", attrs...)
			if v != nil {
				// The response was already under way: cut the connection so the
				// client sees a broken response, not a complete-looking one.
				panic(http.ErrAbortHandler)
			}
		}()
		next.ServeHTTP(sw, r)
	})
}

func validRequestID(id string) bool {
	if id == "" || len(id) > 64 {
		return false
	}
	for i := 0; i < len(id); i++ {
		if c := id[i]; c <= ' ' || c > '~' {
			return false
		}
	}
	return true
}

// statusWriter records the status for the request log. It also turns the
// standard library's plain-text "404 page not found" and "405 method not
// allowed" (from ServeMux and FileServer) into the API's JSON error bodies;
// the Allow header of a 405 is kept.
type statusWriter struct {
	http.ResponseWriter
	status int
	// swallow drops the plain-text body after it was replaced by JSON.
	swallow bool
	info    requestInfo
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status != 0 {
		return
	}
	w.status = code
	if (code == http.StatusNotFound || code == http.StatusMethodNotAllowed) &&
		w.Header().Get("Content-Type") == "text/plain; charset=utf-8" {
		w.swallow = true
		msg := "Not found"
		if code == http.StatusMethodNotAllowed {
			msg = "Method not allowed; see the Allow header"
		}
		writeJSON(w.ResponseWriter, code, errorBody{msg})
		return
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.WriteHeader(http.StatusOK)
	}
	if w.swallow {
		return len(b), nil
	}
	return w.ResponseWriter.Write(b)
}

func (w *statusWriter) code() int {
	if w.status == 0 {
		return http.StatusOK
	}
	return w.status
}

// Unwrap lets http.ResponseController reach the connection (Flush, deadlines).
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
