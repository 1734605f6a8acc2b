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
	EventUserUpgraded = "user.upgraded"
)

// Change is what a delivery does to its user's Chirpy Red membership.
type Change uint8

const (
	// NoChange: an event Chirpy does not act on.
	NoChange Change = iota
	// Upgrade: the user becomes a Chirpy Red member.
	Upgrade
)

// ChangeOf returns what event does to a membership.
func ChangeOf(event string) Change {
	switch event {
	case EventUserUpgraded:
		return Upgrade
	}
	return NoChange
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

	numOutcomes // one past the last outcome
)

// outcomeWords are the outcomes as the inbox stores them and operators read
// them.
var outcomeWords = [numOutcomes]string{
	Ignored:     "ignored",
	Applied:     "applied",
	UnknownUser: "unknown_user",
}

// Outcomes lists every outcome.
func Outcomes() []Outcome {
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

// Event is the body of a webhook.
type Event struct {
	Event string `json:"event"`
	Data  struct {
		UserID string `json:"user_id"`
	} `json:"data"`
}
