package server

import (
	"net/http"
	"slices"
)

// router is what addRoutes registers on: an http.ServeMux, or the recorder
// of Routes.
type router interface {
	Handle(pattern string, handler http.Handler)
	HandleFunc(pattern string, handler func(http.ResponseWriter, *http.Request))
}

// Routes lists the pattern of every route ("GET /api/chirps/{chirpID}"), for
// holding the OpenAPI document to them.
func Routes() []string {
	var r patterns
	addRoutes(&r, Deps{})
	slices.Sort(r)
	return r
}

type patterns []string

func (p *patterns) Handle(pattern string, _ http.Handler) { *p = append(*p, pattern) }
func (p *patterns) HandleFunc(pattern string, _ func(http.ResponseWriter, *http.Request)) {
	*p = append(*p, pattern)
}

// addRoutes is the whole API surface, in one place. user(...) marks the
// routes that need an access token (Authorization: Bearer), whose handlers
// are given the token's user; polkaKey(...) the webhook, which needs one of
// Polka's API keys (Authorization: ApiKey), checked before the body is read.
// Refresh and revoke take a refresh token, which their handlers look up.
func addRoutes(mux router, d Deps) {
	h := func(fn handlerFunc) http.Handler { return api(d.Logger, fn) }
	user := func(fn userHandlerFunc) http.Handler { return h(withUser(d.JWTSecret, fn)) }
	polkaKey := func(fn handlerFunc) http.Handler { return h(withAPIKey(d.PolkaKeys, fn)) }
	b := newBodies(d.BodyBudget)

	mux.Handle("GET /app/", countVisits(d.Store, d.Logger, http.StripPrefix("/app", handleSite())))

	mux.HandleFunc("GET /api/healthz", handleHealthz)
	mux.Handle("GET /api/readyz", handleReadyz(d.Store))
	mux.HandleFunc("GET /api/openapi.json", handleOpenAPI)

	mux.Handle("GET /admin/metrics", h(handleMetrics(d.Store)))
	mux.Handle("POST /admin/reset", h(handleReset(d.Store, d.Dev)))

	mux.Handle("POST /api/users", h(handleUsersCreate(d.Store, d.Hasher, b)))
	mux.Handle("PUT /api/users", user(handleUsersUpdate(d.Store, d.Hasher, b)))

	mux.Handle("POST /api/login", h(handleLogin(login{st: d.Store, hasher: d.Hasher, secret: d.JWTSecret,
		limits: d.LoginLimits, proxies: d.TrustedProxies, bodies: b, metrics: d.Metrics})))
	mux.Handle("POST /api/refresh", h(handleRefresh(d.Store, d.JWTSecret)))
	mux.Handle("POST /api/revoke", h(handleRevoke(d.Store)))

	mux.Handle("POST /api/chirps", user(handleChirpsCreate(d.Store, b)))
	mux.Handle("GET /api/chirps", h(handleChirpsList(d.Store, d.Logger)))
	mux.Handle("GET /api/chirps/{chirpID}", h(handleChirpsGet(d.Store)))
	mux.Handle("PUT /api/chirps/{chirpID}", user(handleChirpsUpdate(d.Store, b)))
	mux.Handle("DELETE /api/chirps/{chirpID}", user(handleChirpsDelete(d.Store)))

	mux.Handle("POST /api/polka/webhooks", polkaKey(handleWebhook(d.Store, d.PolkaSigner, d.WebhookTimeout, b, d.Metrics)))
}
