package pgcluster

import "testing"

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
