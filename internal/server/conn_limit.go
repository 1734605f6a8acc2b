package server

import (
	"container/list"
	"net"
	"net/http"
	"sync"
)

// ConnLimiter caps the connections a server holds at once, so that no client
// can take every file descriptor. At the cap, a new connection takes the place
// of the one idle longest (a keep-alive connection between requests, or one
// that has sent nothing yet); when none is idle, the new one is closed at
// once: refused fast, never queued. Busy connections are never closed. Give
// http.Server its ConnState method.
type ConnLimiter struct {
	net.Listener
	max int

	mu    sync.Mutex
	conns map[net.Conn]*list.Element // every connection held; its element in idle, or nil if busy
	idle  *list.List                 // of net.Conn, idle longest first
	// Refused and Evicted count what the cap did, for tests and metrics.
	refused, evicted int64
}

// LimitConnections caps the connections ln hands out at max.
func LimitConnections(ln net.Listener, max int) *ConnLimiter {
	return &ConnLimiter{Listener: ln, max: max, conns: map[net.Conn]*list.Element{}, idle: list.New()}
}

// Accept returns the next connection within the cap.
func (l *ConnLimiter) Accept() (net.Conn, error) {
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			return nil, err
		}
		l.mu.Lock()
		var evict net.Conn
		if len(l.conns) >= l.max {
			if oldest := l.idle.Front(); oldest != nil {
				evict = l.idle.Remove(oldest).(net.Conn)
				delete(l.conns, evict)
				l.evicted++
			}
		}
		admitted := len(l.conns) < l.max
		if admitted {
			// Until its first request begins, a connection is idle.
			l.conns[c] = l.idle.PushBack(c)
		} else {
			l.refused++
		}
		l.mu.Unlock()
		if evict != nil {
			evict.Close()
		}
		if admitted {
			return c, nil
		}
		c.Close()
	}
}

// ConnState follows each connection between busy and idle; it is the
// http.Server's ConnState hook.
func (l *ConnLimiter) ConnState(c net.Conn, state http.ConnState) {
	l.mu.Lock()
	defer l.mu.Unlock()
	e, held := l.conns[c]
	if !held {
		return // evicted, or not one of ours
	}
	switch state {
	case http.StateActive:
		if e != nil {
			l.idle.Remove(e)
			l.conns[c] = nil
		}
	case http.StateIdle:
		if e == nil {
			l.conns[c] = l.idle.PushBack(c)
		}
	case http.StateClosed, http.StateHijacked:
		if e != nil {
			l.idle.Remove(e)
		}
		delete(l.conns, c)
	}
}

// Stats reports the connections held now, and how many the cap refused and
// closed for others since the start.
func (l *ConnLimiter) Stats() (held int, refused, evicted int64) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.conns), l.refused, l.evicted
}
