package server

import (
	"container/list"
	"context"
	"net"
	"net/http"
	"net/netip"
	"sync"
)

// ConnLimiter caps the connections a server holds at once, in all and from
// one client (an IPv4 address, an IPv6 /64), so that no client can take every
// file descriptor, nor the memory each connection holds. At the cap, a new connection takes the
// place of the one idle longest (a keep-alive connection between requests, or
// one that has sent nothing yet); when none is idle, the new one is closed at
// once: refused fast, never queued. A connection whose request has begun is
// never closed: its handler claims it (Guard) before doing anything, and a
// connection is evicted only if it can still be taken from idle.
//
// Wire it as http.Server's listener, ConnState and ConnContext hooks, and
// wrap the handler in Guard.
type ConnLimiter struct {
	net.Listener
	max, perClient int
	trusted        []netip.Prefix // proxies: many clients share their address

	mu       sync.Mutex
	conns    map[net.Conn]*heldConn
	idle     *list.List // of *heldConn, idle longest first
	byClient map[netip.Addr]int
	// refused and evicted count what the cap did.
	refused, evicted int64
}

// heldConn is one connection the limiter holds.
type heldConn struct {
	c      net.Conn
	client netip.Addr
	idle   *list.Element // in ConnLimiter.idle while idle; nil while busy
	gone   bool          // evicted: its request, if one arrives, is not served
}

type connKey struct{}

// LimitConnections caps the connections ln hands out at max, and at
// perClient from one address (except the trusted proxies').
func LimitConnections(ln net.Listener, max, perClient int, trusted []netip.Prefix) *ConnLimiter {
	return &ConnLimiter{Listener: ln, max: max, perClient: perClient, trusted: trusted,
		conns: map[net.Conn]*heldConn{}, idle: list.New(), byClient: map[netip.Addr]int{}}
}

// Accept returns the next connection within the caps.
func (l *ConnLimiter) Accept() (net.Conn, error) {
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
		if evict != nil {
			evict.Close()
		}
		if admitted {
			return c, nil
		}
		c.Close()
	}
}

// admit decides on a new connection, with l.mu held, and returns the
// connection to close for it, if any.
func (l *ConnLimiter) admit(c net.Conn, addr netip.Addr) (bool, net.Conn) {
	client := clientOf(addr)
	if l.byClient[client] >= l.perClient && !isTrusted(addr, l.trusted) {
		l.refused++
		return false, nil
	}
	var evict net.Conn
	if len(l.conns) >= l.max {
		if oldest := l.idle.Front(); oldest != nil {
			h := oldest.Value.(*heldConn)
			l.forget(h)
			h.gone = true
			evict = h.c
			l.evicted++
		} else {
			l.refused++
			return false, nil
		}
	}
	h := &heldConn{c: c, client: client}
	h.idle = l.idle.PushBack(h) // idle until its first request begins
	l.conns[c] = h
	l.byClient[client]++
	return true, evict
}

// clientOf is the client an address belongs to: an IPv4 address, or an IPv6
// /64, the least a subscriber is given (as the login throttle counts them).
func clientOf(a netip.Addr) netip.Addr {
	if a.Is6() {
		p, _ := a.Prefix(64) // cannot fail for 64 bits of an IPv6 address
		return p.Addr()
	}
	return a
}

// forget stops holding h, with l.mu held.
func (l *ConnLimiter) forget(h *heldConn) {
	if h.idle != nil {
		l.idle.Remove(h.idle)
		h.idle = nil
	}
	delete(l.conns, h.c)
	if l.byClient[h.client]--; l.byClient[h.client] <= 0 {
		delete(l.byClient, h.client)
	}
}

// ConnContext gives each connection's requests a handle on it, for Guard; it
// is the http.Server's ConnContext hook.
func (l *ConnLimiter) ConnContext(ctx context.Context, c net.Conn) context.Context {
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
func (l *ConnLimiter) ConnState(c net.Conn, state http.ConnState) {
	l.mu.Lock()
	defer l.mu.Unlock()
	h := l.conns[c]
	if h == nil {
		return // evicted, or not one of ours
	}
	switch state {
	case http.StateIdle:
		if h.idle == nil {
			h.idle = l.idle.PushBack(h)
		}
	case http.StateClosed, http.StateHijacked:
		l.forget(h)
	}
}

// Guard claims a request's connection before next serves it: from then on it
// is busy and never evicted. A connection evicted while its request was being
// read gets no answer, and nothing of its request is done.
func (l *ConnLimiter) Guard(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if h, ok := r.Context().Value(connKey{}).(*heldConn); ok {
			l.mu.Lock()
			gone := h.gone
			if !gone && h.idle != nil {
				l.idle.Remove(h.idle)
				h.idle = nil
			}
			l.mu.Unlock()
			if gone {
				panic(http.ErrAbortHandler)
			}
		}
		next.ServeHTTP(w, r)
	})
}

// Stats reports the connections held now, and how many the caps refused and
// closed for others since the start.
func (l *ConnLimiter) Stats() (held int, refused, evicted int64) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.conns), l.refused, l.evicted
}
