package polka

import "time"

// Membership is a user's Chirpy Red membership as stored: whether they are
// a member, and when a delivery last changed it (zero: never).
type Membership struct {
	Red       bool
	ChangedAt time.Time
}

// Decision is what a delivery does: its outcome, and whether its user's
// membership is written, and as what. A Set.ChangedAt of zero means the time
// the write is made.
type Decision struct {
	Outcome Outcome
	Write   bool
	Set     Membership
}

// Decide says what delivery d does to its user, whose membership is m, or who
// does not exist (found false). This is the webhook rule, whole:
//   - an event that changes no membership is Ignored;
//   - one whose user does not exist is UnknownUser;
//   - one older than the last change applied to its user is Stale, and
//     changes nothing, so a late retry of an old upgrade cannot undo a newer
//     downgrade (a delivery without a time is never stale: it happens as it
//     arrives);
//   - any other is Applied: the membership becomes what the event says, and
//     the time of the change is remembered. It is written only when
//     something changes (the membership, or the time, given one), so a retry
//     that finds its user as it asks writes nothing.
func Decide(d Delivery, m Membership, found bool) Decision {
	member, changes := d.Change.Member()
	switch {
	case !changes:
		return Decision{Outcome: Ignored}
	case !found:
		return Decision{Outcome: UnknownUser}
	case !d.At.IsZero() && d.At.Before(m.ChangedAt):
		return Decision{Outcome: Stale}
	}
	newer := !d.At.IsZero() && (m.ChangedAt.IsZero() || d.At.After(m.ChangedAt))
	return Decision{
		Outcome: Applied,
		Write:   m.Red != member || newer,
		Set:     Membership{Red: member, ChangedAt: d.At},
	}
}
