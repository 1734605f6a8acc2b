package idempotency

import (
	"strings"
	"testing"

	"github.com/google/uuid"
)

func TestCheckKey(t *testing.T) {
	for _, tc := range []struct {
		key   string
		valid bool
	}{
		{"a", true},
		{"8e03978e-40d5-43e8-bc93-6894a57f9324", true},
		{" !~ with spaces ~! ", true},
		{strings.Repeat("k", MaxKeyLen), true},
		{"", false},
		{strings.Repeat("k", MaxKeyLen+1), false},
		{"tab\there", false},
		{"del\x7f", false},
		{"nul\x00", false},
		{"café", false}, // not ASCII
		{"\x1f", false},
	} {
		if err := CheckKey(tc.key); (err == nil) != tc.valid {
			t.Errorf("CheckKey(%q) = %v, want valid %v", tc.key, err, tc.valid)
		}
	}
}

func TestDecide(t *testing.T) {
	first := NewRequest(SignUpScope, "k1", []byte(`{"email":"walt@breakingbad.com","password":"123456"}`))
	same := NewRequest(SignUpScope, "k1", []byte(`{"email":"walt@breakingbad.com","password":"123456"}`))
	// The bytes decide: the same JSON spaced otherwise is another body.
	spaced := NewRequest(SignUpScope, "k1", []byte(`{"email": "walt@breakingbad.com","password":"123456"}`))
	stored := Stored{Sha256: first.Sha256, Answer: Answer{Status: 201, Body: []byte(`{}`)}}
	for _, tc := range []struct {
		name   string
		r      Request
		stored Stored
		found  bool
		want   Verdict
	}{
		{"nothing stored", first, Stored{}, false, Fresh},
		{"the same body", same, stored, true, Replay},
		{"another body", spaced, stored, true, Mismatch},
		{"an empty body against a stored one", NewRequest(SignUpScope, "k1", nil), stored, true, Mismatch},
	} {
		if got := Decide(tc.r, tc.stored, tc.found); got != tc.want {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestScopes(t *testing.T) {
	a, b := uuid.New(), uuid.New()
	if UserScope(a) == UserScope(b) || UserScope(a) == SignUpScope || UserScope(a) != UserScope(uuid.MustParse(a.String())) {
		t.Error("each user has a scope of their own, apart from sign-up's")
	}
}
