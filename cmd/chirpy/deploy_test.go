//go:build testall

package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"chirpy/internal/dev/haproxy"
	"chirpy/internal/dev/pgbouncer"
	"chirpy/internal/dev/pgcluster"
	"chirpy/internal/dev/pgtest"
)

// Chirpy deployed as it is in production: several processes behind a load
// balancer, a pooler in front of PostgreSQL, a primary with a synchronous
// standby that takes over. Every part is real (haproxy, PgBouncer,
// PostgreSQL), started by the test: these run in make test-all, which needs
// PgBouncer and haproxy installed, not in make test.

// courseContract runs the course's sequence of checks against s: what the
// course's CLI tests rely on, to the status code and JSON field.
func courseContract(t *testing.T, s *testServer) {
	t.Helper()
	s.req(t, "POST", "/admin/reset", nil).expect(t, http.StatusOK)
	for range 3 {
		s.req(t, "GET", "/app/", nil).expect(t, http.StatusOK)
	}
	if m := string(s.req(t, "GET", "/admin/metrics", nil).expect(t, http.StatusOK).Body); !strings.Contains(m, "Chirpy has been visited 3 times!") {
		t.Errorf("metrics after 3 visits: %s", m)
	}
	walt := s.signUp(t, "walt@breakingbad.com", "123456")
	saul := s.signUp(t, "saul@bettercall.com", "123456")
	s.req(t, "POST", "/api/login", map[string]string{"email": "walt@breakingbad.com", "password": "wrong"}).expect(t, http.StatusUnauthorized)
	refreshed := decode[map[string]string](t, s.req(t, "POST", "/api/refresh", nil, bearer(walt.RefreshToken)...).expect(t, http.StatusOK))["token"]
	s.req(t, "POST", "/api/revoke", nil, bearer(walt.RefreshToken)...).expect(t, http.StatusNoContent)
	s.req(t, "POST", "/api/refresh", nil, bearer(walt.RefreshToken)...).expect(t, http.StatusUnauthorized)
	s.req(t, "PUT", "/api/users", map[string]string{"email": "walter@breakingbad.com", "password": "losPollos"}, bearer(refreshed)...).expect(t, http.StatusOK)

	var mine []string
	for _, body := range []string{"I'm the one who knocks!", "Say my name, kerfuffle"} {
		mine = append(mine, s.postChirp(t, walt.Token, body).ID)
	}
	theirs := s.postChirp(t, saul.Token, "Better call Saul").ID
	s.req(t, "POST", "/api/chirps", map[string]string{"body": strings.Repeat("a", 141)}, bearer(walt.Token)...).expect(t, http.StatusBadRequest)
	all := ids(decode[[]chirpJSON](t, s.req(t, "GET", "/api/chirps", nil).expect(t, http.StatusOK)))
	if !slices.Equal(all, append(slices.Clone(mine), theirs)) {
		t.Errorf("list %v, want %v and %s", all, mine, theirs)
	}
	if got := ids(decode[[]chirpJSON](t, s.req(t, "GET", "/api/chirps?author_id="+walt.ID+"&sort=desc", nil).expect(t, http.StatusOK))); !slices.Equal(got, []string{mine[1], mine[0]}) {
		t.Errorf("Walt's, newest first: %v", got)
	}
	if c := decode[chirpJSON](t, s.req(t, "GET", "/api/chirps/"+mine[1], nil).expect(t, http.StatusOK)); c.Body != "Say my name, ****" {
		t.Errorf("chirp %+v", c)
	}
	s.req(t, "DELETE", "/api/chirps/"+theirs, nil, bearer(walt.Token)...).expect(t, http.StatusForbidden)
	s.req(t, "DELETE", "/api/chirps/"+mine[0], nil, bearer(walt.Token)...).expect(t, http.StatusNoContent)
	s.req(t, "GET", "/api/chirps/"+mine[0], nil).expect(t, http.StatusNotFound)

	s.req(t, "POST", hookPath, upgraded(walt.ID)).expect(t, http.StatusUnauthorized)
	s.req(t, "POST", hookPath, upgraded("8a0e3bb6-1a0d-4b38-8e6c-4a4b7e1e2f00"), apiKey(polkaKey)...).expect(t, http.StatusNotFound)
	s.req(t, "POST", hookPath, upgraded(walt.ID), apiKey(polkaKey)...).expect(t, http.StatusNoContent)
	if !s.isRed(t, "walter@breakingbad.com", "losPollos") {
		t.Error("the upgrade did not show")
	}
}

// Two processes behind haproxy (round robin) behave as one: the course's
// contract holds, the visit counter and the login throttle are shared (30
// wrong passwords are checked 10 times, not 10 a process), a reset clears
// both for all, and the throttle keys on the client behind the balancer.
func TestTwoProcessesBehindALoadBalancer(t *testing.T) {
	t.Parallel()
	dbURL := pgtest.NewDatabase(t)
	env := []string{"DB_URL=" + dbURL, "TRUSTED_PROXIES=127.0.0.1"}
	a, b := startBinary(t, env...), startBinary(t, env...)
	lb, err := haproxy.Start(context.Background(), []string{strings.TrimPrefix(a.URL, "http://"), strings.TrimPrefix(b.URL, "http://")})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(lb.Stop)
	s := &testServer{URL: lb.URL(), DBURL: dbURL, DB: openDB(t, dbURL)}

	// Both processes answer through the balancer.
	var seen sync.Map
	for range 6 {
		seen.Store(s.req(t, "GET", "/api/healthz", nil).Header.Get("X-Request-Id")[:8], true)
	}
	n := 0
	seen.Range(func(any, any) bool { n++; return true })
	if n != 2 {
		t.Fatalf("requests reached %d processes, want 2", n)
	}

	courseContract(t, s)

	s.req(t, "POST", "/admin/reset", nil).expect(t, http.StatusOK)
	s.signUp(t, "walt@breakingbad.com", "123456")
	counts := map[int]int{}
	for range 30 {
		counts[s.req(t, "POST", "/api/login", map[string]string{"email": "walt@breakingbad.com", "password": "guess"}).Status]++
	}
	if counts[http.StatusUnauthorized] != 10 || counts[http.StatusTooManyRequests] != 20 {
		t.Fatalf("30 wrong passwords through two processes: %v, want 10 checked and 20 refused", counts)
	}
	// Another client, behind the same balancer, is not held up: the
	// throttle keys on X-Forwarded-For, not on the balancer's address.
	if st := loginFrom(t, lb.URL(), "127.0.0.2", "walt@breakingbad.com", "123456"); st != http.StatusOK {
		t.Errorf("the owner, from another address behind the balancer: %d, want 200", st)
	}
	s.req(t, "POST", "/admin/reset", nil).expect(t, http.StatusOK)
	s.signUp(t, "walt@breakingbad.com", "123456") // no longer locked out, on either process
}

// loginFrom logs in through url from the local source address src.
func loginFrom(t *testing.T, url, src, email, password string) int {
	t.Helper()
	lb := &testServer{URL: url}
	return lb.from(src).req(t, "POST", "/api/login", map[string]string{"email": email, "password": password}).Status
}

// Behind PgBouncer in transaction pooling (Debian's 1.18, which keeps no
// prepared statements), with DB_PREPARED_STATEMENTS=off: migrations, the
// course's contract, concurrent webhooks and Idempotency-Keys all work.
func TestBehindPgBouncer(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	cluster := ownCluster(t)
	bouncer, err := pgbouncer.Start(ctx, cluster, "chirpy", pgbouncer.PoolSize(3))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(bouncer.Stop)
	// Two servers migrate at once through the pooler, then serve through it.
	env := map[string]string{"DB_URL": bouncer.URL("chirpy"), "DB_PREPARED_STATEMENTS": "off"}
	var wg sync.WaitGroup
	servers := make([]*testServer, 2)
	errs := make([]error, 2)
	for i := range servers {
		wg.Go(func() { servers[i], errs[i] = tryStartServer(t, env) })
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		t.Fatal(err)
	}
	s := servers[0]
	courseContract(t, s)

	walt := s.signUp(t, "jesse@breakingbad.com", "123456")
	var failed atomic.Int32
	for i := range 40 {
		wg.Go(func() {
			srv := servers[i%2]
			if st := srv.req(t, "POST", hookPath, upgraded(walt.ID), withID(fmt.Sprintf("msg_%d", i%10))...).Status; st != http.StatusNoContent {
				failed.Add(1)
			}
			// t.Errorf, not expect's t.Fatalf: this is not the test's goroutine.
			if r := srv.req(t, "GET", "/api/chirps/8a0e3bb6-1a0d-4b38-8e6c-4a4b7e1e2f00", nil); r.Status != http.StatusNotFound {
				t.Errorf("GET an unknown chirp: status %d, want 404", r.Status)
			}
		})
	}
	wg.Wait()
	if failed.Load() > 0 {
		t.Fatalf("%d webhooks through PgBouncer failed\n%s", failed.Load(), bouncer.Log())
	}
	if n := s.count(t, `SELECT count(*) FROM webhook_inbox WHERE id LIKE 'msg_%'`); n != 10 {
		t.Fatalf("%d deliveries recorded, want the 10 ids once each", n)
	}

	// The same Idempotency-Keys at once, from both servers: each key is one
	// chirp (the key's lock is a transaction's, which a pooler in
	// transaction mode keeps), answered 201, or 409 while it was carried out.
	for i := range 20 {
		wg.Go(func() {
			key := fmt.Sprintf("key_%d", i%5)
			r := servers[i%2].req(t, "POST", "/api/chirps", map[string]string{"body": key}, withKey(key, bearer(walt.Token)...)...)
			if r.Status != http.StatusCreated && r.Status != http.StatusConflict {
				t.Errorf("POST /api/chirps with %s: %d", key, r.Status)
			}
		})
	}
	wg.Wait()
	for i := range 5 {
		key := fmt.Sprintf("key_%d", i)
		r := s.req(t, "POST", "/api/chirps", map[string]string{"body": key}, withKey(key, bearer(walt.Token)...)...).expect(t, http.StatusCreated)
		if r.Header.Get("Idempotent-Replayed") != "true" {
			t.Fatalf("%s: not a replay", key)
		}
	}
	if n := s.count(t, `SELECT count(*) FROM chirps WHERE body LIKE 'key_%'`); n != 5 {
		t.Fatalf("%d chirps, want one for each of the 5 keys", n)
	}
}

// syncStandby is the name of primaryWithSyncStandby's standby.
const syncStandby = "standby1"

// primaryWithSyncStandby starts a primary holding an empty database "chirpy",
// every commit of which waits until its synchronous standby (syncStandby)
// has it too, and that standby; both are removed when t ends.
func primaryWithSyncStandby(t *testing.T) (primary, standby *pgcluster.Cluster) {
	t.Helper()
	ctx := context.Background()
	primary, err := pgtest.StartCluster(ctx, pgcluster.StreamingSettings(syncStandby)...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = primary.Remove() })
	// Every commit on the primary waits for the standby, CREATE DATABASE
	// too: the standby comes first (ownCluster's database would wait for it
	// forever).
	standby, err = primary.StartStandby(ctx, syncStandby)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = standby.Remove() })
	if err := primary.CreateDatabase(ctx, "chirpy"); err != nil {
		t.Fatal(err)
	}
	return primary, standby
}

// A primary with a synchronous standby, DB_URL naming both in URL form: the
// primary is killed under a load of chirps and webhooks, the standby is
// promoted, and the same server process writes again (within 30 s: the
// figure is logged), having lost none of the writes it acknowledged. Each
// chirp is posted with an Idempotency-Key, and sent again with it until it
// is acknowledged: each key is then exactly one chirp.
func TestFailoverLosesNoAcknowledgedWrite(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	primary, standby := primaryWithSyncStandby(t)
	dbURL := fmt.Sprintf("postgres://postgres@127.0.0.1:%d,127.0.0.1:%d/chirpy?sslmode=disable&target_session_attrs=read-write",
		primary.Port, standby.Port)
	s := startServer(t, map[string]string{"DB_URL": dbURL})
	walt := s.signUp(t, "walt@breakingbad.com", "123456")
	users := make([]userJSON, 8)
	for i := range users {
		users[i] = s.signUp(t, fmt.Sprintf("user%d@example.com", i), "123456")
	}

	// The load: each worker posts chirps or delivers webhooks, and keeps
	// what was acknowledged.
	var (
		mu            sync.Mutex
		ackedChirps   = map[string]string{} // Idempotency-Key (the chirp's body too) -> chirp id
		unacked       []string              // the keys of chirps sent, never acknowledged, when the load stopped
		ackedWebhooks = map[string]string{} // webhook-id -> user
		killedAt      atomic.Int64          // when the primary was killed
		backAt        atomic.Int64          // when a write sent after it was acknowledged
		stop          = make(chan struct{})
		wg            sync.WaitGroup
	)
	// The load stops before the server does, however the test ends.
	stopLoad := sync.OnceFunc(func() { close(stop); wg.Wait() })
	t.Cleanup(stopLoad)
	client := &http.Client{Timeout: 20 * time.Second}
	postChirp := func(key string) (*http.Request, []byte) {
		body := fmt.Appendf(nil, `{"body": %q}`, key)
		req, _ := http.NewRequest("POST", s.URL+"/api/chirps", bytes.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+walt.Token)
		req.Header.Set("Idempotency-Key", key)
		return req, body
	}
	// send sends req, whose body is reqBody, and says whether it was
	// acknowledged (with the chirp made, for a chirp). Not s.req: errors
	// are expected during the failover, and the load's goroutines may not
	// call t.Fatal. Every answer is checked against the OpenAPI document
	// all the same.
	send := func(req *http.Request, reqBody []byte) (c chirpJSON, ok bool) {
		req.Header.Set("Content-Type", "application/json")
		res, err := client.Do(req)
		if err != nil {
			return c, false
		}
		resBody, err := io.ReadAll(res.Body)
		res.Body.Close()
		if err != nil {
			return c, false
		}
		checkExchange(t, req, reqBody, res, resBody)
		return c, res.StatusCode == http.StatusCreated && json.Unmarshal(resBody, &c) == nil || res.StatusCode == http.StatusNoContent
	}
	for w := range 8 {
		wg.Go(func() {
			// A failed webhook is sent again with the same id, as Polka
			// does; the next one gets a new id only once this one is
			// acknowledged.
			for seq, sent := 0, false; ; {
				key := fmt.Sprintf("chirp_%d_%d", w, seq)
				select {
				case <-stop:
					if sent && w%2 == 0 {
						mu.Lock()
						unacked = append(unacked, key)
						mu.Unlock()
					}
					return
				default:
				}
				var req *http.Request
				var reqBody []byte
				id := fmt.Sprintf("msg_%d_%d", w, seq)
				if w%2 == 0 {
					req, reqBody = postChirp(key)
				} else {
					reqBody = fmt.Appendf(nil, `{"event": "user.upgraded", "data": {"user_id": %q}}`, users[w].ID)
					req, _ = http.NewRequest("POST", s.URL+hookPath, bytes.NewReader(reqBody))
					req.Header.Set("Authorization", "ApiKey "+polkaKey)
					req.Header.Set("Webhook-Id", id)
				}
				sentAt := time.Now()
				sent = true
				c, ok := send(req, reqBody)
				if !ok {
					time.Sleep(20 * time.Millisecond)
					continue
				}
				seq, sent = seq+1, false
				// Writes are back when a request sent after the kill is
				// acknowledged: an ack that arrives after the kill may be
				// of a write made before it.
				if k := killedAt.Load(); k != 0 && sentAt.UnixNano() > k {
					backAt.CompareAndSwap(0, time.Now().UnixNano())
				}
				mu.Lock()
				if w%2 == 0 {
					ackedChirps[key] = c.ID
				} else {
					ackedWebhooks[id] = users[w].ID
				}
				mu.Unlock()
			}
		})
	}
	acked := func() int {
		mu.Lock()
		defer mu.Unlock()
		return len(ackedChirps) + len(ackedWebhooks)
	}
	waitUntil(t, 30*time.Second, "200 writes acknowledged before the failover", func() bool { return acked() >= 200 })
	before := acked()

	if err := primary.Kill(); err != nil {
		t.Fatal(err)
	}
	// From when every process of it is gone: a request sent while it was
	// being killed may still have been committed.
	killed := time.Now()
	killedAt.Store(killed.UnixNano())
	// Not a wait for a condition: the time an operator or a manager takes.
	time.Sleep(500 * time.Millisecond)
	if err := standby.Promote(ctx); err != nil {
		t.Fatal(err)
	}
	// Writes come back, in the same server process.
	// Generous: on a loaded machine promotion and reconnection take
	// seconds; the figure is logged.
	const maxBack = 30 * time.Second
	waitUntil(t, maxBack, "a write acknowledged after the primary was killed", func() bool { return backAt.Load() != 0 })
	// And they go on.
	backCount := acked()
	waitUntil(t, maxBack, "20 more writes acknowledged after the first one back", func() bool { return acked() >= backCount+20 })
	back := time.Duration(backAt.Load() - killed.UnixNano())
	stopLoad()
	// A chirp sent and not acknowledged is sent again with its key until it
	// is: carried out if it was not, the stored answer if it was.
	deadline := time.Now().Add(maxBack)
	for _, key := range unacked {
		for {
			c, ok := send(postChirp(key))
			if ok {
				ackedChirps[key] = c.ID
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("chirp %s not acknowledged within %v of retries", key, maxBack)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	t.Logf("writes back %v after the kill (promotion after 500ms); %d writes acknowledged before the kill, %d chirps (%d sent again after the load) and %d webhooks in all",
		back.Round(time.Millisecond), before, len(ackedChirps), len(unacked), len(ackedWebhooks))

	// Every acknowledged write is on the new primary, and each chirp's key
	// is one chirp, the one acknowledged: none lost, none twice.
	db := openDB(t, standby.URL("chirpy"))
	var lost []string
	rows, err := db.Query(`SELECT body, id FROM chirps WHERE user_id = $1`, walt.ID)
	if err != nil {
		t.Fatal(err)
	}
	stored := map[string][]string{} // body (the key) -> chirp ids
	for rows.Next() {
		var body, id string
		if err := rows.Scan(&body, &id); err != nil {
			t.Fatal(err)
		}
		stored[body] = append(stored[body], id)
	}
	if err := rows.Close(); err != nil {
		t.Fatal(err)
	}
	for key, id := range ackedChirps {
		if ids := stored[key]; len(ids) != 1 || ids[0] != id {
			lost = append(lost, fmt.Sprintf("chirp %s (acknowledged %s, stored %v)", key, id, ids))
		}
		delete(stored, key)
	}
	for key, ids := range stored {
		lost = append(lost, fmt.Sprintf("chirp %s stored (%v), never acknowledged", key, ids))
	}
	for id, user := range ackedWebhooks {
		var outcome string
		var red bool
		// No row is a lost write too.
		err := db.QueryRow(`SELECT w.outcome, u.is_chirpy_red FROM webhook_inbox w JOIN users u ON u.id = w.user_id WHERE w.id = $1 AND u.id = $2`, id, user).Scan(&outcome, &red)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			t.Fatal(err)
		}
		if outcome != "applied" || !red {
			lost = append(lost, "webhook "+id)
		}
	}
	if len(lost) > 0 {
		t.Fatalf("%d writes lost or doubled in the failover: %v", len(lost), lost[:min(len(lost), 10)])
	}
}

// A chirp whose commit is cut short while it waits for the synchronous
// standby (down, here) is answered 503, yet it is committed on the primary: a
// client that sends it again, as a 503 invites, would post it twice. Sent
// again with its Idempotency-Key once the standby is back, it gets the chirp
// that was made, replayed, and there is one chirp; sent again without a key,
// there are two.
func TestRetryOfAChirpCutShortInTheStandbyWait(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	primary, standby := primaryWithSyncStandby(t)
	// REQUEST_TIMEOUT bounds a request's wait for the database, its commit's
	// wait for the standby included: the 503 comes after it.
	s := startServer(t, map[string]string{"DB_URL": primary.URL("chirpy"), "REQUEST_TIMEOUT": "2s"})
	walt := s.signUp(t, "walt@breakingbad.com", "123456")
	keyed := map[string]string{"body": "Say my name"}
	unkeyed := map[string]string{"body": "I am the one who knocks"}
	// s.DB is the primary's: what was committed there, standby or not.
	chirps := func(body map[string]string) int {
		return s.count(t, `SELECT count(*) FROM chirps WHERE user_id = $1 AND body = $2`, walt.ID, body["body"])
	}

	// Stopped, the standby confirms nothing: each commit on the primary
	// waits until the request's deadline cancels the wait, which leaves
	// the commit on the primary alone.
	if err := standby.Stop(); err != nil {
		t.Fatal(err)
	}
	s.req(t, "POST", "/api/chirps", keyed, withKey("k-standby", bearer(walt.Token)...)...).expect(t, http.StatusServiceUnavailable)
	s.req(t, "POST", "/api/chirps", unkeyed, bearer(walt.Token)...).expect(t, http.StatusServiceUnavailable)
	var made string
	if err := s.DB.QueryRow(`SELECT id FROM chirps WHERE user_id = $1 AND body = $2`, walt.ID, keyed["body"]).Scan(&made); err != nil {
		t.Fatalf("the chirp answered 503 is not on the primary (%v): the commit's wait for the standby was not what was cut short", err)
	}
	if n := chirps(unkeyed); n != 1 {
		t.Fatalf("%d chirps answered 503 without a key on the primary, want 1", n)
	}

	if err := standby.Start(ctx); err != nil {
		t.Fatal(err)
	}
	if err := primary.WaitStandby(ctx, syncStandby); err != nil {
		t.Fatal(err)
	}
	r := s.req(t, "POST", "/api/chirps", keyed, withKey("k-standby", bearer(walt.Token)...)...).expect(t, http.StatusCreated)
	if got := decode[chirpJSON](t, r).ID; r.Header.Get("Idempotent-Replayed") != "true" || got != made {
		t.Fatalf("the retry with the key: chirp %s (Idempotent-Replayed %q), want %s, the one made, replayed",
			got, r.Header.Get("Idempotent-Replayed"), made)
	}
	if n := chirps(keyed); n != 1 {
		t.Fatalf("%d chirps after a retry with the key, want 1", n)
	}
	s.req(t, "POST", "/api/chirps", unkeyed, bearer(walt.Token)...).expect(t, http.StatusCreated)
	if n := chirps(unkeyed); n != 2 {
		t.Fatalf("%d chirps after a retry without a key, want 2 (the first one was committed)", n)
	}
}
