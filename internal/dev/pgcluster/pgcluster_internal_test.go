package pgcluster

import (
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"
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

// A throwaway cluster's directory left behind by a killed test process is
// removed; one whose server runs, or that is being made, is not.
func TestRemoveAbandoned(t *testing.T) {
	dir := t.TempDir()
	old := time.Now().Add(-time.Hour)
	mk := func(name, pid string, at time.Time) string {
		path := filepath.Join(dir, name)
		if err := os.Mkdir(path, 0o700); err != nil {
			t.Fatal(err)
		}
		if pid != "" {
			if err := os.WriteFile(filepath.Join(path, "postmaster.pid"), []byte(pid+"\n"+path+"\n"), 0o600); err != nil {
				t.Fatal(err)
			}
		}
		if err := os.Chtimes(path, at, at); err != nil {
			t.Fatal(err)
		}
		return path
	}
	// A pid no process has: past the kernel's largest.
	gone := mk("chirpy-pg-gone", "2147483646", old)
	stopped := mk("chirpy-pg-stopped", "", old)
	running := mk("chirpy-pg-running", strconv.Itoa(os.Getpid()), old)
	young := mk("chirpy-pg-young", "2147483646", time.Now())
	other := mk("someone-else", "2147483646", old)
	removeAbandoned(dir)
	for path, kept := range map[string]bool{gone: false, stopped: false, running: true, young: true, other: true} {
		_, err := os.Stat(path)
		if exists := err == nil; exists != kept {
			t.Errorf("%s: kept %v, want %v", filepath.Base(path), exists, kept)
		}
	}
}
