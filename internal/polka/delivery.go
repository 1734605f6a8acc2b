package polka

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"chirpy/internal/jsonbody"
)

// Delivery is one webhook request, checked and understood.
type Delivery struct {
	// ID is the sender's webhook-id, or one made up ("chirpy_...") for a
	// delivery without one, whose retries then cannot be recognised.
	ID     string
	Event  string
	UserID uuid.NullUUID // data.user_id, when it is a UUID
	Change Change
	// At is when the change was made, to order the changes of one user: the
	// event's own timestamp if the body has one, else, for a signed
	// delivery, its webhook-timestamp. Zero: unknown, so arrival decides.
	At time.Time
	// Payload is the body as received, kept in the inbox.
	Payload []byte
}

var (
	// ErrInvalid is a delivery that no retry can mend: the sender is told
	// with a 4xx. Every such error of ParseDelivery wraps it, and its text
	// says what is wrong.
	ErrInvalid = errors.New("invalid webhook delivery")
	// ErrBadSignature is a delivery whose signature is missing, wrong or
	// too old (POLKA_WEBHOOK_SECRET set).
	ErrBadSignature = errors.New("Invalid webhook signature")
)

type invalidError struct{ msg string }

func (e *invalidError) Error() string         { return e.msg }
func (e *invalidError) Unwrap() error         { return ErrInvalid }
func (e *invalidError) ClientMessage() string { return e.msg }

// signatureError is ErrBadSignature, and why.
type signatureError struct{ why error }

func (e *signatureError) Error() string         { return ErrBadSignature.Error() + ": " + e.why.Error() }
func (e *signatureError) Unwrap() []error       { return []error{ErrBadSignature, e.why} }
func (e *signatureError) ClientMessage() string { return e.Error() }

func invalid(format string, args ...any) error {
	return &invalidError{fmt.Sprintf(format, args...)}
}

// ParseDelivery turns a webhook request's headers and raw body into a
// Delivery, or an error wrapping ErrInvalid or ErrBadSignature. signer is nil
// unless deliveries must be signed; now is the time signatures and times are
// checked against. The sender's API key is not its concern: that is checked before the body
// is even read.
func ParseDelivery(h http.Header, body []byte, signer *Signer, now time.Time) (Delivery, error) {
	id := h.Get(HeaderID)
	if !validID(id) {
		return Delivery{}, invalid("Header webhook-id must be at most %d printable ASCII characters", MaxIDLength)
	}
	if signer != nil {
		if err := signer.Verify(id, h.Get(HeaderTimestamp), h.Get(HeaderSignature), body, now); err != nil {
			return Delivery{}, &signatureError{err}
		}
	}
	var ev Event
	if err := jsonbody.Decode(body, &ev); err != nil {
		return Delivery{}, invalid("%s", err)
	}
	if ev.Event == "" || strings.IndexByte(ev.Event, 0) >= 0 {
		return Delivery{}, invalid("Field \"event\" is required")
	}
	d := Delivery{ID: id, Event: ev.Event, Change: ChangeOf(ev.Event), Payload: body}
	switch {
	case ev.Timestamp != "":
		at, err := time.Parse(time.RFC3339Nano, ev.Timestamp)
		if err != nil {
			return Delivery{}, invalid("Field \"timestamp\" must be an RFC 3339 time such as 2026-12-01T15:04:05Z")
		}
		if at.After(now.Add(SignatureTolerance)) {
			// A clock this far ahead would make every later change stale.
			return Delivery{}, invalid("Field \"timestamp\" is in the future")
		}
		d.At = at
	case signer != nil:
		// Verified above: a Unix time within the tolerance of now.
		sec, _ := strconv.ParseInt(h.Get(HeaderTimestamp), 10, 64)
		d.At = time.Unix(sec, 0)
	}
	if u, err := uuid.Parse(ev.Data.UserID); err == nil {
		d.UserID = uuid.NullUUID{UUID: u, Valid: true}
	} else if d.Change != NoChange {
		// Refused for good, so that it is not retried forever.
		return Delivery{}, invalid("Field \"data.user_id\" must be a UUID")
	}
	if d.ID == "" {
		// Without an id, retries cannot be recognised; they still converge,
		// since applying a membership change twice changes nothing more.
		d.ID = "chirpy_" + uuid.NewString()
	}
	return d, nil
}

// validID accepts the empty id (none sent) and ids of printable ASCII, as
// Standard Webhooks' are ("msg_..."), up to MaxIDLength.
func validID(id string) bool {
	if len(id) > MaxIDLength {
		return false
	}
	for i := 0; i < len(id); i++ {
		if id[i] <= ' ' || id[i] > '~' {
			return false
		}
	}
	return true
}
