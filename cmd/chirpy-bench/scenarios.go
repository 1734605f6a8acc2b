package main

import (
	"bytes"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"chirpy/internal/auth"
)

// row is one line of the report.
type row struct {
	Scenario string
	Rate     float64 // requests per second; 0 where not measured as a rate
	P50, P99 time.Duration
	Errors   int
	Requests int
	Ceiling  float64 // pgbench transactions per second; 0: none
	PeakRSS  int64
	// CPUPerRequest is the server's CPU time (user and system) per request:
	// its own efficiency, steadier than a rate on a noisy machine.
	CPUPerRequest time.Duration
	Note          string
}

func (r row) ratio() float64 {
	if r.Ceiling == 0 {
		return 0
	}
	return r.Rate / r.Ceiling
}

// bench holds what the scenarios share.
type bench struct {
	cfg    config
	srv    *serverProcess
	secret []byte
	ceil   func(script string) (float64, error)
	log    io.Writer
}

// loop runs a closed-loop scenario and returns, with its result, the server's
// CPU time during the measured part.
func (b *bench) loop(want int, build requestFunc) (loadResult, time.Duration) {
	var cpuStart time.Duration
	timer := time.AfterFunc(b.cfg.warmup, func() { cpuStart, _ = b.srv.cpuTime() })
	res := closedLoop(b.srv.addr, b.cfg.conns, b.cfg.warmup, b.cfg.duration, want, build)
	timer.Stop()
	cpuEnd, _ := b.srv.cpuTime()
	return res, cpuEnd - cpuStart
}

// measure runs a closed-loop scenario and the pgbench ceiling of its
// statement (script may be empty), measuring the server's peak RSS during the
// scenario.
func (b *bench) measure(name string, want int, build requestFunc, script string) (row, error) {
	fmt.Fprintf(b.log, "running %s ...\n", name)
	resetErr := b.srv.resetPeakRSS()
	res, cpu := b.loop(want, build)
	r := row{Scenario: name, Rate: res.rate(), P50: res.percentile(0.5), P99: res.percentile(0.99),
		Errors: res.errors, Requests: res.requests, Note: res.failureNote()}
	if res.requests > 0 {
		r.CPUPerRequest = cpu / time.Duration(res.requests)
	}
	if resetErr == nil { // else the peak could be an earlier scenario's
		r.PeakRSS, _ = b.srv.peakRSS()
	}
	if script != "" {
		tps, err := b.ceil(script)
		if err != nil {
			return r, err
		}
		r.Ceiling = tps
	}
	return r, nil
}

const chirpColumns = "id, created_at, updated_at, body, user_id"

func (b *bench) getChirpByID() (row, error) {
	n := b.cfg.chirps
	return b.measure("GET /api/chirps/{id}", http.StatusOK, func(buf []byte, rng *rand.Rand, _, _ int) []byte {
		return appendRequest(buf, "GET", "/api/chirps/"+seededID("chirp", 1+rng.IntN(n)).String(), nil)
	}, fmt.Sprintf(`\set n random(1, %d)
SELECT %s FROM chirps WHERE id = md5('chirp' || :n)::uuid;
`, n, chirpColumns))
}

func (b *bench) getChirpsByAuthor() (row, error) {
	path := "/api/chirps?author_id=" + seededID("user", author).String()
	return b.measure(fmt.Sprintf("GET /api/chirps?author_id= (%d chirps)", authorChirps), http.StatusOK,
		func(buf []byte, _ *rand.Rand, _, _ int) []byte { return appendRequest(buf, "GET", path, nil) },
		fmt.Sprintf(`SELECT %s FROM chirps
WHERE user_id = md5('user%d')::uuid AND (created_at, id) > ('0001-01-01 00:00:00+00', '00000000-0000-0000-0000-000000000000')
ORDER BY created_at, id LIMIT %d;
`, chirpColumns, author, authorChirps+1))
}

// getAllChirps fetches the whole list a few times, one request at a time,
// checks it, and reports the time per request and the server's peak RSS.
func (b *bench) getAllChirps() (row, error) {
	name := fmt.Sprintf("GET /api/chirps (%d chirps)", b.cfg.chirps)
	fmt.Fprintf(b.log, "running %s ...\n", name)
	resetErr := b.srv.resetPeakRSS()
	var times []time.Duration
	var size int64
	for i := range b.cfg.listRuns {
		start := time.Now()
		res, err := http.Get("http://" + b.srv.addr + "/api/chirps")
		if err != nil {
			return row{}, err
		}
		var body bytes.Buffer
		_, err = io.Copy(&body, res.Body)
		res.Body.Close()
		elapsed := time.Since(start)
		if err != nil || res.StatusCode != http.StatusOK {
			return row{}, fmt.Errorf("GET /api/chirps: %d, %v", res.StatusCode, err)
		}
		times = append(times, elapsed)
		size = int64(body.Len())
		// The list runs before any scenario writes chirps.
		if i == 0 {
			if n := bytes.Count(body.Bytes(), []byte(`{"id":`)); n != b.cfg.chirps {
				return row{}, fmt.Errorf("GET /api/chirps returned %d chirps, want %d", n, b.cfg.chirps)
			}
		}
	}
	slices.Sort(times)
	r := row{Scenario: name, P50: times[len(times)/2], P99: times[len(times)-1], Requests: len(times),
		Note: fmt.Sprintf("%.1f MB per response; best %.2f s of %d", float64(size)/1e6, times[0].Seconds(), len(times))}
	if resetErr == nil { // else the peak could be an earlier scenario's
		r.PeakRSS, _ = b.srv.peakRSS()
	}
	return r, nil
}

// pageLimit is the page size of the paged-list scenarios.
const pageLimit = 100

// getChirpPage measures GET /api/chirps?limit=100 for the page that starts
// after the first skip chirps: keyset pages cost the same however deep they
// are, so page 1 and a page deep in the list should read alike.
func (b *bench) getChirpPage(skip int) (row, error) {
	path := fmt.Sprintf("/api/chirps?limit=%d", pageLimit)
	after := "the start"
	if skip > 0 {
		// Walk the list by its Link headers to the cursor after chirp skip.
		next := "/api/chirps?limit=1000"
		for walked := 0; walked < skip; walked += 1000 {
			res, err := http.Get("http://" + b.srv.addr + next)
			if err != nil {
				return row{}, err
			}
			_, err = io.Copy(io.Discard, res.Body)
			res.Body.Close()
			if err != nil {
				return row{}, fmt.Errorf("GET %s: %w", next, err)
			}
			link := res.Header.Get("Link")
			start, end := strings.Index(link, "<"), strings.Index(link, ">")
			if res.StatusCode != http.StatusOK || start < 0 || end < start {
				return row{}, fmt.Errorf("GET %s: %d, Link %q", next, res.StatusCode, link)
			}
			next = link[start+1 : end]
		}
		cursor := next[strings.Index(next, "cursor="):]
		path += "&" + cursor
		after = fmt.Sprintf("chirp %d", skip)
	}
	// The statement the page is, from the same place, as a ceiling.
	bound := "timestamptz '0001-01-01', '00000000-0000-0000-0000-000000000000'::uuid"
	if skip > 0 {
		bound = fmt.Sprintf("(SELECT created_at FROM chirps WHERE id = md5('chirp%d')::uuid), md5('chirp%d')::uuid", skip, skip)
	}
	r, err := b.measure(fmt.Sprintf("GET /api/chirps?limit=%d after %s", pageLimit, after), http.StatusOK,
		func(buf []byte, _ *rand.Rand, _, _ int) []byte {
			return appendRequest(buf, "GET", path, nil)
		}, fmt.Sprintf(`SELECT %s FROM chirps WHERE (created_at, id) > (%s) ORDER BY created_at, id LIMIT %d;
`, chirpColumns, bound, pageLimit+1))
	return r, err
}

func (b *bench) postChirps() (row, error) {
	// One author per connection, as 32 people posting would be.
	tokens := make([]string, b.cfg.conns)
	for i := range tokens {
		tok, err := auth.MakeJWT(seededID("user", i+1), b.secret, time.Hour)
		if err != nil {
			return row{}, err
		}
		tokens[i] = "Authorization: Bearer " + tok
	}
	body := []byte(`{"body": "A bench chirp of a realistic length, about sixty characters."}`)
	return b.measure("POST /api/chirps", http.StatusCreated, func(buf []byte, _ *rand.Rand, w, _ int) []byte {
		return appendRequest(buf, "POST", "/api/chirps", body, tokens[w])
	}, fmt.Sprintf(`\set n random(1, %d)
INSERT INTO chirps (body, user_id) VALUES ('A bench chirp of a realistic length, about sixty characters.', md5('user' || :n)::uuid)
RETURNING %s;
`, b.cfg.conns, chirpColumns))
}

func (b *bench) webhooksAcrossUsers() (row, error) {
	users := b.cfg.users
	prefix := strconv.FormatInt(time.Now().UnixNano(), 36)
	bodies := make([][]byte, b.cfg.conns) // one per worker: workers run at once
	return b.measure(fmt.Sprintf("POST /api/polka/webhooks (%d users)", users), http.StatusNoContent,
		func(buf []byte, rng *rand.Rand, w, seq int) []byte {
			body := fmt.Appendf(bodies[w][:0], `{"event": "user.upgraded", "data": {"user_id": "%s"}}`, seededID("user", 1+rng.IntN(users)))
			bodies[w] = body
			id := "Webhook-Id: msg_" + prefix + "_" + strconv.Itoa(w) + "_" + strconv.Itoa(seq)
			return appendRequest(buf, "POST", "/api/polka/webhooks", body, "Authorization: ApiKey "+polkaKey, id)
		}, fmt.Sprintf(`\set n random(1, %d)
UPDATE users SET is_chirpy_red = true, updated_at = now() WHERE id = md5('user' || :n)::uuid;
`, users))
}

func (b *bench) webhookRetried() (row, error) {
	body := fmt.Appendf(nil, `{"event": "user.upgraded", "data": {"user_id": "%s"}}`, seededID("user", 2))
	headers := []string{"Authorization: ApiKey " + polkaKey, "Webhook-Id: msg_retried"}
	return b.measure(fmt.Sprintf("same webhook retried by %d clients", b.cfg.conns), http.StatusNoContent,
		func(buf []byte, _ *rand.Rand, _, _ int) []byte {
			return appendRequest(buf, "POST", "/api/polka/webhooks", body, headers...)
		}, `SELECT outcome FROM webhook_inbox WHERE id = 'msg_retried';
`)
}

// concurrentLogins sends n logins at the same moment, each on its own
// connection, and reports their latencies, 5xx answers and the server's
// peak RSS.
func (b *bench) concurrentLogins(n int) (row, error) {
	name := fmt.Sprintf("%d concurrent logins", n)
	fmt.Fprintf(b.log, "running %s ...\n", name)
	resetErr := b.srv.resetPeakRSS()
	conns := make([]*httpConn, n)
	for i := range conns {
		c, err := dial(b.srv.addr)
		if err != nil {
			return row{}, err
		}
		defer c.close()
		conns[i] = c
	}
	lat := make([]time.Duration, n)
	status := make([]int, n)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i, c := range conns {
		body := fmt.Appendf(nil, `{"email": "user%d@bench.chirpy", "password": "%s"}`, i+1, benchPassword)
		req := appendRequest(nil, "POST", "/api/login", body)
		wg.Go(func() {
			<-start
			t0 := time.Now()
			st, err := c.do(req)
			lat[i] = time.Since(t0)
			if err != nil {
				st = -1
			}
			status[i] = st
		})
	}
	t0 := time.Now()
	close(start)
	wg.Wait()
	elapsed := time.Since(t0)
	r := row{Scenario: name, Requests: n, Rate: float64(n) / elapsed.Seconds()}
	var fiveXX int
	for _, st := range status {
		if st != http.StatusOK {
			r.Errors++
		}
		if st >= 500 || st < 0 {
			fiveXX++
		}
	}
	slices.Sort(lat)
	r.P50, r.P99 = lat[n/2], lat[(n*99)/100]
	if resetErr == nil { // else the peak could be an earlier scenario's
		r.PeakRSS, _ = b.srv.peakRSS()
	}
	r.Note = fmt.Sprintf("all answered in %.2f s; %d 5xx", elapsed.Seconds(), fiveXX)
	return r, nil
}
