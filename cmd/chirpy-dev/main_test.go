package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

func TestSetenvReplaces(t *testing.T) {
	env := setenv([]string{"A=1", "DB_URL=", "B=2", "DB_URLX=keep"}, "DB_URL", "postgres://x")
	if strings.Join(env, " ") != "A=1 B=2 DB_URLX=keep DB_URL=postgres://x" {
		t.Fatalf("setenv = %q", env)
	}
}

func TestEnsureDotenv(t *testing.T) {
	dir := t.TempDir()
	env, example := filepath.Join(dir, ".env"), filepath.Join(dir, ".env.example")
	os.WriteFile(example, []byte("PLATFORM=dev\nJWT_SECRET=\nPOLKA_KEY=k\n"), 0o644)

	if err := ensureDotenv(env, example); err != nil {
		t.Fatal(err)
	}
	first, _ := os.ReadFile(env)
	if !regexp.MustCompile(`(?m)^JWT_SECRET=[A-Za-z0-9+/]{86}==$`).Match(first) {
		t.Fatalf(".env has no generated 64-byte JWT_SECRET:\n%s", first)
	}
	if !regexp.MustCompile(`(?m)^PLATFORM=dev$`).Match(first) || !regexp.MustCompile(`(?m)^POLKA_KEY=k$`).Match(first) {
		t.Fatalf(".env lost the example's other settings:\n%s", first)
	}
	if fi, _ := os.Stat(env); fi.Mode().Perm() != 0o600 {
		t.Errorf(".env mode %v, want 0600 (it holds a secret)", fi.Mode().Perm())
	}

	// An existing .env is never touched.
	if err := ensureDotenv(env, example); err != nil {
		t.Fatal(err)
	}
	if second, _ := os.ReadFile(env); string(second) != string(first) {
		t.Fatal("a second run rewrote .env")
	}
}
