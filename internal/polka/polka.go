// Package polka speaks Polka's side of the webhook: the event format, Standard
// Webhooks signatures (https://www.standardwebhooks.com), the inbox that
// remembers deliveries, and a sender that delivers and retries as Polka does.
package polka

import "time"

// EventUserUpgraded is the only event that changes anything: the user bought
// Chirpy Red.
const EventUserUpgraded = "user.upgraded"

// Event is the body of a webhook.
type Event struct {
	Event string `json:"event"`
	Data  struct {
		UserID string `json:"user_id"`
	} `json:"data"`
}

// Outcomes of a delivery, as recorded in the inbox.
const (
	OutcomeApplied     = "applied"
	OutcomeIgnored     = "ignored"
	OutcomeUnknownUser = "unknown_user"
)

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
