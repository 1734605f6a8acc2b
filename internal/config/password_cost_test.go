package config

import (
	"strings"
	"testing"
	"testing/fstest"
)

// PASSWORD_HASH_COST=test hashes far too cheaply for real passwords: it is
// refused on every platform but dev, and named as the problem.
func TestPasswordHashCostTestOnlyInDev(t *testing.T) {
	for _, tc := range []struct {
		platform, cost string
		fast, ok       bool
	}{
		{"dev", "test", true, true},
		{"dev", "", false, true},
		{"dev", "owasp", false, true},
		{"", "test", false, false},
		{"production", "test", false, false},
		{"Dev", "test", false, false},
		{"production", "", false, true},
		{"production", "owasp", false, true},
	} {
		vars := map[string]string{"DB_URL": "u", "JWT_SECRET": "s", "PLATFORM": tc.platform, "PASSWORD_HASH_COST": tc.cost}
		c, err := Load(env(vars), fstest.MapFS{}, ".env")
		if !tc.ok {
			if err == nil || !strings.Contains(err.Error(), "PASSWORD_HASH_COST=test") {
				t.Errorf("PLATFORM=%q PASSWORD_HASH_COST=%q: error %v, want one naming PASSWORD_HASH_COST=test", tc.platform, tc.cost, err)
			}
			continue
		}
		if err != nil {
			t.Errorf("PLATFORM=%q PASSWORD_HASH_COST=%q: %v", tc.platform, tc.cost, err)
		} else if c.FastPasswordHashing != tc.fast {
			t.Errorf("PLATFORM=%q PASSWORD_HASH_COST=%q: FastPasswordHashing %v, want %v", tc.platform, tc.cost, c.FastPasswordHashing, tc.fast)
		}
	}
}
