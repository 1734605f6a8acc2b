package server

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/google/uuid"

	"chirpy/internal/store"
)

// FuzzChirpJSON holds Chirp.appendJSON to what encoding/json writes for the
// same Chirp, byte for byte: the list and single-chirp responses must not
// change by being fast, and a field added to Chirp must be added to both.
func FuzzChirpJSON(f *testing.F) {
	for _, body := range []string{
		"", "I'm the one who knocks!", `"quoted" & <tagged>`, "back\\slash", "tab\tnew\nline\rret\bbs\fff",
		"\x00\x01\x1f\x7f", "é 🐦 日本", "\u2028\u2029", "\xff\xfe invalid", "\xed\xa0\x80 surrogate",
		"</script><script>alert(1)</script>", "\u00ad\u200b\ufeff",
	} {
		f.Add(body, int64(1764000000), int64(123456000), int64(0), uint64(0x0123456789abcdef), uint64(0xfedcba9876543210))
	}
	f.Add("x", int64(-62135596800), int64(0), int64(3600), uint64(0), uint64(0))            // year 1
	f.Add("x", int64(253402300799), int64(999999999), int64(-3600), ^uint64(0), ^uint64(0)) // year 9999
	f.Fuzz(func(t *testing.T, body string, sec, nsec, offset int64, hi, lo uint64) {
		if nsec < 0 || nsec >= 1e9 || offset < -86400 || offset > 86400 {
			return
		}
		zone := time.FixedZone("", int(offset))
		created := time.Unix(sec, nsec).In(zone)
		updated := created.Add(time.Duration(nsec))
		for _, ts := range []time.Time{created, updated} {
			if y := ts.UTC().Year(); y < 0 || y > 9999 {
				return // outside what timestamptz and JSON times hold
			}
		}
		var id, userID uuid.UUID
		for i := range 8 {
			id[i], id[8+i] = byte(hi>>(8*i)), byte(lo>>(8*i))
			userID[i], userID[8+i] = byte(lo>>(8*i)), byte(hi>>(8*i))
		}
		c := newChirp(store.Chirp{ID: id, CreatedAt: created, UpdatedAt: updated, Body: body, UserID: userID})
		want, err := json.Marshal(c)
		if err != nil {
			t.Fatal(err)
		}
		if got := c.appendJSON(nil); string(got) != string(want) {
			t.Fatalf("appendJSON:\n got %s\nwant %s", got, want)
		}
	})
}
