package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/google/uuid"

	"chirpy/internal/config"
	"chirpy/internal/polka"
)

const polkaUsage = `Usage: chirpy polka send --user <uuid> [flags]

Delivers one webhook to a Chirpy server the way Polka does: the same webhook-id
on every attempt, retried with exponential backoff until it gets a 2xx.
--key and --secret default to POLKA_KEY (its first key) and POLKA_WEBHOOK_SECRET
from the environment or .env.

Flags:
`

// runPolka runs "chirpy polka ...".
func runPolka(ctx context.Context, args []string, lookupEnv config.LookupFunc, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "send" {
		fmt.Fprint(stderr, polkaUsage)
		return errors.New(`the only polka command is "send"`)
	}
	env, err := config.WithDotenv(lookupEnv, os.DirFS("."), ".env")
	if err != nil {
		return err
	}
	lookup := func(k string) string { v, _ := env(k); return v }
	defaultKey, _, _ := strings.Cut(lookup("POLKA_KEY"), ",")

	fs := flag.NewFlagSet("chirpy polka send", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, polkaUsage); fs.PrintDefaults() }
	var d polka.Outgoing
	fs.StringVar(&d.UserID, "user", "", "the user's id (required)")
	fs.StringVar(&d.Event, "event", polka.EventUserUpgraded, "the event")
	fs.StringVar(&d.URL, "url", "http://localhost:8080", "the server's base URL")
	fs.StringVar(&d.Key, "key", strings.TrimSpace(defaultKey), "Polka's API key")
	fs.StringVar(&d.Secret, "secret", lookup("POLKA_WEBHOOK_SECRET"), "signing secret (whsec_...); empty sends unsigned")
	fs.StringVar(&d.ID, "id", "", "webhook-id (default: a new one)")
	fs.IntVar(&d.Attempts, "attempts", 6, "attempts at most")
	fs.DurationVar(&d.Backoff, "backoff", time.Second, "delay after the first failure, doubled after each further one")
	fs.DurationVar(&d.MaxBackoff, "max-backoff", time.Minute, "longest delay between attempts")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	if _, err := uuid.Parse(d.UserID); err != nil && d.Event == polka.EventUserUpgraded {
		return errors.New("--user must be a user's id (a UUID)")
	}
	return polka.Send(ctx, d, stdout)
}
