package pgcluster

import (
	"os"
	"path/filepath"
	"testing"
)

func TestListsStandby(t *testing.T) {
	for _, tc := range []struct {
		setting string
		want    bool
	}{
		{"", false},
		{"standby1", true},
		{"STANDBY1", true},
		{"other, standby1", true},
		{"FIRST 1 (standby1)", true},
		{"ANY 2 (\"standby1\", other)", true},
		{"2 (other, standby1)", true},
		{"*", true},
		{"FIRST 1 (other)", false},
		{"standby10", false},
	} {
		if got := listsStandby(tc.setting, "standby1"); got != tc.want {
			t.Errorf("listsStandby(%q, standby1) = %v, want %v", tc.setting, got, tc.want)
		}
	}
}

func TestCanEnter(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "checkout")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	// t.TempDir's directories are 0700: ours alone.
	want := os.Geteuid() != 0 // root asks for the postgres user
	if got, err := CanEnter(dir); err != nil || got != want {
		t.Errorf("CanEnter(%s under a 0700 directory) = %v, %v; want %v", dir, got, err, want)
	}
	for d := dir; d != "/"; d = filepath.Dir(d) {
		if d == os.TempDir() {
			break
		}
		if err := os.Chmod(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if got, err := CanEnter(dir); err != nil || !got {
		t.Errorf("CanEnter(%s, every directory above it open) = %v, %v; want true", dir, got, err)
	}
}
