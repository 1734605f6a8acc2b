package auth

import (
	"fmt"
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
		if ok, _ := th.Allow(key); !ok {
			t.Fatalf("refused before failure %d", i+1)
		}
		th.Failed(key)
		clock.advance(time.Second)
	}
	ok, wait := th.Allow(key)
	if ok || wait != 57*time.Second {
		t.Fatalf("after 3 failures: Allow = %v, %v; want refused for the 57s left of the window", ok, wait)
	}
	if ok, _ := th.Allow("walt@breakingbad.com|10.0.0.2"); !ok {
		t.Fatal("another client was locked out too")
	}
	if ok, _ := th.Allow("saul@bettercall.com|10.0.0.1"); !ok {
		t.Fatal("another email from the same client was locked out too")
	}
	clock.advance(57 * time.Second)
	if ok, _ := th.Allow(key); !ok {
		t.Fatal("still refused after the window")
	}
	// A new window starts with the next failure.
	th.Failed(key)
	if ok, _ := th.Allow(key); !ok {
		t.Fatal("one failure in a new window refused")
	}
}

func TestLoginThrottleSuccessClears(t *testing.T) {
	th, _ := newTestThrottle(2, time.Minute)
	th.Failed("k")
	th.Succeeded("k")
	th.Failed("k")
	if ok, _ := th.Allow("k"); !ok {
		t.Fatal("failures before a success still counted")
	}
}

func TestLoginThrottleBoundsMemory(t *testing.T) {
	th, clock := newTestThrottle(1, time.Minute)
	th.maxKeys = 100
	for i := range 1000 {
		th.Failed(fmt.Sprint("key", i))
	}
	if len(th.keys) > 100 {
		t.Fatalf("%d keys tracked, want at most 100", len(th.keys))
	}
	clock.advance(time.Minute)
	th.Failed("fresh")
	if _, ok := th.keys["fresh"]; !ok || len(th.keys) != 1 {
		t.Fatalf("expired keys were not swept: %d keys", len(th.keys))
	}
}
