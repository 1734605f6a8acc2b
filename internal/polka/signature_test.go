package polka

import (
	"errors"
	"testing"
	"time"
)

// The known-answer vector of the Standard Webhooks specification.
const (
	kaSecret    = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
	kaID        = "msg_p5jXN8AQM9LWM0D4loKWxJek"
	kaTimestamp = "1614265330"
	kaBody      = `{"test": 2432232314}`
	kaSignature = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
)

var kaTime = time.Unix(1614265330, 0)

func TestKnownAnswer(t *testing.T) {
	s, err := NewSigner(kaSecret)
	if err != nil {
		t.Fatal(err)
	}
	if got := s.Sign(kaID, kaTime, []byte(kaBody)); got != kaSignature {
		t.Fatalf("Sign = %s, want %s", got, kaSignature)
	}
	if err := s.Verify(kaID, kaTimestamp, kaSignature, []byte(kaBody), kaTime); err != nil {
		t.Fatalf("Verify(known answer) = %v", err)
	}
}

func TestVerifyRejects(t *testing.T) {
	s, _ := NewSigner(kaSecret)
	other, _ := NewSigner("whsec_" + "c2VjcmV0LWtleS1vZi1zb21lb25lLWVsc2U=")
	otherSig := other.Sign(kaID, kaTime, []byte(kaBody))
	tests := []struct {
		name               string
		id, ts, sigs, body string
		now                time.Time
		want               error
	}{
		{"tampered body", kaID, kaTimestamp, kaSignature, `{"test": 2432232315}`, kaTime, ErrNoMatchingSignature},
		{"other id", "msg_other", kaTimestamp, kaSignature, kaBody, kaTime, ErrNoMatchingSignature},
		{"other secret", kaID, kaTimestamp, otherSig, kaBody, kaTime, ErrNoMatchingSignature},
		{"timestamp 6 minutes old", kaID, kaTimestamp, kaSignature, kaBody, kaTime.Add(6 * time.Minute), ErrTimestampOutOfTolerance},
		{"timestamp 6 minutes ahead", kaID, kaTimestamp, kaSignature, kaBody, kaTime.Add(-6 * time.Minute), ErrTimestampOutOfTolerance},
		{"timestamp not a number", kaID, "yesterday", kaSignature, kaBody, kaTime, ErrBadTimestamp},
		{"no signature header", kaID, kaTimestamp, "", kaBody, kaTime, ErrMissingSignatureHeaders},
		{"no id", "", kaTimestamp, kaSignature, kaBody, kaTime, ErrMissingSignatureHeaders},
		{"no timestamp", kaID, "", kaSignature, kaBody, kaTime, ErrMissingSignatureHeaders},
		{"other scheme", kaID, kaTimestamp, "v1a,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=", kaBody, kaTime, ErrNoMatchingSignature},
		{"not base64", kaID, kaTimestamp, "v1,!!!", kaBody, kaTime, ErrNoMatchingSignature},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := s.Verify(tt.id, tt.ts, tt.sigs, []byte(tt.body), tt.now); !errors.Is(err, tt.want) {
				t.Fatalf("Verify = %v, want %v", err, tt.want)
			}
		})
	}
}

func TestVerifyAcceptsWithinTolerance(t *testing.T) {
	s, _ := NewSigner(kaSecret)
	for _, d := range []time.Duration{-4 * time.Minute, 4 * time.Minute, -SignatureTolerance, SignatureTolerance} {
		if err := s.Verify(kaID, kaTimestamp, kaSignature, []byte(kaBody), kaTime.Add(d)); err != nil {
			t.Errorf("Verify at %v from the timestamp = %v", d, err)
		}
	}
}

func TestVerifyAnyOfSeveralSignatures(t *testing.T) {
	s, _ := NewSigner(kaSecret)
	sigs := "v1,bm90IHRoZSByaWdodCBvbmU= v1a,c29tZXRoaW5nIGVsc2U= " + kaSignature + " v1,YW5vdGhlcg=="
	if err := s.Verify(kaID, kaTimestamp, sigs, []byte(kaBody), kaTime); err != nil {
		t.Fatalf("Verify with one valid signature among several = %v", err)
	}
	if err := s.Verify(kaID, kaTimestamp, "v1,bm90IHRoZSByaWdodCBvbmU= v1,YW5vdGhlcg==", []byte(kaBody), kaTime); !errors.Is(err, ErrNoMatchingSignature) {
		t.Fatalf("Verify with only wrong signatures = %v", err)
	}
}

func TestNewSignerRejects(t *testing.T) {
	for _, secret := range []string{"", "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "whsec_", "whsec_not base64!"} {
		if _, err := NewSigner(secret); err == nil {
			t.Errorf("NewSigner(%q) accepted it", secret)
		}
	}
}
