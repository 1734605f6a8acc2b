package polka

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Outgoing is one webhook to send, with the retry policy to send it by.
type Outgoing struct {
	// URL is the server's base URL; the webhook path is appended.
	URL    string
	Key    string // Polka's API key
	Secret string // whsec_...; empty sends unsigned deliveries
	ID     string // webhook-id, the same on every attempt; empty: a new one
	Event  string
	UserID string
	// At is when the event happened, sent as the body's timestamp, the same
	// on every attempt; zero: when Send starts.
	At time.Time
	// Attempts is how many times to try at most; Backoff is the delay after
	// the first failure, doubled after each further one.
	Attempts int
	Backoff  time.Duration
	// MaxBackoff caps a delay, including one a Retry-After asks for.
	MaxBackoff time.Duration
	Client     *http.Client
}

// WebhookPath is where Chirpy receives Polka's webhooks.
const WebhookPath = "/api/polka/webhooks"

// Send delivers d as Polka does: the same webhook-id on every attempt, freshly
// timestamped and signed each time, retried with exponential backoff after a
// non-2xx answer or a connection error, until it is acknowledged or the
// attempts run out. It reports every attempt to out.
func Send(ctx context.Context, d Outgoing, out io.Writer) error {
	if d.ID == "" {
		d.ID = "msg_" + rand.Text()
	}
	if d.Attempts < 1 {
		d.Attempts = 1
	}
	if d.Client == nil {
		d.Client = &http.Client{Timeout: 15 * time.Second}
	}
	var signer *Signer
	if d.Secret != "" {
		var err error
		if signer, err = NewSigner(d.Secret); err != nil {
			return err
		}
	}
	if d.At.IsZero() {
		d.At = time.Now()
	}
	ev := Event{Event: d.Event, Timestamp: d.At.UTC().Format(time.RFC3339Nano)}
	ev.Data.UserID = d.UserID
	body, err := json.Marshal(ev)
	if err != nil {
		return err
	}
	url := strings.TrimSuffix(d.URL, "/") + WebhookPath

	delay := d.Backoff
	for attempt := 1; ; attempt++ {
		status, retryAfter, err := deliver(ctx, d, signer, url, body)
		result := status
		if err != nil {
			result = "error: " + err.Error()
		}
		if err == nil && strings.HasPrefix(status, "2") {
			fmt.Fprintf(out, "attempt %d: %s; delivered %s\n", attempt, result, d.ID)
			return nil
		}
		if attempt == d.Attempts {
			fmt.Fprintf(out, "attempt %d: %s; giving up\n", attempt, result)
			return fmt.Errorf("webhook %s not acknowledged after %d attempts", d.ID, attempt)
		}
		wait := max(delay, retryAfter)
		if d.MaxBackoff > 0 {
			wait = min(wait, d.MaxBackoff)
		}
		fmt.Fprintf(out, "attempt %d: %s; retrying in %v\n", attempt, result, wait)
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(wait):
		}
		delay *= 2
		if d.MaxBackoff > 0 {
			delay = min(delay, d.MaxBackoff)
		}
	}
}

// deliver makes one attempt; it returns the status line, with the error the
// server gave if it refused, and any Retry-After it asked for.
func deliver(ctx context.Context, d Outgoing, signer *Signer, url string, body []byte) (string, time.Duration, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return "", 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "ApiKey "+d.Key)
	req.Header.Set(HeaderID, d.ID)
	if signer != nil {
		now := time.Now()
		req.Header.Set(HeaderTimestamp, strconv.FormatInt(now.Unix(), 10))
		req.Header.Set(HeaderSignature, signer.Sign(d.ID, now, body))
	}
	res, err := d.Client.Do(req)
	if err != nil {
		return "", 0, err
	}
	answer, _ := io.ReadAll(io.LimitReader(res.Body, 64<<10))
	res.Body.Close()
	var retryAfter time.Duration
	if s, err := strconv.Atoi(res.Header.Get("Retry-After")); err == nil && s > 0 {
		retryAfter = time.Duration(s) * time.Second
	}
	status := res.Status
	var refusal struct {
		Error string `json:"error"`
	}
	if res.StatusCode >= 300 && json.Unmarshal(answer, &refusal) == nil && refusal.Error != "" {
		status += " (" + refusal.Error + ")"
	}
	return status, retryAfter, nil
}
