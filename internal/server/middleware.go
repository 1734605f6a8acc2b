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

// middleware wraps a handler in one concern. NewServer composes them.
type middleware func(http.Handler) http.Handler

// chain wraps h in mw, the first outermost.
func chain(h http.Handler, mw ...middleware) http.Handler {
	for i := len(mw) - 1; i >= 0; i-- {
		h = mw[i](h)
	}
	return h
}

type ctxKey int

const requestKey ctxKey = iota

// requestInfo is what the request's log line says beyond the basics: its id,
// and what its handler chose to add (see logAttrs).
type requestInfo struct {
	id    string
	attrs []slog.Attr
}

func infoFrom(ctx context.Context) *requestInfo {
	info, _ := ctx.Value(requestKey).(*requestInfo)
	return info
}

// requestID returns the id of the request ctx belongs to.
func requestID(ctx context.Context) string {
	if info := infoFrom(ctx); info != nil {
		return info.id
	}
	return ""
}

// logAttrs adds attributes to the request's log line, so that one line tells
// all about a request.
func logAttrs(ctx context.Context, attrs ...slog.Attr) {
	if info := infoFrom(ctx); info != nil {
		info.attrs = append(info.attrs, attrs...)
	}
}

// withRequestID gives every request an id, the caller's X-Request-Id if it is
// a plain token of up to 64 characters, else one of ours, and answers with it.
func withRequestID(ids *requestIDs) middleware {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			info := &requestInfo{id: r.Header.Get("X-Request-Id")}
			if !validRequestID(info.id) {
				info.id = ids.next()
			}
			w.Header()["X-Request-Id"] = []string{info.id}
			next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), requestKey, info)))
		})
	}
}

// requestIDs makes ids unique across processes (a random prefix) and cheap to
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

// validRequestID accepts ids that cannot forge log lines or headers.
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

// logRequests writes one line per request once it is answered (or cut
// short): method, path, status, duration, request id, and what the handler
// added with logAttrs.
func logRequests(logger *slog.Logger) middleware {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			start := time.Now()
			sw := &statusWriter{ResponseWriter: w}
			defer func() {
				var arr [12]slog.Attr
				attrs := append(arr[:0],
					slog.String("method", r.Method),
					slog.String("path", r.URL.Path),
					slog.Int("status", sw.code()),
					slog.Duration("duration", time.Since(start)),
				)
				if info := infoFrom(r.Context()); info != nil {
					attrs = append(attrs, slog.String("request_id", info.id))
					attrs = append(attrs, info.attrs...)
				}
				logger.LogAttrs(r.Context(), slog.LevelInfo, "request", attrs...)
			}()
			next.ServeHTTP(sw, r)
		})
	}
}

// statusWriter records the status of a response.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

// code is the status sent, or the one net/http will send.
func (w *statusWriter) code() int {
	if w.status == 0 {
		return http.StatusOK
	}
	return w.status
}

// Unwrap lets http.ResponseController reach the connection.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// nosniff is shared by every response; net/http only reads it.
var nosniff = []string{"nosniff"}

// secureHeaders sets the headers every response carries.
func secureHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header()["X-Content-Type-Options"] = nosniff
		next.ServeHTTP(w, r)
	})
}

// recoverPanics turns a panic in a handler into a logged 500 that the process
// survives. If the response was already under way, the connection is cut
// instead, so the client sees a broken response, not a complete-looking one.
func recoverPanics(logger *slog.Logger) middleware {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			bw := &beganWriter{ResponseWriter: w}
			defer func() {
				v := recover()
				if v == nil {
					return
				}
				if v != http.ErrAbortHandler {
					logger.Error("panic", "method", r.Method, "path", r.URL.Path, "request_id", requestID(r.Context()),
						"panic", v, "stack", string(debug.Stack()))
					if !bw.began {
						w.Header().Set("Connection", "close")
						writeJSON(w, http.StatusInternalServerError, errorBody{msgInternal})
						return
					}
				}
				panic(http.ErrAbortHandler)
			}()
			next.ServeHTTP(bw, r)
		})
	}
}

// beganWriter records whether a response has begun.
type beganWriter struct {
	http.ResponseWriter
	began bool
}

func (w *beganWriter) WriteHeader(code int) {
	w.began = true
	w.ResponseWriter.WriteHeader(code)
}

func (w *beganWriter) Write(b []byte) (int, error) {
	w.began = true
	return w.ResponseWriter.Write(b)
}

func (w *beganWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// withDeadline bounds what a request may wait for: the database (connecting
// included) and a password hashing slot. Past it the request gets 503
// instead of hanging. A response streamed in parts gives each part a
// deadline of its own instead (see handleChirpsList).
func withDeadline(timeout time.Duration) middleware {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			ctx, cancel := context.WithTimeout(r.Context(), timeout)
			defer cancel()
			next.ServeHTTP(w, r.WithContext(ctx))
		})
	}
}

// jsonErrorPages turns the standard library's plain-text "404 page not found"
// and "405 method not allowed" (from ServeMux and FileServer) into the API's
// JSON error bodies; the Allow header of a 405 is kept.
func jsonErrorPages(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		next.ServeHTTP(&errorPageWriter{ResponseWriter: w}, r)
	})
}

type errorPageWriter struct {
	http.ResponseWriter
	wroteHeader bool
	// swallow drops the plain-text body after it was replaced by JSON.
	swallow bool
}

func (w *errorPageWriter) WriteHeader(code int) {
	if w.wroteHeader {
		return
	}
	w.wroteHeader = true
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

func (w *errorPageWriter) Write(b []byte) (int, error) {
	if !w.wroteHeader {
		w.WriteHeader(http.StatusOK)
	}
	if w.swallow {
		return len(b), nil
	}
	return w.ResponseWriter.Write(b)
}

func (w *errorPageWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
