package app

import (
	"net/http"
	"testing"
)

func upgraded(userID string) map[string]any {
	return map[string]any{"event": "user.upgraded", "data": map[string]string{"user_id": userID}}
}

func apiKey(key string) []string { return []string{"Authorization", "ApiKey " + key} }

func (s *testServer) isRed(t *testing.T, email, password string) bool {
	t.Helper()
	u := decode[userJSON](t, s.req(t, "POST", "/api/login", map[string]string{"email": email, "password": password}).expect(t, http.StatusOK))
	if u.IsChirpyRed == nil {
		t.Fatal("login response has no is_chirpy_red")
	}
	return *u.IsChirpyRed
}

func TestPolkaWebhookCourse(t *testing.T) {
	t.Parallel()
	s := startServer(t, nil)
	walt := s.signUp(t, "walt@breakingbad.com", "123456")
	const hook = "/api/polka/webhooks"

	s.req(t, "POST", hook, upgraded(walt.ID)).expect(t, http.StatusUnauthorized).errorMessage(t)
	s.req(t, "POST", hook, upgraded(walt.ID), apiKey("wrong")...).expect(t, http.StatusUnauthorized)
	s.req(t, "POST", hook, upgraded(walt.ID), bearer(polkaKey)...).expect(t, http.StatusUnauthorized)
	if s.isRed(t, "walt@breakingbad.com", "123456") {
		t.Fatal("rejected webhooks upgraded the user")
	}

	other := map[string]any{"event": "user.payment_failed", "data": map[string]string{"user_id": walt.ID}}
	r := s.req(t, "POST", hook, other, apiKey(polkaKey)...).expect(t, http.StatusNoContent)
	if len(r.Body) != 0 {
		t.Errorf("204 with body %q", r.Body)
	}
	if s.isRed(t, "walt@breakingbad.com", "123456") {
		t.Fatal("user.payment_failed upgraded the user")
	}

	s.req(t, "POST", hook, upgraded("8a0e3bb6-1a0d-4b38-8e6c-4a4b7e1e2f00"), apiKey(polkaKey)...).expect(t, http.StatusNotFound).errorMessage(t)

	s.req(t, "POST", hook, upgraded(walt.ID), apiKey(polkaKey)...).expect(t, http.StatusNoContent)
	if !s.isRed(t, "walt@breakingbad.com", "123456") {
		t.Fatal("user.upgraded did not make the user Chirpy Red")
	}
	s.req(t, "POST", hook, upgraded(walt.ID), apiKey(polkaKey)...).expect(t, http.StatusNoContent)
	if !s.isRed(t, "walt@breakingbad.com", "123456") {
		t.Fatal("a repeated user.upgraded undid the upgrade")
	}
}

func TestPolkaKeyRotation(t *testing.T) {
	t.Parallel()
	s := startServer(t, map[string]string{"POLKA_KEY": "old-key, new-key"})
	walt := s.signUp(t, "walt@breakingbad.com", "123456")
	s.req(t, "POST", "/api/polka/webhooks", upgraded(walt.ID), apiKey("old-key")...).expect(t, http.StatusNoContent)
	s.req(t, "POST", "/api/polka/webhooks", upgraded(walt.ID), apiKey("new-key")...).expect(t, http.StatusNoContent)
	s.req(t, "POST", "/api/polka/webhooks", upgraded(walt.ID), apiKey(polkaKey)...).expect(t, http.StatusUnauthorized)
}
