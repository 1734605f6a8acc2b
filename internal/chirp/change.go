package chirp

import (
	"errors"

	"github.com/google/uuid"
)

var (
	// ErrNotAuthor: the chirp is someone else's.
	ErrNotAuthor = errors.New("You can only change your own chirps")
	// ErrNotMember: editing a chirp is a Chirpy Red perk, and its author is
	// not a member.
	ErrNotMember = errors.New("Editing chirps is a Chirpy Red feature; this account is not a member")
)

// MayDelete says whether user may delete a chirp by author: only its author
// may (ErrNotAuthor).
func MayDelete(user, author uuid.UUID) error {
	if user != author {
		return ErrNotAuthor
	}
	return nil
}

// MayEdit says whether user may replace the text of a chirp by author, who
// is a Chirpy Red member or not, as their account says at this moment: only
// its author may (ErrNotAuthor), and only while a member (ErrNotMember).
func MayEdit(user, author uuid.UUID, authorIsMember bool) error {
	if err := MayDelete(user, author); err != nil {
		return err
	}
	if !authorIsMember {
		return ErrNotMember
	}
	return nil
}
