package logging

import (
	"io"
	"sync"
	"time"
)

// Buffer gathers log lines and writes them out every FlushEvery, or
// sooner when a lot has gathered, so that a busy server does not make a write
// system call per request. Close writes what is left. A crash loses at most
// the last FlushEvery of lines.
type Buffer struct {
	mu     sync.Mutex
	w      io.Writer
	buf    []byte
	closed bool // after Close, lines are written through
	stop   chan struct{}
	done   chan struct{}
}

const (
	FlushEvery = 100 * time.Millisecond
	flushBytes = 64 << 10
)

func NewBuffer(w io.Writer) *Buffer {
	b := &Buffer{w: w, buf: make([]byte, 0, flushBytes), stop: make(chan struct{}), done: make(chan struct{})}
	go b.flushLoop()
	return b
}

func (b *Buffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return b.w.Write(p)
	}
	b.buf = append(b.buf, p...)
	if len(b.buf) >= flushBytes {
		b.flushLocked()
	}
	return len(p), nil
}

func (b *Buffer) flushLocked() {
	if len(b.buf) > 0 {
		_, _ = b.w.Write(b.buf) // a log that cannot be written has nowhere to say so
		b.buf = b.buf[:0]
	}
}

func (b *Buffer) flushLoop() {
	defer close(b.done)
	t := time.NewTicker(FlushEvery)
	defer t.Stop()
	for {
		select {
		case <-b.stop:
			return
		case <-t.C:
			b.mu.Lock()
			b.flushLocked()
			b.mu.Unlock()
		}
	}
}

// Close stops the background flushing and writes out what is left.
func (b *Buffer) Close() error {
	close(b.stop)
	<-b.done
	b.mu.Lock()
	defer b.mu.Unlock()
	b.flushLocked()
	b.closed = true
	return nil
}
