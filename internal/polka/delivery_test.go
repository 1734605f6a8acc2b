package polka

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
)

const walt = "3f0c5a8e-6d43-4d8a-9a55-7c8e8e2a1b90"

func TestParseDelivery(t *testing.T) {
	upgrade := `{"event": "user.upgraded", "data": {"user_id": "` + walt + `"}}`
	tests := []struct {
		name    string
		id      string
		body    string
		want    Delivery // compared when wantErr is nil
		wantErr error
		msg     string // the error's text contains it
	}{
		{name: "upgrade", id: "msg_1", body: upgrade,
			want: Delivery{ID: "msg_1", Event: EventUserUpgraded, UserID: nullUUID(walt), Change: Upgrade}},
		{name: "other event, no user", id: "msg_2", body: `{"event": "user.payment_failed"}`,
			want: Delivery{ID: "msg_2", Event: "user.payment_failed", Change: NoChange}},
		{name: "other event, user not a UUID", id: "msg_3", body: `{"event": "user.payment_failed", "data": {"user_id": "walt"}}`,
			want: Delivery{ID: "msg_3", Event: "user.payment_failed", Change: NoChange}},
		{name: "downgrade", id: "msg_5", body: `{"event": "user.downgraded", "data": {"user_id": "` + walt + `"}}`,
			want: Delivery{ID: "msg_5", Event: EventUserDowngraded, UserID: nullUUID(walt), Change: Downgrade}},
		{name: "with the event's time", id: "msg_6", body: `{"event": "user.downgraded", "timestamp": "2026-12-01T12:00:00.5Z", "data": {"user_id": "` + walt + `"}}`,
			want: Delivery{ID: "msg_6", Event: EventUserDowngraded, UserID: nullUUID(walt), Change: Downgrade,
				At: time.Date(2026, 12, 1, 12, 0, 0, 5e8, time.UTC)}},
		{name: "extra fields ignored", id: "msg_4", body: `{"event": "user.upgraded", "data": {"user_id": "` + walt + `", "plan": "red"}, "x": 1}`,
			want: Delivery{ID: "msg_4", Event: EventUserUpgraded, UserID: nullUUID(walt), Change: Upgrade}},

		{name: "id of the longest length", id: strings.Repeat("i", MaxIDLength), body: upgrade,
			want: Delivery{ID: strings.Repeat("i", MaxIDLength), Event: EventUserUpgraded, UserID: nullUUID(walt), Change: Upgrade}},
		{name: "id with a tilde, the last printable character", id: "msg_~1", body: upgrade,
			want: Delivery{ID: "msg_~1", Event: EventUserUpgraded, UserID: nullUUID(walt), Change: Upgrade}},

		{name: "id too long", id: strings.Repeat("i", MaxIDLength+1), body: upgrade, wantErr: ErrInvalid, msg: "webhook-id"},
		{name: "id not ASCII", id: "msg_\xff", body: upgrade, wantErr: ErrInvalid, msg: "webhook-id"},
		{name: "id with a space", id: "msg 1", body: upgrade, wantErr: ErrInvalid, msg: "webhook-id"},
		{name: "malformed JSON", id: "m", body: `{"event": `, wantErr: ErrInvalid, msg: "malformed"},
		{name: "empty body", id: "m", body: ``, wantErr: ErrInvalid, msg: "empty"},
		{name: "null body", id: "m", body: `null`, wantErr: ErrInvalid, msg: `"event"`},
		{name: "no event", id: "m", body: `{"data": {"user_id": "` + walt + `"}}`, wantErr: ErrInvalid, msg: `"event"`},
		{name: "NUL in event", id: "m", body: `{"event": "user.up\u0000graded"}`, wantErr: ErrInvalid, msg: `"event"`},
		{name: "NUL first in event", id: "m", body: `{"event": "\u0000user.upgraded"}`, wantErr: ErrInvalid, msg: `"event"`},
		{name: "user not a UUID", id: "m", body: `{"event": "user.upgraded", "data": {"user_id": "walt"}}`, wantErr: ErrInvalid, msg: "data.user_id"},
		{name: "no user", id: "m", body: `{"event": "user.upgraded"}`, wantErr: ErrInvalid, msg: "data.user_id"},
		{name: "downgrade, user not a UUID", id: "m", body: `{"event": "user.downgraded", "data": {"user_id": "walt"}}`, wantErr: ErrInvalid, msg: "data.user_id"},
		{name: "time not RFC 3339", id: "m", body: `{"event": "user.upgraded", "timestamp": "yesterday", "data": {"user_id": "` + walt + `"}}`, wantErr: ErrInvalid, msg: `"timestamp"`},
		{name: "time a number", id: "m", body: `{"event": "user.upgraded", "timestamp": 1764590400, "data": {"user_id": "` + walt + `"}}`, wantErr: ErrInvalid, msg: `"timestamp"`},
		{name: "time in the future", id: "m", body: `{"event": "user.upgraded", "timestamp": "2126-01-01T00:00:00Z", "data": {"user_id": "` + walt + `"}}`, wantErr: ErrInvalid, msg: "future"},
		{name: "user of the wrong type", id: "m", body: `{"event": "user.upgraded", "data": {"user_id": 7}}`, wantErr: ErrInvalid, msg: "user_id"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := http.Header{}
			h.Set(HeaderID, tt.id)
			d, err := ParseDelivery(h, []byte(tt.body), nil, time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC))
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) || !strings.Contains(err.Error(), tt.msg) {
					t.Fatalf("ParseDelivery = %+v, %v; want %v saying %q", d, err, tt.wantErr, tt.msg)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			tt.want.Payload = []byte(tt.body)
			if d.ID != tt.want.ID || d.Event != tt.want.Event || d.UserID != tt.want.UserID ||
				d.Change != tt.want.Change || !d.At.Equal(tt.want.At) || string(d.Payload) != tt.body {
				t.Fatalf("ParseDelivery = %+v, want %+v", d, tt.want)
			}
		})
	}
}

// A delivery without a webhook-id gets one of its own, new every time.
func TestParseDeliveryMakesUpAnID(t *testing.T) {
	body := []byte(`{"event": "user.upgraded", "data": {"user_id": "` + walt + `"}}`)
	a, err1 := ParseDelivery(http.Header{}, body, nil, time.Now())
	b, err2 := ParseDelivery(http.Header{}, body, nil, time.Now())
	if err1 != nil || err2 != nil || !strings.HasPrefix(a.ID, "chirpy_") || a.ID == b.ID || len(a.ID) > MaxIDLength {
		t.Fatalf("ids %q and %q (%v, %v): want two different chirpy_ ids", a.ID, b.ID, err1, err2)
	}
}

func TestParseDeliverySigned(t *testing.T) {
	signer, err := NewSigner(kaSecret)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	body := []byte(`{"event": "user.upgraded", "data": {"user_id": "` + walt + `"}}`)
	signed := func(id string, ts time.Time, sig string) http.Header {
		h := http.Header{}
		h.Set(HeaderID, id)
		h.Set(HeaderTimestamp, strconv.FormatInt(ts.Unix(), 10))
		h.Set(HeaderSignature, sig)
		return h
	}
	old := now.Add(-6 * time.Minute)
	tests := []struct {
		name    string
		h       http.Header
		body    []byte
		wantErr error
	}{
		{"valid", signed("msg_1", now, signer.Sign("msg_1", now, body)), body, nil},
		{"valid among several", signed("msg_1", now, "v1,bm9wZQ== "+signer.Sign("msg_1", now, body)), body, nil},
		{"unsigned", http.Header{HeaderID: {"msg_1"}}, body, ErrBadSignature},
		{"tampered body", signed("msg_1", now, signer.Sign("msg_1", now, body)), []byte(strings.Replace(string(body), "3f0c", "4f0c", 1)), ErrBadSignature},
		{"signed for another id", signed("msg_2", now, signer.Sign("msg_1", now, body)), body, ErrBadSignature},
		{"too old", signed("msg_1", old, signer.Sign("msg_1", old, body)), body, ErrBadSignature},
		// The id is checked first, the signature before the body is parsed.
		{"bad id", signed("msg 1", now, signer.Sign("msg 1", now, body)), body, ErrInvalid},
		{"signed garbage", signed("msg_1", now, signer.Sign("msg_1", now, []byte("{"))), []byte("{"), ErrInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := ParseDelivery(tt.h, tt.body, signer, now)
			if !errors.Is(err, tt.wantErr) || (tt.wantErr == nil) != (err == nil) {
				t.Fatalf("ParseDelivery = %+v, %v; want %v", d, err, tt.wantErr)
			}
			if errors.Is(err, ErrBadSignature) && !strings.HasPrefix(err.Error(), "Invalid webhook signature: ") {
				t.Errorf("error %q does not say the signature is invalid, and why", err)
			}
			if err == nil && (d.ID != "msg_1" || d.Change != Upgrade || d.At.Unix() != now.Unix()) {
				t.Fatalf("ParseDelivery = %+v; want At the webhook-timestamp", d)
			}
		})
	}
}

// A signed delivery whose body has the event's time is ordered by that time,
// not by its webhook-timestamp, which is new on every attempt.
func TestParseDeliveryPrefersTheEventsTime(t *testing.T) {
	signer, _ := NewSigner(kaSecret)
	now := time.Now()
	event := now.Add(-3 * 24 * time.Hour).UTC().Truncate(time.Second)
	body := []byte(`{"event": "user.upgraded", "timestamp": "` + event.Format(time.RFC3339) + `", "data": {"user_id": "` + walt + `"}}`)
	h := http.Header{}
	h.Set(HeaderID, "msg_1")
	h.Set(HeaderTimestamp, strconv.FormatInt(now.Unix(), 10))
	h.Set(HeaderSignature, signer.Sign("msg_1", now, body))
	d, err := ParseDelivery(h, body, signer, now)
	if err != nil || !d.At.Equal(event) {
		t.Fatalf("ParseDelivery = %+v, %v; want At %v, the event's time", d, err, event)
	}
}

func TestChangeOf(t *testing.T) {
	for event, want := range map[string]Change{
		"user.upgraded":       Upgrade,
		"user.downgraded":     Downgrade,
		"user.payment_failed": NoChange,
		"User.Upgraded":       NoChange,
		"":                    NoChange,
	} {
		if got := ChangeOf(event); got != want {
			t.Errorf("ChangeOf(%q) = %v, want %v", event, got, want)
		}
	}
}

// Every outcome has a word of its own that reads back as that outcome.
func TestOutcomeWords(t *testing.T) {
	seen := map[string]bool{}
	for _, o := range Outcomes() {
		w := o.String()
		if w == "" || seen[w] || strings.HasPrefix(w, "Outcome(") {
			t.Errorf("outcome %d has word %q", o, w)
		}
		seen[w] = true
		if back, err := ParseOutcome(w); err != nil || back != o {
			t.Errorf("ParseOutcome(%q) = %v, %v; want %v", w, back, err, o)
		}
	}
	if len(seen) != 4 {
		t.Errorf("%d outcomes, want applied, ignored, unknown_user and stale", len(seen))
	}
	if _, err := ParseOutcome("error"); err == nil {
		t.Error("ParseOutcome accepted a word that is no outcome")
	}
	for _, o := range []Outcome{0, numOutcomes, 200} {
		if s, want := o.String(), fmt.Sprintf("Outcome(%d)", uint8(o)); s != want {
			t.Errorf("an outcome out of range reads %q, want %q", s, want)
		}
	}
}

func nullUUID(s string) uuid.NullUUID { return uuid.NullUUID{UUID: uuid.MustParse(s), Valid: true} }
