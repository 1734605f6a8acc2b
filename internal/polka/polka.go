// Package polka is Chirpy's side of Polka's webhooks, in one place: which
// events change a Chirpy Red membership and how (ChangeOf), what can become of
// a delivery (Outcome), how a request becomes a delivery or a client error
// (ParseDelivery), Standard Webhooks signatures (https://www.standardwebhooks.com),
// and a sender that delivers and retries as Polka does. It knows nothing of
// HTTP handlers or the database: the store applies a Delivery as told.
package polka

import (
	"fmt"
	"time"
)

// Events that Chirpy acts on. Polka sends others too; they are acknowledged
// and change nothing.
const (
	EventUserUpgraded   = "user.upgraded"
	EventUserDowngraded = "user.downgraded"
)

// Change is what a delivery does to its user's Chirpy Red membership.
type Change uint8

const (
	// NoChange: an event Chirpy does not act on.
	NoChange Change = iota
	// Upgrade: the user becomes a Chirpy Red member.
	Upgrade
	// Downgrade: the user's membership ends.
	Downgrade
)

// ChangeOf returns what event does to a membership.
func ChangeOf(event string) Change {
	switch event {
	case EventUserUpgraded:
		return Upgrade
	case EventUserDowngraded:
		return Downgrade
	}
	return NoChange
}

// Member reports whether a user is a Chirpy Red member after c, and whether
// c says anything about it at all.
func (c Change) Member() (member, changes bool) {
	switch c {
	case Upgrade:
		return true, true
	case Downgrade:
		return false, true
	}
	return false, false
}

// Outcome is what became of a delivery, as the inbox records it.
type Outcome uint8

const (
	_ Outcome = iota // the zero Outcome is none
	// Ignored: the event changes nothing; acknowledged.
	Ignored
	// Applied: the membership was changed (or already was as asked).
	Applied
	// UnknownUser: the event names a user who does not exist.
	UnknownUser
	// Stale: the change is older than the last one applied to its user;
	// acknowledged, and it changes nothing.
	Stale

	numOutcomes // one past the last outcome
)

// outcomeWords are the outcomes as the inbox stores them and operators read
// them.
var outcomeWords = [numOutcomes]string{
	Ignored:     "ignored",
	Applied:     "applied",
	UnknownUser: "unknown_user",
	Stale:       "stale",
}

// Outcomes lists every outcome.
func Outcomes() []Outcome {
	// The capacity only saves a reallocation: any other (a mutant of
	// numOutcomes-1) returns the same outcomes.
	all := make([]Outcome, 0, numOutcomes-1)
	for o := Ignored; o < numOutcomes; o++ {
		all = append(all, o)
	}
	return all
}

func (o Outcome) String() string {
	if o == 0 || o >= numOutcomes {
		return fmt.Sprintf("Outcome(%d)", uint8(o))
	}
	return outcomeWords[o]
}

// ParseOutcome returns the outcome whose word is s.
func ParseOutcome(s string) (Outcome, error) {
	for o := Ignored; o < numOutcomes; o++ {
		if outcomeWords[o] == s {
			return o, nil
		}
	}
	return 0, fmt.Errorf("unknown delivery outcome %q", s)
}

// InboxRetention is how long deliveries are remembered, to recognise retries.
// Senders retry for up to a few days (Polka: 3); a week covers that with room.
const InboxRetention = 7 * 24 * time.Hour

// Standard Webhooks headers.
const (
	HeaderID        = "Webhook-Id"
	HeaderTimestamp = "Webhook-Timestamp"
	HeaderSignature = "Webhook-Signature"
)

// MaxIDLength bounds a webhook-id, which is stored.
const MaxIDLength = 256

// MaxBodyBytes bounds a delivery's body; Polka's events are a few hundred
// bytes.
const MaxBodyBytes = 64 << 10

// Event is the body of a webhook. Timestamp, when the sender includes it, is
// when the event happened (RFC 3339), as Standard Webhooks payloads carry it:
// unlike the webhook-timestamp header, which is the time of each attempt, it
// stays the same on every retry.
type Event struct {
	Event     string `json:"event"`
	Timestamp string `json:"timestamp,omitempty"`
	Data      struct {
		UserID string `json:"user_id"`
	} `json:"data"`
}
