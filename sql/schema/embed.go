// Package schema holds Chirpy's database migrations, embedded so that the
// binary can bring any database up to date without files on disk.
package schema

import "embed"

// FS holds the goose migrations (NNN_name.sql) at its root.
//
//go:embed *.sql
var FS embed.FS
