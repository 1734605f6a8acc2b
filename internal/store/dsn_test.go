package store

import (
	"strings"
	"testing"

	"github.com/lib/pq"
)

func TestConnString(t *testing.T) {
	for _, tc := range []struct {
		in, want string
	}{
		{"postgres://postgres@127.0.0.1:5432/chirpy?sslmode=disable",
			"user='postgres' host='127.0.0.1' port='5432' dbname='chirpy' sslmode='disable' binary_parameters=yes connect_timeout=5"},
		{"postgres://u@h1:5432,h2:5433/chirpy?target_session_attrs=read-write",
			"user='u' host='h1,h2' port='5432,5433' dbname='chirpy' target_session_attrs='read-write' binary_parameters=yes connect_timeout=5"},
		{"postgresql://u%40x:p%40ss%20w%3Ard%2F%27%22%5C%25@[::1]:6000,db2.example,[fe80::1%25eth0]:7000/my%20db?application_name=a+b%26c&connect_timeout=3",
			`user='u@x' password='p@ss w:rd/\'"\\%' host='::1,db2.example,fe80::1%eth0' port='6000,5432,7000' dbname='my db' application_name='a+b&c' connect_timeout='3' binary_parameters=yes`},
		{"postgres://%2Ftmp%2Fsock:5433/d", "host='/tmp/sock' port='5433' dbname='d' binary_parameters=yes connect_timeout=5"},
		{"postgres://h/d?binary_parameters=no", "host='h' dbname='d' binary_parameters='no' connect_timeout=5"},
		// The key=value form passes as it is.
		{"host=h1,h2 port=5432,5433 dbname=chirpy target_session_attrs=read-write",
			"host=h1,h2 port=5432,5433 dbname=chirpy target_session_attrs=read-write binary_parameters=yes connect_timeout=5"},
		{"host=h connect_timeout = 2", "host=h connect_timeout = 2 binary_parameters=yes"},
		{"postgres://h/d?sslmode=&application_name=x#frag", "host='h' dbname='d' application_name='x' binary_parameters=yes connect_timeout=5"},
	} {
		got, err := connString(tc.in)
		if err != nil || got != tc.want {
			t.Errorf("connString(%q) =\n  %s, %v\nwant\n  %s", tc.in, got, err, tc.want)
			continue
		}
		// lib/pq reads it.
		if _, err := pq.NewConnector(got); err != nil {
			t.Errorf("lib/pq refuses %q: %v", got, err)
		}
	}
	for _, bad := range []string{
		"postgres://[::1:5432/d", "postgres://h:99999/d", "postgres://h:0/d", "postgres://::1:5432/d",
		"postgres://u:%zz@h/d", "postgres://h/d?novalue", "postgres://h/d?a%20b=1", "postgres://h:5x/d",
	} {
		if got, err := connString(bad); err == nil {
			t.Errorf("connString(%q) = %q, want an error", bad, got)
		}
	}
	// No part of the URL, the password least, is in an error.
	for _, bad := range []string{"postgres://u:s3cr/et@h/db", "postgres://u:s3cr?et@h/db", "postgres://u:%zzs3cr@h/d"} {
		if _, err := connString(bad); err == nil || strings.Contains(err.Error(), "s3cr") {
			t.Errorf("connString(%q): %v", bad, err)
		}
	}
}
