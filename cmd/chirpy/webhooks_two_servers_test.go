package main

import (
	"net/http"
	"strconv"
	"testing"
)

// Two servers on one database apply a delivery once, whichever of them its
// copies reach. The deliveries alternate upgrade and downgrade, carry no time
// (so arrival decides), and each is retried on the other server after the
// next one applied: applying a copy again would change the membership back,
// and write it.
func TestWebhookRetriesAcrossTwoServersApplyOnce(t *testing.T) {
	t.Parallel()
	a := startServer(t, nil)
	b := startServer(t, map[string]string{"DB_URL": a.DBURL})
	servers := []*testServer{a, b}
	walt := a.signUp(t, "walt@breakingbad.com", "123456")
	changes := a.countMembershipChanges(t)
	events := []membershipEvent{membershipEvents[0], membershipEvents[1]} // upgrade, downgrade

	const n = 6
	id := func(i int) string { return "msg_" + strconv.Itoa(i) }
	check := func(after string, i int) {
		t.Helper()
		if red, _ := a.red(t, walt.ID); red != events[i%2].after {
			t.Fatalf("after %s: red %v, want %v (delivery %d, a %s, applied once)", after, red, events[i%2].after, i, events[i%2].name)
		}
		if got := changes(); got != i+1 {
			t.Fatalf("after %s: %d membership writes, want %d", after, got, i+1)
		}
	}
	for i := range n {
		s := servers[i%2]
		s.req(t, "POST", hookPath, events[i%2].body(walt.ID), withID(id(i))...).expect(t, http.StatusNoContent)
		check("delivery "+id(i), i)
		if i > 0 {
			// The previous delivery, first sent to the other server.
			s.req(t, "POST", hookPath, events[(i-1)%2].body(walt.ID), withID(id(i-1))...).expect(t, http.StatusNoContent)
			check("a retry of "+id(i-1)+" on the other server", i)
		}
	}
	// Every delivery again, on both servers, oldest first.
	for i := range n {
		for _, s := range servers {
			s.req(t, "POST", hookPath, events[i%2].body(walt.ID), withID(id(i))...).expect(t, http.StatusNoContent)
		}
	}
	check("every delivery again on both servers", n-1)
	for i := range n {
		if outcome, rows := a.inbox(t, id(i)); outcome != "applied" || rows != 1 {
			t.Errorf("%s recorded as %q in %d rows, want applied in 1", id(i), outcome, rows)
		}
	}
}
