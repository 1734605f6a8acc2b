package main

import (
	"net/http"
	"strings"
	"testing"
)

// storedHash is the hashed_password stored for email.
func (s *testServer) storedHash(t *testing.T, email string) string {
	t.Helper()
	var h string
	if err := s.DB.QueryRow(`SELECT hashed_password FROM users WHERE email = $1`, email).Scan(&h); err != nil {
		t.Fatal(err)
	}
	return h
}

// Outside PLATFORM=dev, passwords are hashed with argon2id at OWASP's
// parameters (19 MiB, 2 passes, 1 lane); the cheap parameters are only for a
// dev server told PASSWORD_HASH_COST=test. The hash records its parameters.
func TestPasswordHashCost(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		env    map[string]string
		params string
	}{
		{"production", map[string]string{"PLATFORM": "production"}, "$argon2id$v=19$m=19456,t=2,p=1$"},
		{"dev, by default", map[string]string{"PASSWORD_HASH_COST": ""}, "$argon2id$v=19$m=19456,t=2,p=1$"},
		{"dev, test cost", map[string]string{"PASSWORD_HASH_COST": "test"}, "$argon2id$v=19$m=64,t=1,p=1$"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := startServer(t, tc.env)
			s.req(t, "POST", "/api/users", map[string]string{"email": "walt@breakingbad.com", "password": "123456"}).expect(t, http.StatusCreated)
			if h := s.storedHash(t, "walt@breakingbad.com"); !strings.HasPrefix(h, tc.params) {
				t.Fatalf("stored hash %q, want one made with %s", h, tc.params)
			}
			s.req(t, "POST", "/api/login", map[string]string{"email": "walt@breakingbad.com", "password": "123456"}).expect(t, http.StatusOK)
		})
	}
}
