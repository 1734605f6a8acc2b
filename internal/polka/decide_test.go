package polka

import (
	"testing"
	"time"
)

func TestDecide(t *testing.T) {
	t0 := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	earlier, later := t0.Add(-time.Second), t0.Add(time.Second)
	upgrade := func(at time.Time) Delivery { return Delivery{Event: EventUserUpgraded, Change: Upgrade, At: at} }
	downgrade := func(at time.Time) Delivery { return Delivery{Event: EventUserDowngraded, Change: Downgrade, At: at} }
	for _, tc := range []struct {
		name  string
		d     Delivery
		m     Membership
		found bool
		want  Decision
	}{
		{"another event", Delivery{Event: "user.payment_failed"}, Membership{}, true, Decision{Outcome: Ignored}},
		{"another event, no user", Delivery{Event: "user.payment_failed"}, Membership{}, false, Decision{Outcome: Ignored}},
		{"unknown user", upgrade(t0), Membership{}, false, Decision{Outcome: UnknownUser}},
		{"upgrade", upgrade(time.Time{}), Membership{}, true,
			Decision{Outcome: Applied, Write: true, Set: Membership{Red: true}}},
		{"upgrade with a time", upgrade(t0), Membership{}, true,
			Decision{Outcome: Applied, Write: true, Set: Membership{Red: true, ChangedAt: t0}}},
		{"downgrade", downgrade(later), Membership{Red: true, ChangedAt: t0}, true,
			Decision{Outcome: Applied, Write: true, Set: Membership{ChangedAt: later}}},
		{"older than the last change", upgrade(earlier), Membership{ChangedAt: t0}, true, Decision{Outcome: Stale}},
		{"as old as the last change", downgrade(t0), Membership{Red: true, ChangedAt: t0}, true,
			Decision{Outcome: Applied, Write: true, Set: Membership{ChangedAt: t0}}},
		{"already so, same time: nothing to write", upgrade(t0), Membership{Red: true, ChangedAt: t0}, true,
			Decision{Outcome: Applied, Set: Membership{Red: true, ChangedAt: t0}}},
		{"already so, no time: nothing to write", upgrade(time.Time{}), Membership{Red: true, ChangedAt: t0}, true,
			Decision{Outcome: Applied, Set: Membership{Red: true}}},
		{"already so, newer: the time is written", upgrade(later), Membership{Red: true, ChangedAt: t0}, true,
			Decision{Outcome: Applied, Write: true, Set: Membership{Red: true, ChangedAt: later}}},
		{"already so, first time known", downgrade(t0), Membership{}, true,
			Decision{Outcome: Applied, Write: true, Set: Membership{ChangedAt: t0}}},
		{"no time is never stale", downgrade(time.Time{}), Membership{Red: true, ChangedAt: later}, true,
			Decision{Outcome: Applied, Write: true, Set: Membership{}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := Decide(tc.d, tc.m, tc.found); got != tc.want {
				t.Errorf("Decide = %+v, want %+v", got, tc.want)
			}
		})
	}
}
