// Package server is Chirpy's HTTP API, and nothing else: the route table
// (routes.go), a file of handlers per resource, the JSON in and out
// (json.go, chirp_json.go), the one table from errors to statuses
// (errors.go) and the middleware (middleware.go), composed in NewServer. It
// reaches the database only through the store, and the rules only through
// their packages (auth, chirp, polka).
package server

import (
	"io"
	"log/slog"
	"net/http"
	"net/netip"
	"strings"
	"time"

	"chirpy/internal/auth"
	"chirpy/internal/polka"
	"chirpy/internal/store"
)

// Deps is everything the handlers use. NewServer takes all of it explicitly;
// nothing is global.
type Deps struct {
	Logger *slog.Logger
	Store  *store.Store
	Hasher *auth.Hasher
	// JWTSecret signs and checks access tokens (none: no token is made or
	// accepted).
	JWTSecret []byte
	PolkaKeys auth.APIKeys
	// PolkaSigner, when set, requires signed webhooks.
	PolkaSigner *polka.Signer
	// Dev enables POST /admin/reset.
	Dev bool
	// LoginLimits throttle logins (production uses auth.DefaultLoginLimits);
	// the zero LoginLimits refuses every login.
	LoginLimits auth.LoginLimits
	// TrustedProxies are the load balancers whose X-Forwarded-For tells the
	// client's address (for the login throttle); none by default.
	TrustedProxies []netip.Prefix
	// BodyBudget bounds the bytes of all request bodies being read at once
	// (default 32 MiB).
	BodyBudget int64
	// Metrics, when set, count requests, deliveries and refused logins.
	Metrics *Metrics
	// RequestTimeout bounds what a request may wait for: the database
	// (connecting included) and a password hashing slot (default 10 s).
	RequestTimeout time.Duration
	// WebhookTimeout is a webhook delivery's share of the database (default
	// 5 s): well under the 10 to 30 seconds after which senders give up on an
	// answer, so a stuck database gets a 503 (and a retry), not a timeout.
	WebhookTimeout time.Duration
}

// Production deadlines, unless Deps says otherwise.
const (
	defaultRequestTimeout = 10 * time.Second
	defaultWebhookTimeout = 5 * time.Second
	defaultBodyBudget     = 32 << 20
)

// NewServer returns the whole API as one handler: the routes of routes.go
// inside the middleware, composed here, outermost first.
func NewServer(d Deps) http.Handler {
	if d.RequestTimeout <= 0 {
		d.RequestTimeout = defaultRequestTimeout
	}
	if d.WebhookTimeout <= 0 {
		d.WebhookTimeout = defaultWebhookTimeout
	}
	if d.BodyBudget <= 0 {
		d.BodyBudget = defaultBodyBudget
	}
	// Room for the largest body at least, or it would wait forever.
	d.BodyBudget = max(d.BodyBudget, polka.MaxBodyBytes)
	mux := http.NewServeMux()
	addRoutes(mux, d)
	var routes http.Handler = mux
	if d.Metrics != nil {
		// Directly around the mux: it sets the matched pattern on the
		// request it is given.
		routes = d.Metrics.instrument(mux)
	}
	return chain(routes, middlewares(d)...)
}

// middlewares is what every request passes through, outermost first.
func middlewares(d Deps) []middleware {
	return []middleware{
		withRequestID(newRequestIDs()), // X-Request-Id, and the request's log attributes
		logRequests(d.Logger),          // one line per request, once it is answered
		secureHeaders,                  // nosniff on every response
		recoverPanics(d.Logger),        // a panic is a logged 500; the process goes on
		withDeadline(d.RequestTimeout), // what a request may wait for
		jsonErrorPages,                 // the mux's own 404 and 405 as JSON errors
	}
}

// handlerFunc is a handler that returns its failure instead of answering it,
// so that errors are turned into responses in one place (writeError), and a
// handler cannot forget to return after answering one.
type handlerFunc func(w http.ResponseWriter, r *http.Request) error

// api adapts a handlerFunc to http.Handler.
func api(logger *slog.Logger, h handlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var body *bodyWatcher
		if r.ContentLength != 0 {
			body = &bodyWatcher{ReadCloser: r.Body}
			r.Body = body
		}
		if err := h(w, r); err != nil {
			if body == nil || body.done {
				writeError(w, r, logger, err)
				return
			}
			// Refused before its body was read (a missing token, too large):
			// net/http would read the rest of it before answering, which a
			// client that stalls, or sends a lot, makes slow. Answer now,
			// and close.
			w.Header().Set("Connection", "close")
			rc := http.NewResponseController(w)
			_ = rc.EnableFullDuplex() // to read on after answering
			writeError(w, r, logger, err)
			linger(rc, r, body.ReadCloser)
		}
	})
}

// The bounds of linger: what a client may still send after its answer.
const (
	lingerTime  = 5 * time.Second
	lingerBytes = 16 << 20
)

// linger reads and discards what the client still sends of a body refused
// unread, for at most lingerTime and lingerBytes, before the connection is
// closed (nginx's lingering close). Closed at once, with the body still
// arriving, the connection would be reset, and a client that writes its whole
// body before it reads (many do) would lose the answer. A client that asked
// to be told before it sends (Expect: 100-continue) sends nothing more.
func linger(rc *http.ResponseController, r *http.Request, body io.Reader) {
	if r.ProtoMajor != 1 || strings.EqualFold(r.Header.Get("Expect"), "100-continue") {
		return
	}
	if rc.Flush() != nil || rc.SetReadDeadline(time.Now().Add(lingerTime)) != nil {
		return
	}
	_, _ = io.CopyN(io.Discard, body, lingerBytes) // ends at EOF, the bound, or the deadline
}

// bodyWatcher records whether a request body was read to its end.
type bodyWatcher struct {
	io.ReadCloser
	done bool
}

func (b *bodyWatcher) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if err == io.EOF {
		b.done = true
	}
	return n, err
}
