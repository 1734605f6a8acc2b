package main

import (
	"net/http"
	"testing"
	"time"
)

// A downgrade older than the last change applied (by the event's time) is
// acknowledged, recorded as stale, and changes nothing: the membership stays.
func TestWebhookStaleDowngradeChangesNothing(t *testing.T) {
	t.Parallel()
	s := startServer(t, map[string]string{"POLKA_WEBHOOK_SECRET": polkaSecret})
	walt := s.signUp(t, "walt@breakingbad.com", "123456")
	signed := s.signedSend(t)
	// Each delivery is signed now; its event carries the time at.
	send := func(id string, body map[string]any, at time.Time) response {
		t.Helper()
		return signed(id, time.Now(), withTime(body, at))
	}
	now := time.Now()
	send("msg_up", upgraded(walt.ID), now).expect(t, http.StatusNoContent)
	red, before := s.red(t, walt.ID)
	if !red {
		t.Fatal("the upgrade did not apply")
	}
	changes := s.countMembershipChanges(t)

	r := send("msg_down_old", downgraded(walt.ID), now.Add(-time.Hour)).expect(t, http.StatusNoContent)
	if len(r.Body) != 0 {
		t.Errorf("204 with body %q", r.Body)
	}
	if outcome, _ := s.inbox(t, "msg_down_old"); outcome != "stale" {
		t.Errorf("a downgrade older than the upgrade was recorded as %q, want stale", outcome)
	}
	red, after := s.red(t, walt.ID)
	if !red || !after.Equal(before) {
		t.Errorf("after a stale downgrade: red %v, updated_at %v (was %v); want unchanged", red, after, before)
	}
	if n := changes(); n != 0 {
		t.Errorf("a stale downgrade wrote the membership %d times", n)
	}
	if !s.isRed(t, "walt@breakingbad.com", "123456") {
		t.Error("the login says the stale downgrade ended the membership")
	}
	// A newer downgrade still applies.
	send("msg_down_new", downgraded(walt.ID), now.Add(time.Second)).expect(t, http.StatusNoContent)
	if red, _ := s.red(t, walt.ID); red {
		t.Error("a downgrade newer than the upgrade did not apply")
	}
}
