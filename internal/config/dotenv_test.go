package config

import (
	"strings"
	"testing"
	"testing/fstest"
)

func TestDotenvWarnings(t *testing.T) {
	fsys := fstest.MapFS{".env": {Data: []byte(`# a comment
PLATFORM=dev
JWT_SECRET=Zm9vYmFyYmF6cXV1eGZvb2JhcmJhenF1dXhmb29iYXJiYXpxdXV4Zm9vYmFyYmF6cXV1eGZv
b2JhcmJhenF1dXg=
export PORT=8081

POLKA_KEYS=x
POLKA_WEBHOOK_SECRET="whsec_a
b"
LOG_LEVEL = debug
+abc/def
`)}}
	got := DotenvWarnings(fsys, ".env")
	want := []string{"line 4: b2JhcmJhenF1dXg is not a setting", "line 7: POLKA_KEYS is not a setting", "line 11, is not NAME=value"}
	if len(got) != len(want) {
		t.Fatalf("warnings %q, want %d", got, len(want))
	}
	for i := range want {
		if !strings.Contains(got[i], want[i]) {
			t.Errorf("warning %q, want %q", got[i], want[i])
		}
	}
	if w := DotenvWarnings(fsys, "missing"); w != nil {
		t.Errorf("a missing file: %q", w)
	}
	// Every setting the server reads is known.
	for _, name := range []string{"DB_URL", "METRICS_ADDR", "TRUSTED_PROXIES", "PASSWORD_HASH_COST"} {
		clean := fstest.MapFS{".env": {Data: []byte(name + "=x\n")}}
		if w := DotenvWarnings(clean, ".env"); w != nil {
			t.Errorf("%s: %q", name, w)
		}
	}
}
