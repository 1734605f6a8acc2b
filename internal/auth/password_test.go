package auth

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/alexedwards/argon2id"
)

// cheap keeps unit tests fast; the production parameters are checked below.
var cheap = argon2id.Params{Memory: 64, Iterations: 1, Parallelism: 1, SaltLength: 16, KeyLength: 32}

func TestPasswordParamsMeetOWASPMinimum(t *testing.T) {
	p := PasswordParams
	if p.Memory < 19*1024 || p.Iterations < 2 || p.Parallelism < 1 || p.SaltLength < 16 || p.KeyLength < 32 {
		t.Fatalf("PasswordParams %+v are below OWASP's argon2id minimum (m=19 MiB, t=2, p=1)", p)
	}
}

func TestHashAndCheck(t *testing.T) {
	h, err := NewHasher(PasswordParams, 2)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	hash, err := h.Hash(ctx, "123456")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(hash, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Fatalf("hash %q does not record the production parameters", hash)
	}
	if strings.Contains(hash, "123456") {
		t.Fatal("hash contains the password")
	}
	if ok, err := h.Check(ctx, "123456", hash); err != nil || !ok {
		t.Fatalf("Check(right password) = %v, %v", ok, err)
	}
	if ok, err := h.Check(ctx, "1234567", hash); err != nil || ok {
		t.Fatalf("Check(wrong password) = %v, %v", ok, err)
	}
	other, _ := h.Hash(ctx, "123456")
	if other == hash {
		t.Fatal("two hashes of one password are equal: no salt")
	}
	before := h.Hashes()
	if err := h.CheckDecoy(ctx, "123456"); err != nil {
		t.Fatalf("CheckDecoy: %v", err)
	}
	if h.Hashes() != before+1 {
		t.Fatal("CheckDecoy did not compute a hash")
	}
}

func TestCheckAcceptsOlderParameters(t *testing.T) {
	old, err := argon2id.CreateHash("pw", &cheap)
	if err != nil {
		t.Fatal(err)
	}
	h, _ := NewHasher(PasswordParams, 1)
	if ok, err := h.Check(context.Background(), "pw", old); err != nil || !ok {
		t.Fatalf("Check(hash with other parameters) = %v, %v", ok, err)
	}
}

func TestPasswordTooLong(t *testing.T) {
	h, _ := NewHasher(cheap, 1)
	long := strings.Repeat("x", MaxPasswordBytes+1)
	if _, err := h.Hash(context.Background(), long); !errors.Is(err, ErrPasswordTooLong) {
		t.Fatalf("Hash(%d bytes) error = %v, want ErrPasswordTooLong", len(long), err)
	}
	hash, err := h.Hash(context.Background(), long[:MaxPasswordBytes])
	if err != nil {
		t.Fatalf("Hash(%d bytes) = %v", MaxPasswordBytes, err)
	}
	// The longest password checks as any other; one byte more matches nothing.
	if ok, err := h.Check(context.Background(), long[:MaxPasswordBytes], hash); !ok || err != nil {
		t.Fatalf("Check(%d bytes) = %v, %v", MaxPasswordBytes, ok, err)
	}
	if ok, err := h.Check(context.Background(), long, hash); ok || err != nil {
		t.Fatalf("Check(%d bytes) = %v, %v", len(long), ok, err)
	}
}

func TestHashingQueuesBeyondConcurrency(t *testing.T) {
	h, _ := NewHasher(cheap, 1)
	lane, err := h.acquire(context.Background(), false) // the only slot
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if _, err := h.Hash(ctx, "pw"); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Hash with every slot taken = %v, want it to wait until the deadline", err)
	}
	<-lane
	if _, err := h.Hash(context.Background(), "pw"); err != nil {
		t.Fatalf("Hash after the slot is freed: %v", err)
	}
}

// A Hasher runs as many hashes at once as it was made for, and one when made
// for none or fewer.
func TestHasherSlots(t *testing.T) {
	for _, tc := range []struct{ concurrency, slots int }{{-1, 1}, {0, 1}, {1, 1}, {3, 3}} {
		h, err := NewHasher(cheap, tc.concurrency)
		if err != nil {
			t.Fatal(err)
		}
		for i := range tc.slots {
			ctx, cancel := context.WithTimeout(context.Background(), time.Second)
			_, err := h.acquire(ctx, false)
			cancel()
			if err != nil {
				t.Fatalf("NewHasher(%d): slot %d: %v", tc.concurrency, i+1, err)
			}
		}
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
		_, err = h.acquire(ctx, false)
		cancel()
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("NewHasher(%d): slot %d: %v, want it to wait", tc.concurrency, tc.slots+1, err)
		}
	}
}

// A returning user's check (CheckFirst) goes ahead of a queue that holds
// every slot, in a lane of its own the others never take, itself bounded.
func TestCheckFirstHasALaneOfItsOwn(t *testing.T) {
	h, err := NewHasher(cheap, 2) // 2 slots, and 1 for returning users
	if err != nil {
		t.Fatal(err)
	}
	hash, err := h.Hash(context.Background(), "pw")
	if err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if _, err := h.acquire(context.Background(), false); err != nil {
			t.Fatal(err)
		}
	}
	wait := func(check func(context.Context, string, string) (bool, error)) error {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Millisecond)
		defer cancel()
		_, err := check(ctx, "pw", hash)
		return err
	}
	if err := wait(h.Check); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Check with every slot taken = %v, want it to wait", err)
	}
	if ok, err := h.CheckFirst(context.Background(), "pw", hash); !ok || err != nil {
		t.Fatalf("CheckFirst with every slot taken = %v, %v; want it to go ahead", ok, err)
	}
	if _, err := h.acquire(context.Background(), true); err != nil { // the lane's one slot
		t.Fatal(err)
	}
	if err := wait(h.CheckFirst); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("CheckFirst with its lane full too = %v, want it to wait", err)
	}
}
