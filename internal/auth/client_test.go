package auth

import (
	"net/netip"
	"testing"
)

func TestClientOf(t *testing.T) {
	for _, tc := range []struct{ addr, client string }{
		{"192.0.2.1", "192.0.2.1/32"},
		{"::ffff:192.0.2.1", "192.0.2.1/32"},
		{"2001:db8:1:2::1", "2001:db8:1:2::/64"},
		{"2001:db8:1:2:ffff:ffff:ffff:ffff", "2001:db8:1:2::/64"},
		{"2001:db8:1:3::1", "2001:db8:1:3::/64"},
		{"fe80::1%eth0", "fe80::/64"},
		{"::1", "::/64"},
	} {
		if got := ClientOf(netip.MustParseAddr(tc.addr)); got.String() != tc.client {
			t.Errorf("ClientOf(%s) = %s, want %s", tc.addr, got, tc.client)
		}
	}
	if got := ClientOf(netip.Addr{}); got.IsValid() {
		t.Errorf("ClientOf of no address = %s, want no client", got)
	}
}
