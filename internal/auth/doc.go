// Package auth holds Chirpy's credentials: password hashing, access tokens
// (JWTs), refresh tokens, API keys, and the Authorization header that carries
// them. It knows nothing of HTTP handlers or the database.
package auth
