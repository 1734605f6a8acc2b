// Package connlimit caps the connections an HTTP server holds, in all and
// per client, making room at a cap by closing the connection idle longest.
package connlimit

import (
	"container/list"
	"context"
	"net"
	"net/http"
	"net/netip"
	"slices"
	"sync"

	"chirpy/internal/auth"
)

// Listener caps the connections a server holds at once, in all and from one
// client (auth.ClientOf), so that no client can take every file descriptor,
// nor the memory each connection holds. At a cap, a new connection takes the
// place of the one idle longest (a keep-alive connection between requests, or
// one that has sent nothing yet): of all, at the cap in all; of its client's
// own, at the cap per client, so that a client (many people behind one
// address, say) recycles its own connections and no one else's. When none is
// idle, the new one is closed at once: refused fast, never queued. A
// connection whose request has begun is never closed: its handler claims it
// (Guard) before doing anything, and a connection is evicted only if it can
// still be taken from idle.
//
// Wire it as http.Server's listener, ConnState and ConnContext hooks, and
// wrap the handler in Guard.
type Listener struct {
	net.Listener
	max, perClient int
	trusted        []netip.Prefix // proxies: many clients share their address

	mu       sync.Mutex
	conns    map[net.Conn]*heldConn
	idle     *list.List // of *heldConn, idle longest first
	byClient map[netip.Prefix]*clientConns
	// refused and evicted count what the caps did.
	refused, evicted ByCap
}

// clientConns are the connections held for one client.
type clientConns struct {
	n    int
	idle *list.List // of *heldConn, idle longest first
}

// heldConn is one connection the limiter holds.
type heldConn struct {
	c      net.Conn
	client netip.Prefix
	// In Listener.idle and in its client's idle while idle; nil while
	// busy.
	idle, clientIdle *list.Element
	gone             bool // evicted: its request, if one arrives, is not served
}

type connKey struct{}

// New caps the connections ln hands out at max, and at perClient from one
// client (except the trusted proxies' addresses).
func New(ln net.Listener, max, perClient int, trusted []netip.Prefix) *Listener {
	return &Listener{Listener: ln, max: max, perClient: perClient, trusted: trusted,
		conns: map[net.Conn]*heldConn{}, idle: list.New(), byClient: map[netip.Prefix]*clientConns{}}
}

// Accept returns the next connection within the caps.
func (l *Listener) Accept() (net.Conn, error) {
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			return nil, err
		}
		addr := netip.IPv4Unspecified()
		if ap, err := netip.ParseAddrPort(c.RemoteAddr().String()); err == nil {
			addr = ap.Addr().Unmap()
		}
		l.mu.Lock()
		admitted, evict := l.admit(c, addr)
		l.mu.Unlock()
		for _, e := range evict {
			_ = e.Close() // its server goroutine sees it closed
		}
		if admitted {
			return c, nil
		}
		_ = c.Close() // refused: there is nothing to tell it
	}
}

// admit decides on a new connection, with l.mu held, and returns the
// connections to close for it, if any.
func (l *Listener) admit(c net.Conn, addr netip.Addr) (bool, []net.Conn) {
	client := auth.ClientOf(addr)
	cc := l.byClient[client]
	if cc == nil {
		cc = &clientConns{idle: list.New()}
		l.byClient[client] = cc
	}
	var evict []net.Conn
	if cc.n >= l.perClient && !l.isTrusted(addr) {
		oldest := cc.idle.Front()
		if oldest == nil {
			l.refused.PerClient++
			if cc.n == 0 {
				delete(l.byClient, client)
			}
			return false, nil
		}
		evict = append(evict, l.evict(oldest.Value.(*heldConn), &l.evicted.PerClient))
	}
	if len(l.conns) >= l.max {
		oldest := l.idle.Front()
		if oldest == nil {
			l.refused.Global++
			if cc.n == 0 {
				delete(l.byClient, client)
			}
			return false, evict
		}
		evict = append(evict, l.evict(oldest.Value.(*heldConn), &l.evicted.Global))
	}
	h := &heldConn{c: c, client: client}
	l.conns[c] = h
	cc = l.byClient[client] // evicting its last connection may have dropped it
	if cc == nil {
		cc = &clientConns{idle: list.New()}
		l.byClient[client] = cc
	}
	cc.n++
	l.markIdle(h) // idle until its first request begins
	return true, evict
}

// isTrusted reports whether addr is a trusted proxy's.
func (l *Listener) isTrusted(addr netip.Addr) bool {
	return slices.ContainsFunc(l.trusted, func(p netip.Prefix) bool { return p.Contains(addr) })
}

// evict stops holding h for a newcomer, with l.mu held, counts it in
// evicted, and returns its connection, to be closed.
func (l *Listener) evict(h *heldConn, evicted *int64) net.Conn {
	l.forget(h)
	h.gone = true
	*evicted++
	return h.c
}

// markIdle and markBusy move h in and out of the idle lists, with l.mu held.
func (l *Listener) markIdle(h *heldConn) {
	if h.idle == nil {
		h.idle = l.idle.PushBack(h)
		h.clientIdle = l.byClient[h.client].idle.PushBack(h)
	}
}

func (l *Listener) markBusy(h *heldConn) {
	if h.idle != nil {
		l.idle.Remove(h.idle)
		l.byClient[h.client].idle.Remove(h.clientIdle)
		h.idle, h.clientIdle = nil, nil
	}
}

// forget stops holding h, with l.mu held.
func (l *Listener) forget(h *heldConn) {
	if _, held := l.conns[h.c]; !held {
		return
	}
	l.markBusy(h)
	delete(l.conns, h.c)
	cc := l.byClient[h.client]
	if cc.n--; cc.n <= 0 {
		delete(l.byClient, h.client)
	}
}

// ConnContext gives each connection's requests a handle on it, for Guard; it
// is the http.Server's ConnContext hook.
func (l *Listener) ConnContext(ctx context.Context, c net.Conn) context.Context {
	l.mu.Lock()
	h := l.conns[c]
	l.mu.Unlock()
	if h == nil {
		return ctx
	}
	return context.WithValue(ctx, connKey{}, h)
}

// ConnState follows each connection's return to idle and its end; it is the
// http.Server's ConnState hook.
func (l *Listener) ConnState(c net.Conn, state http.ConnState) {
	l.mu.Lock()
	defer l.mu.Unlock()
	h := l.conns[c]
	if h == nil {
		return // evicted, or not one of ours
	}
	switch state {
	case http.StateIdle:
		l.markIdle(h)
	case http.StateClosed, http.StateHijacked:
		l.forget(h)
	}
}

// Guard claims a request's connection before next serves it: from then on it
// is busy and never evicted. A connection evicted while its request was being
// read gets no answer, and nothing of its request is done.
func (l *Listener) Guard(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if h, ok := r.Context().Value(connKey{}).(*heldConn); ok {
			l.mu.Lock()
			gone := h.gone
			if !gone {
				l.markBusy(h)
			}
			l.mu.Unlock()
			if gone {
				panic(http.ErrAbortHandler)
			}
		}
		next.ServeHTTP(w, r)
	})
}

// Stats are the connections a Listener holds now, and what its caps did
// since it began.
type Stats struct {
	Held int
	// Refused were closed on arrival, at a cap with none idle to make room;
	// Evicted were idle, and closed to make room for a newcomer.
	Refused, Evicted ByCap
}

// ByCap counts what each cap did: the one on all connections, and the one
// per client.
type ByCap struct{ Global, PerClient int64 }

// Stats reports what l holds and did, for an operator's metrics.
func (l *Listener) Stats() Stats {
	l.mu.Lock()
	defer l.mu.Unlock()
	return Stats{Held: len(l.conns), Refused: l.refused, Evicted: l.evicted}
}
