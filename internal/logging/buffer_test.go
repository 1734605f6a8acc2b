package logging

import (
	"bytes"
	"strings"
	"sync"
	"testing"
	"time"
)

type countingWriter struct {
	mu     sync.Mutex
	buf    bytes.Buffer
	writes int
}

func (c *countingWriter) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.writes++
	return c.buf.Write(p)
}

func (c *countingWriter) snapshot() (string, int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.buf.String(), c.writes
}

func TestBufferedWriterBatchesAndFlushes(t *testing.T) {
	out := &countingWriter{}
	b := NewBuffer(out)
	for range 1000 {
		if _, err := b.Write([]byte("a log line\n")); err != nil {
			t.Fatal(err)
		}
	}
	// Lines reach the destination within the flush interval, in few writes.
	deadline := time.Now().Add(5 * FlushEvery)
	for {
		text, writes := out.snapshot()
		if strings.Count(text, "\n") == 1000 {
			if writes > 5 {
				t.Errorf("1000 lines took %d writes", writes)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("only %d of 1000 lines written after %v", strings.Count(text, "\n"), 5*FlushEvery)
		}
		time.Sleep(10 * time.Millisecond)
	}
	// Close writes what is left at once.
	if _, err := b.Write([]byte("last line\n")); err != nil {
		t.Fatal(err)
	}
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	if text, _ := out.snapshot(); !strings.HasSuffix(text, "last line\n") {
		t.Fatal("Close did not flush the last line")
	}
	// A line logged after Close is not lost.
	if _, err := b.Write([]byte("after close\n")); err != nil {
		t.Fatal(err)
	}
	if text, _ := out.snapshot(); !strings.HasSuffix(text, "after close\n") {
		t.Fatal("a line written after Close was lost")
	}
}
