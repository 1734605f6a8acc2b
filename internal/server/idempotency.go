package server

import (
	"net/http"

	"chirpy/internal/idempotency"
	"chirpy/internal/store"
)

// idempotencyKey returns the request's Idempotency-Key: keyed is false when
// it sends none, and an invalid key is idempotency.ErrKeyInvalid (400).
func idempotencyKey(r *http.Request) (key string, keyed bool, err error) {
	values := r.Header["Idempotency-Key"]
	switch len(values) {
	case 0:
		return "", false, nil
	case 1:
		return values[0], true, idempotency.CheckKey(values[0])
	}
	return "", true, idempotency.ErrKeyInvalid
}

// answerOnce carries req out through effect, once (store.Once), and writes its
// answer: the stored one for a retry, marked Idempotent-Replayed (Stripe's
// name). private is whether the answer is writePrivateJSON's.
func answerOnce(w http.ResponseWriter, r *http.Request, st *store.Store, req idempotency.Request, private bool,
	effect func(tx *store.Store) (idempotency.Answer, error)) error {
	a, replayed, err := st.Once(r.Context(), req, effect)
	if err != nil {
		return err
	}
	writeAnswer(w, a, replayed, private)
	return nil
}

var replayedTrue = []string{"true"}

// writeAnswer writes a, an answer given under an Idempotency-Key, with the
// headers its endpoint always sends.
func writeAnswer(w http.ResponseWriter, a idempotency.Answer, replayed, private bool) {
	if private {
		w.Header()["Cache-Control"] = noStore
	}
	if replayed {
		w.Header()["Idempotent-Replayed"] = replayedTrue
	}
	writeJSONBytes(w, a.Status, a.Body)
}
