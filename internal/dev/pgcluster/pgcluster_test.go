package pgcluster_test

import (
	"slices"
	"testing"

	"chirpy/internal/dev/pgcluster"
)

func TestKillNeedsAChild(t *testing.T) {
	c, err := pgcluster.New(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Kill(); err == nil {
		t.Fatal("Kill of a server this process did not start succeeded")
	}
}

func TestStreamingSettings(t *testing.T) {
	if got := pgcluster.StreamingSettings(""); len(got) != 3 {
		t.Errorf("StreamingSettings(\"\") = %q, want no synchronous standby", got)
	}
	got := pgcluster.StreamingSettings("standby1")
	want := "synchronous_standby_names = 'FIRST 1 (standby1)'"
	if !slices.Contains(got, want) || !slices.Contains(got, "synchronous_commit = on") {
		t.Errorf("StreamingSettings(standby1) = %q, want %q and synchronous_commit = on", got, want)
	}
	defer func() {
		if recover() == nil {
			t.Error("StreamingSettings accepted a name that would need quoting")
		}
	}()
	pgcluster.StreamingSettings("a') , b")
}
