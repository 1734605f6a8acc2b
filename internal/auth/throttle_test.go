package auth

import (
	"fmt"
	"sync"
	"testing"
	"time"
)

type fakeClock struct{ t time.Time }

func (c *fakeClock) now() time.Time          { return c.t }
func (c *fakeClock) advance(d time.Duration) { c.t = c.t.Add(d) }

func newTestThrottle(max int, window time.Duration) (*LoginThrottle, *fakeClock) {
	clock := &fakeClock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	th := NewLoginThrottle(max, window)
	th.now = clock.now
	return th, clock
}

func TestLoginThrottle(t *testing.T) {
	th, clock := newTestThrottle(3, time.Minute)
	const key = "walt@breakingbad.com|10.0.0.1"
	for i := range 3 {
		if ok, _ := th.Try(key); !ok {
			t.Fatalf("refused attempt %d", i+1)
		}
		clock.advance(time.Second)
	}
	ok, wait := th.Try(key)
	if ok || wait != 57*time.Second {
		t.Fatalf("after 3 attempts: Try = %v, %v; want refused for the 57s left of the window", ok, wait)
	}
	if ok, _ := th.Try("walt@breakingbad.com|10.0.0.2"); !ok {
		t.Fatal("another client was locked out too")
	}
	if ok, _ := th.Try("saul@bettercall.com|10.0.0.1"); !ok {
		t.Fatal("another email from the same client was locked out too")
	}
	clock.advance(57 * time.Second)
	if ok, _ := th.Try(key); !ok {
		t.Fatal("still refused after the window")
	}
}

func TestLoginThrottleSuccessClears(t *testing.T) {
	th, _ := newTestThrottle(2, time.Minute)
	th.Try("k")
	th.Try("k")
	th.Succeeded("k")
	if ok, _ := th.Try("k"); !ok {
		t.Fatal("attempts before a success still counted")
	}
}

// Concurrent attempts are counted when they start, not when their password
// check ends: no more than Max get through.
func TestLoginThrottleConcurrent(t *testing.T) {
	th, _ := newTestThrottle(10, time.Minute)
	var allowed sync.WaitGroup
	var mu sync.Mutex
	n := 0
	for range 100 {
		allowed.Go(func() {
			if ok, _ := th.Try("k"); ok {
				mu.Lock()
				n++
				mu.Unlock()
			}
		})
	}
	allowed.Wait()
	if n != 10 {
		t.Fatalf("%d of 100 concurrent attempts allowed, want 10", n)
	}
}

func TestLoginThrottleBoundsMemory(t *testing.T) {
	th, clock := newTestThrottle(1, time.Minute)
	th.maxKeys = 100
	for i := range 1000 {
		if ok, _ := th.Try(fmt.Sprint("key", i)); !ok {
			t.Fatal("a first attempt was refused")
		}
	}
	if len(th.keys) > 100 {
		t.Fatalf("%d keys tracked, want at most 100", len(th.keys))
	}
	clock.advance(time.Minute)
	th.Try("fresh")
	if _, ok := th.keys["fresh"]; !ok || len(th.keys) != 1 {
		t.Fatalf("expired keys were not swept: %d keys", len(th.keys))
	}
}
