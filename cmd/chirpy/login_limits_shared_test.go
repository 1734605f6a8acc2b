package main

import (
	"net/http"
	"strconv"
	"testing"
)

// Two servers on one database count a login's keys together: per client
// (LOGIN_LIMIT_PER_CLIENT, whatever the emails) and per account (100, from
// any client), whichever server each attempt reaches.
func TestLoginLimitsSharedByTwoServers(t *testing.T) {
	t.Parallel()
	a := startServer(t, map[string]string{"LOGIN_LIMIT_PER_CLIENT": "4"})
	b := startServer(t, map[string]string{"DB_URL": a.DBURL, "LOGIN_LIMIT_PER_CLIENT": "4"})
	servers := []*testServer{a, b}
	// Signed up without a login, which would count for the account.
	a.req(t, "POST", "/api/users", map[string]string{"email": "walt@breakingbad.com", "password": "123456"}).expect(t, http.StatusCreated)

	// One client, ever new emails, alternating servers: the 5th is refused,
	// on either.
	for i := 1; i <= 5; i++ {
		want := http.StatusUnauthorized
		if i == 5 {
			want = http.StatusTooManyRequests
		}
		email := "user" + strconv.Itoa(i) + "@example.com"
		if st := servers[i%2].from("127.0.0.2").loginStatus(t, email, "guess"); st != want {
			t.Fatalf("attempt %d from one client, through server %d: %d, want %d", i, i%2, st, want)
		}
	}
	if st := b.from("127.0.0.3").loginStatus(t, "user1@example.com", "guess"); st != http.StatusUnauthorized {
		t.Fatalf("another client: %d, want 401", st)
	}

	// One account from many clients, each within its own limits (four
	// attempts each): after the 100 an account is allowed, alternating
	// servers, the next is refused on either, even with the password.
	n := 0
	for c := 10; c < 35; c++ {
		client := "127.0.0." + strconv.Itoa(c)
		for range 4 {
			n++
			if st := servers[n%2].from(client).loginStatus(t, "walt@breakingbad.com", "guess"); st != http.StatusUnauthorized {
				t.Fatalf("attempt %d on the account, from %s: %d, want 401", n, client, st)
			}
		}
	}
	for i, s := range servers {
		if st := s.from("127.0.0.50").loginStatus(t, "walt@breakingbad.com", "123456"); st != http.StatusTooManyRequests {
			t.Fatalf("the account after 100 attempts through two servers, on server %d: %d, want 429", i, st)
		}
	}
}
