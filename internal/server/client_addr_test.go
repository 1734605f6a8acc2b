package server

import (
	"net/http/httptest"
	"net/netip"
	"testing"
)

func TestClientAddr(t *testing.T) {
	proxies := []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("::1/128")}
	for _, tc := range []struct {
		name, remote string
		forwarded    []string
		want         string
	}{
		{"a client", "203.0.113.7:5000", nil, "203.0.113.7"},
		{"a client's own header is not believed", "203.0.113.7:5000", []string{"198.51.100.1"}, "203.0.113.7"},
		{"through a proxy", "10.0.0.2:5000", []string{"198.51.100.1"}, "198.51.100.1"},
		{"through two proxies", "10.0.0.2:5000", []string{"198.51.100.1, 10.0.0.3"}, "198.51.100.1"},
		{"a hop the client invented, left of the proxy's", "10.0.0.2:5000", []string{"192.0.2.66, 198.51.100.1"}, "198.51.100.1"},
		{"several headers", "10.0.0.2:5000", []string{"192.0.2.66", "198.51.100.1"}, "198.51.100.1"},
		{"a malformed hop", "10.0.0.2:5000", []string{"nonsense"}, "10.0.0.2"},
		{"a proxy without the header", "10.0.0.2:5000", nil, "10.0.0.2"},
		{"IPv6 proxy", "[::1]:5000", []string{"2001:db8::5"}, "2001:db8::5"},
		{"IPv4 in IPv6", "[::ffff:203.0.113.7]:5000", nil, "203.0.113.7"},
		{"a hop with a port", "10.0.0.2:5000", []string{"198.51.100.1:4711"}, "198.51.100.1"},
	} {
		r := httptest.NewRequest("POST", "/api/login", nil)
		r.RemoteAddr = tc.remote
		for _, v := range tc.forwarded {
			r.Header.Add("X-Forwarded-For", v)
		}
		if got := clientAddr(r, proxies); got.String() != tc.want {
			t.Errorf("%s: %v, want %s", tc.name, got, tc.want)
		}
	}
}
