// Package layers holds no code: its test is the written-down import rules of
// Chirpy's packages, checked with `go list` (make check runs it).
//
//   - Only the store speaks SQL: no package linked into the server imports
//     database/sql, the driver (github.com/lib/pq) or the sqlc output
//     (internal/database) but internal/store.
//   - Each package imports only the Chirpy packages its row of the table in
//     layers_test.go allows, so data flows one way: the binary (cmd/chirpy)
//     wires config, logging, the store and the HTTP server; the server
//     speaks to the store and the rule packages (auth, chirp, polka); the
//     rules import no layer above them.
//   - The server binary links no development tooling (internal/dev/...):
//     test databases and the local PostgreSQL manager are for tests, the
//     benchmark and `make run` only.
package layers
