//go:build testall

package main

import (
	"fmt"
	"net"
	"net/http"
	"net/http/cookiejar"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// raceSlowdown is how many times slower the race detector makes a login
// (race_test.go): 1 without it.
var raceSlowdown time.Duration = 1

// A returning user is served first (OWASP's device cookies): under a flood of
// logins that pay the production argon2id cost, from 700 addresses, the
// owner of a device cookie logs in within 2 s (more under the race
// detector), and a flood aimed at their account locks out everyone but
// them. The figures are logged for docs/security.md.
func TestReturningUserServedFirstUnderAFlood(t *testing.T) {
	s := startServer(t, map[string]string{"PASSWORD_HASH_COST": "owasp"})
	for _, email := range []string{"walt@breakingbad.com", "jesse@breakingbad.com"} {
		s.req(t, "POST", "/api/users", map[string]string{"email": email, "password": "123456"}).expect(t, http.StatusCreated)
	}
	walt := s.from("127.0.1.1")
	jar, _ := cookiejar.New(nil)
	walt.client.Jar = jar
	walt.req(t, "POST", "/api/login", map[string]string{"email": "walt@breakingbad.com", "password": "123456"}).expect(t, http.StatusOK)
	bound := 2 * time.Second * raceSlowdown
	timedLogin := func(c *testServer, email string) (int, time.Duration) {
		start := time.Now()
		st := c.loginStatus(t, email, "123456")
		return st, time.Since(start)
	}

	// Unknown emails, one each, for 12 s, while walt (with the cookie) and
	// jesse (without one, the baseline) log in three times, 3 s apart.
	flooded := make(chan floodResult)
	go func() {
		flooded <- flood(s.URL, 300, 12*time.Second, 20000, "127.0.2.0", func(i int) string {
			return fmt.Sprintf(`{"email":"nobody%d@example.com","password":"guess"}`, i)
		})
	}()
	var baseline sync.WaitGroup
	for i := 1; i <= 3; i++ {
		time.Sleep(3 * time.Second)
		baseline.Go(func() {
			st, d, err := post(s.URL, "127.0.1.2", `{"email":"jesse@breakingbad.com","password":"123456"}`)
			t.Logf("baseline (no device cookie) login %d under the flood: %d in %v (%v)", i, st, d.Round(time.Millisecond), err)
		})
		st, d := timedLogin(walt, "walt@breakingbad.com")
		t.Logf("returning user's login %d under the flood: %d in %v", i, st, d.Round(time.Millisecond))
		if st != http.StatusOK || d > bound {
			t.Errorf("returning user's login %d under the flood: %d in %v, want 200 within %v", i, st, d, bound)
		}
	}
	baseline.Wait()
	r := <-flooded
	t.Logf("flood of unknown emails: %s", r)
	if r.statuses[http.StatusOK] > 0 || r.sent < 100 {
		t.Errorf("flood of unknown emails: %s", r)
	}

	// Wrong passwords for walt's email from 200 addresses, 20 at once (a
	// queue the race detector's slow hashes still serve within deadlines):
	// the account is locked out, except for walt with the cookie.
	r = flood(s.URL, 20, 30*time.Second, 200, "127.0.10.0", func(int) string {
		return `{"email":"walt@breakingbad.com","password":"guess"}`
	})
	t.Logf("flood of wrong passwords at one account: %s", r)
	if r.statuses[http.StatusTooManyRequests] == 0 || r.statuses[http.StatusOK] > 0 {
		t.Errorf("flood at one account: %s, want the account locked out", r)
	}
	st, d := timedLogin(walt, "walt@breakingbad.com")
	t.Logf("the owner with the device cookie, account locked out: %d in %v", st, d.Round(time.Millisecond))
	if st != http.StatusOK || d > bound {
		t.Errorf("the owner with the device cookie, account locked out: %d in %v, want 200 within %v", st, d, bound)
	}
	if st := s.from("127.0.1.1").loginStatus(t, "walt@breakingbad.com", "123456"); st != http.StatusTooManyRequests {
		t.Errorf("the owner without the cookie, account locked out: %d, want 429", st)
	}
}

// floodResult is what a flood sent and got.
type floodResult struct {
	sent     int
	took     time.Duration
	statuses map[int]int
	errs     int
	slowest  time.Duration
}

func (r floodResult) String() string {
	return fmt.Sprintf("%d requests in %v, statuses %v, %d errors, slowest %v", r.sent, r.took.Round(time.Millisecond), r.statuses, r.errs, r.slowest.Round(time.Millisecond))
}

// flood sends logins from workers at once, for at most d and limit requests,
// each on a new connection from the next of 700 loopback addresses after
// first (127.0.x.y), and returns when every answer is in.
func flood(url string, workers int, d time.Duration, limit int, first string, body func(i int) string) floodResult {
	base := net.ParseIP(first).To4()
	var next atomic.Int64
	var mu sync.Mutex
	r := floodResult{statuses: map[int]int{}}
	start := time.Now()
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for time.Since(start) < d {
				i := int(next.Add(1))
				if i > limit {
					return
				}
				a := 256*int(base[2]) + int(base[3]) + (i-1)%700 + 1
				src := fmt.Sprintf("127.0.%d.%d", a/256, a%256)
				st, took, err := post(url, src, body(i))
				mu.Lock()
				r.sent++
				r.statuses[st]++
				if err != nil {
					r.errs++
				}
				r.slowest = max(r.slowest, took)
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	r.took = time.Since(start)
	return r
}

// post sends a login from the local address src on a connection of its own,
// and says how long the answer took.
func post(url, src, body string) (int, time.Duration, error) {
	dialer := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(src)}}
	c := &http.Client{Timeout: 15 * time.Second, Transport: &http.Transport{DialContext: dialer.DialContext, DisableKeepAlives: true}}
	start := time.Now()
	res, err := c.Post(url+"/api/login", "application/json", strings.NewReader(body))
	if err != nil {
		return 0, time.Since(start), err
	}
	res.Body.Close()
	return res.StatusCode, time.Since(start), nil
}
