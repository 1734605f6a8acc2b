package server

import "net/http"

// addRoutes is the whole API surface, in one place.
func addRoutes(mux *http.ServeMux, d Deps, v *visits) {
	h := func(fn handlerFunc) http.Handler { return api(d.Logger, fn) }

	mux.Handle("GET /app/", v.count(http.StripPrefix("/app", handleSite())))

	mux.HandleFunc("GET /api/healthz", handleHealthz)
	mux.Handle("GET /api/readyz", handleReadyz(d.DB))

	mux.Handle("GET /admin/metrics", handleMetrics(v))
	mux.Handle("POST /admin/reset", h(handleReset(d.Queries, v, d.Dev)))

	mux.Handle("POST /api/users", h(handleUsersCreate(d.Queries, d.Hasher)))
	mux.Handle("PUT /api/users", h(handleUsersUpdate(d.Queries, d.Hasher, d.JWTSecret)))

	mux.Handle("POST /api/login", h(handleLogin(d.Queries, d.Hasher, d.JWTSecret, d.LoginThrottle)))
	mux.Handle("POST /api/refresh", h(handleRefresh(d.Queries, d.JWTSecret)))
	mux.Handle("POST /api/revoke", h(handleRevoke(d.Queries)))

	mux.Handle("POST /api/chirps", h(handleChirpsCreate(d.Queries, d.JWTSecret)))
	mux.Handle("GET /api/chirps", h(handleChirpsList(d.Queries, d.Logger)))
	mux.Handle("GET /api/chirps/{chirpID}", h(handleChirpsGet(d.Queries)))
	mux.Handle("DELETE /api/chirps/{chirpID}", h(handleChirpsDelete(d.Queries, d.JWTSecret)))

	mux.Handle("POST /api/polka/webhooks", h(handlePolkaWebhook(d.Queries, d.PolkaKeys, d.PolkaSigner)))
}
