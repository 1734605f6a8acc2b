package server

import (
	"net/http"
	"net/netip"
	"strings"
)

// clientAddr is the address a request comes from: the connection's peer, or,
// when the peer is a trusted proxy (a load balancer of ours), the address
// that proxy saw, the nearest one in X-Forwarded-For that is not itself a
// trusted proxy. Anything else in the header is the client's to invent, so
// it is never believed.
func clientAddr(r *http.Request, trusted []netip.Prefix) netip.Addr {
	addr, proxied := peer(r, trusted)
	if !proxied {
		return addr
	}
	hops := strings.Split(strings.Join(r.Header.Values("X-Forwarded-For"), ","), ",")
	for i := len(hops) - 1; i >= 0; i-- {
		hop, err := parseHop(strings.TrimSpace(hops[i]))
		if err != nil {
			return addr // a malformed hop: the proxy is all that is known
		}
		if hop = hop.Unmap(); !isTrusted(hop, trusted) {
			return hop
		}
		addr = hop
	}
	return addr
}

// overHTTPS reports whether the client's request came over TLS: to this
// server, or to a trusted proxy that says so in X-Forwarded-Proto.
func overHTTPS(r *http.Request, trusted []netip.Prefix) bool {
	if r.TLS != nil {
		return true
	}
	_, proxied := peer(r, trusted)
	return proxied && strings.EqualFold(r.Header.Get("X-Forwarded-Proto"), "https")
}

// peer is the address of the connection's peer (unspecified if RemoteAddr
// holds none), and whether it is a trusted proxy, whose forwarding headers
// are believed.
func peer(r *http.Request, trusted []netip.Prefix) (addr netip.Addr, proxied bool) {
	ap, err := netip.ParseAddrPort(r.RemoteAddr)
	if err != nil {
		return netip.IPv4Unspecified(), false
	}
	addr = ap.Addr().Unmap()
	return addr, isTrusted(addr, trusted)
}

func isTrusted(a netip.Addr, trusted []netip.Prefix) bool {
	for _, p := range trusted {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// parseHop reads an X-Forwarded-For hop: an address, or one with a port.
func parseHop(s string) (netip.Addr, error) {
	if a, err := netip.ParseAddr(s); err == nil {
		return a, nil
	}
	ap, err := netip.ParseAddrPort(s)
	return ap.Addr(), err
}
