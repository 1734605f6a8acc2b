package store

import "database/sql"

// For the tests of package store_test, which reach the database under a
// Store to set up and check what its methods cannot.

func DB(s *Store) *sql.DB { return s.db }

var Fail = fail
