package chirp

import (
	"errors"
	"testing"

	"github.com/google/uuid"
)

func TestMayEditAndDelete(t *testing.T) {
	walt, jesse := uuid.New(), uuid.New()
	for _, tc := range []struct {
		name         string
		user, author uuid.UUID
		member       bool
		edit, delete error
	}{
		{"the author, a member", walt, walt, true, nil, nil},
		{"the author, not a member", walt, walt, false, ErrNotMember, nil},
		{"someone else, the author a member", jesse, walt, true, ErrNotAuthor, ErrNotAuthor},
		{"someone else, the author not a member", jesse, walt, false, ErrNotAuthor, ErrNotAuthor},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := MayEdit(tc.user, tc.author, tc.member); !errors.Is(err, tc.edit) || (err == nil) != (tc.edit == nil) {
				t.Errorf("MayEdit = %v, want %v", err, tc.edit)
			}
			if err := MayDelete(tc.user, tc.author); !errors.Is(err, tc.delete) || (err == nil) != (tc.delete == nil) {
				t.Errorf("MayDelete = %v, want %v", err, tc.delete)
			}
		})
	}
}
