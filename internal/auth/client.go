package auth

import "net/netip"

// ClientOf is the client an address belongs to, wherever something is
// counted or capped per client (login attempts, connections): an IPv4
// address, or an IPv6 /64, what one subscriber is usually given, so that
// the addresses of one /64 are one client, not millions. An IPv4 address
// written as IPv6 (::ffff:a.b.c.d) is that IPv4 address.
func ClientOf(a netip.Addr) netip.Prefix {
	a = a.Unmap()
	bits := 32
	if a.Is6() {
		bits = 64
	}
	p, _ := a.Prefix(bits) // fails for no bit count within the address
	return p
}
