package auth

import (
	"errors"
	"net/http"
	"testing"
)

func TestGetBearerToken(t *testing.T) {
	tests := []struct {
		header string
		want   string
		err    error
	}{
		{"", "", ErrNoAuthHeader},
		{"Bearer abc.def.ghi", "abc.def.ghi", nil},
		{"bearer abc", "abc", nil},
		{"BEARER abc", "abc", nil},
		{"Bearer  abc ", "abc", nil},
		{"Bearer", "", ErrMalformedAuthHeader},
		{"Bearer ", "", ErrMalformedAuthHeader},
		{"Bearer a b", "", ErrMalformedAuthHeader},
		{"Bearer a\tb", "", ErrMalformedAuthHeader},
		{"Basic dXNlcjpwYXNz", "", ErrMalformedAuthHeader},
		{"ApiKey abc", "", ErrMalformedAuthHeader},
		{"Bearerabc", "", ErrMalformedAuthHeader},
	}
	for _, tt := range tests {
		h := http.Header{}
		if tt.header != "" {
			h.Set("Authorization", tt.header)
		}
		got, err := GetBearerToken(h)
		if !errors.Is(err, tt.err) || got != tt.want {
			t.Errorf("GetBearerToken(%q) = %q, %v; want %q, %v", tt.header, got, err, tt.want, tt.err)
		}
	}
}

// Two Authorization headers: which one counts would depend on who reads
// them, so neither does.
func TestTwoAuthorizationHeaders(t *testing.T) {
	h := http.Header{"Authorization": {"Bearer mine", "Bearer yours"}}
	if got, err := GetBearerToken(h); !errors.Is(err, ErrMalformedAuthHeader) {
		t.Errorf("GetBearerToken = %q, %v; want ErrMalformedAuthHeader", got, err)
	}
	h = http.Header{"Authorization": {"ApiKey k", "ApiKey k"}}
	if got, err := GetAPIKey(h); !errors.Is(err, ErrMalformedAuthHeader) {
		t.Errorf("GetAPIKey = %q, %v; want ErrMalformedAuthHeader", got, err)
	}
}

func TestGetAPIKey(t *testing.T) {
	tests := []struct {
		header string
		want   string
		err    error
	}{
		{"", "", ErrNoAuthHeader},
		{"ApiKey f271c81ff7084ee5b99a5091b42d486e", "f271c81ff7084ee5b99a5091b42d486e", nil},
		{"apikey k", "k", nil},
		{"ApiKey", "", ErrMalformedAuthHeader},
		{"Bearer f271c81ff7084ee5b99a5091b42d486e", "", ErrMalformedAuthHeader},
		{"ApiKey a b", "", ErrMalformedAuthHeader},
	}
	for _, tt := range tests {
		h := http.Header{}
		if tt.header != "" {
			h.Set("Authorization", tt.header)
		}
		got, err := GetAPIKey(h)
		if !errors.Is(err, tt.err) || got != tt.want {
			t.Errorf("GetAPIKey(%q) = %q, %v; want %q, %v", tt.header, got, err, tt.want, tt.err)
		}
	}
}

func TestAPIKeys(t *testing.T) {
	keys := NewAPIKeys([]string{"old-key", "", "new-key"})
	for key, want := range map[string]bool{
		"old-key": true, "new-key": true,
		"": false, "old-ke": false, "old-key ": false, "OLD-KEY": false, "other": false,
	} {
		if got := keys.Valid(key); got != want {
			t.Errorf("Valid(%q) = %v, want %v", key, got, want)
		}
	}
	if (APIKeys{}).Valid("") {
		t.Error("an empty key set accepts the empty key")
	}
}

// Schemes match ignoring the case of ASCII letters, from A to Z, and of
// nothing else.
func TestEqualFoldASCII(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		want bool
	}{
		{"Bearer", "bEARER", true},
		{"AZ", "az", true},
		{"az", "AZ", true},
		{"ApiKey", "APIKEY", true},
		{"@", "`", false}, // the characters before A and a
		{"`", "@", false},
		{"[", "{", false}, // after Z and z
		{"{", "[", false},
		{"Bearer", "Bearer2", false},
		{"Bearer", "Beaver", false},
	} {
		if got := equalFoldASCII(tc.a, tc.b); got != tc.want {
			t.Errorf("equalFoldASCII(%q, %q) = %v, want %v", tc.a, tc.b, got, tc.want)
		}
	}
}
