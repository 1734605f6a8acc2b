package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/google/uuid"

	"chirpy/internal/config"
	"chirpy/internal/polka"
	"chirpy/internal/store"
)

const polkaUsage = `Usage:
  chirpy polka send --user <uuid> [flags]   deliver a webhook as Polka does
  chirpy polka secret                       print a new whsec_ signing secret
  chirpy polka inbox [flags]                list recent deliveries (from DB_URL)

Each command takes -h for its flags. POLKA_KEY, POLKA_WEBHOOK_SECRET, PORT and
DB_URL are read from the environment or .env.
`

// runPolka runs "chirpy polka ...".
func runPolka(ctx context.Context, args []string, lookupEnv config.LookupFunc, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, polkaUsage)
		return errors.New("polka needs a command: send, secret or inbox")
	}
	switch args[0] {
	case "-h", "-help", "--help", "help":
		fmt.Fprint(stdout, polkaUsage)
		return nil
	}
	env, err := config.WithDotenv(lookupEnv, os.DirFS("."), ".env")
	if err != nil {
		return err
	}
	lookup := func(k string) string { v, _ := env(k); return v }
	switch args[0] {
	case "send":
		return polkaSend(ctx, args[1:], lookup, stdout, stderr)
	case "secret":
		if len(args) > 1 {
			return fmt.Errorf("unexpected argument %q", args[1])
		}
		fmt.Fprintln(stdout, polka.NewSecret())
		return nil
	case "inbox":
		return polkaInbox(ctx, args[1:], lookup, stdout, stderr)
	}
	fmt.Fprint(stderr, polkaUsage)
	return fmt.Errorf("unknown polka command %q", args[0])
}

const sendUsage = `Usage: chirpy polka send --user <uuid> [flags]

Delivers one webhook to a Chirpy server the way Polka does: the same webhook-id
on every attempt, each attempt freshly timestamped (and signed, given a
secret), retried with exponential backoff after any non-2xx answer or a
connection error until it gets a 2xx or the attempts run out. The body carries
the event's time (--at), the same on every attempt.

Flags:
`

func polkaSend(ctx context.Context, args []string, lookup func(string) string, stdout, stderr io.Writer) error {
	defaultKey, _, _ := strings.Cut(lookup("POLKA_KEY"), ",")
	port := lookup("PORT")
	if port == "" {
		port = fmt.Sprint(config.DefaultPort)
	}
	fs := flag.NewFlagSet("chirpy polka send", flag.ContinueOnError)
	var d polka.Outgoing
	var at string
	fs.StringVar(&d.UserID, "user", "", "the user's id (required for "+polka.EventUserUpgraded+" and "+polka.EventUserDowngraded+")")
	fs.StringVar(&d.Event, "event", polka.EventUserUpgraded, "the event: "+polka.EventUserUpgraded+", "+polka.EventUserDowngraded+" or any other")
	fs.StringVar(&d.URL, "url", "http://localhost:"+port, "the server's base URL (default from PORT)")
	fs.StringVar(&d.Key, "key", strings.TrimSpace(defaultKey), "Polka's API key (default: the first of POLKA_KEY)")
	fs.StringVar(&d.Secret, "secret", lookup("POLKA_WEBHOOK_SECRET"), "signing secret (whsec_...; default POLKA_WEBHOOK_SECRET); empty sends unsigned")
	fs.StringVar(&d.ID, "id", "", "webhook-id (default: a new one)")
	fs.StringVar(&at, "at", "", "when the event happened, RFC 3339 (default: now)")
	fs.IntVar(&d.Attempts, "attempts", 6, "attempts at most")
	fs.DurationVar(&d.Backoff, "backoff", time.Second, "delay after the first failure, doubled after each further one")
	fs.DurationVar(&d.MaxBackoff, "max-backoff", time.Minute, "longest delay between attempts")
	if help, err := parseFlags(fs, sendUsage, args, stdout, stderr); help || err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	if _, err := uuid.Parse(d.UserID); err != nil && polka.ChangeOf(d.Event) != polka.NoChange {
		return errors.New("--user must be a user's id (a UUID)")
	}
	if at != "" {
		t, err := time.Parse(time.RFC3339Nano, at)
		if err != nil {
			return fmt.Errorf("--at must be an RFC 3339 time such as 2026-12-01T15:04:05Z: %w", err)
		}
		d.At = t
	}
	return polka.Send(ctx, d, stdout)
}

const inboxUsage = `Usage: chirpy polka inbox [flags]

Lists the webhook deliveries the server recorded (read from DB_URL), newest
first: when each was received, its webhook-id, event, user and outcome
(applied, ignored, unknown_user, stale). Deliveries refused with a 4xx or 5xx
are not recorded; the server's request log has them.

Flags:
`

func polkaInbox(ctx context.Context, args []string, lookup func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("chirpy polka inbox", flag.ContinueOnError)
	outcome := fs.String("outcome", "", "only deliveries of this outcome")
	since := &writtenDuration{d: 24 * time.Hour, text: "24h"}
	fs.Var(since, "since", "only deliveries received within this long (a `duration` such as 90m or 72h)")
	limit := fs.Int("limit", 50, "at most this many deliveries")
	if help, err := parseFlags(fs, inboxUsage, args, stdout, stderr); help || err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	f := store.InboxFilter{Since: time.Now().Add(-since.d), Limit: *limit}
	if *outcome != "" {
		o, err := polka.ParseOutcome(*outcome)
		if err != nil {
			return fmt.Errorf("--outcome: %w", err)
		}
		f.Outcome = o
	}
	if *limit < 1 || since.d <= 0 {
		return errors.New("--limit and --since must be positive")
	}
	dbURL := lookup("DB_URL")
	if dbURL == "" {
		return errors.New("DB_URL is not set: the inbox is read from the server's database (after make run: DB_URL=$(make -s db-start) chirpy polka inbox)")
	}
	prepared, err := config.ParsePreparedStatements(lookup("DB_PREPARED_STATEMENTS"))
	if err != nil {
		return err
	}
	st, err := store.Open(ctx, dbURL, store.Options{MaxConns: 1, NoPreparedStatements: !prepared})
	if err == nil {
		defer func() { _ = st.Close() }() // only read from: nothing to do about its close
		var entries []store.InboxEntry
		if entries, err = st.Inbox(ctx, f); err == nil {
			return printInbox(entries, f.Outcome, since.text, stdout, stderr)
		}
	}
	if errors.Is(err, store.ErrNoSchema) {
		return fmt.Errorf("DB_URL: %w", store.ErrNoSchema)
	}
	return fmt.Errorf("DB_URL: %w", err)
}

// parseFlags parses a command's flags. Help asked for (-h) is printed on
// stdout and is not an error; a bad flag prints the usage on stderr and is.
func parseFlags(fs *flag.FlagSet, usage string, args []string, stdout, stderr io.Writer) (help bool, err error) {
	fs.SetOutput(io.Discard) // the error itself is returned, and printed once
	err = fs.Parse(args)
	if err == nil {
		return false, nil
	}
	help = errors.Is(err, flag.ErrHelp)
	out := stderr
	if help {
		out, err = stdout, nil
	}
	fmt.Fprint(out, usage)
	fs.SetOutput(out)
	fs.PrintDefaults()
	return help, err
}

// writtenDuration is a duration flag that keeps the text it was given, so
// that a message says 72h as the user wrote it, not 72h0m0s.
type writtenDuration struct {
	d    time.Duration
	text string
}

func (w *writtenDuration) String() string { return w.text }

func (w *writtenDuration) Set(s string) error {
	d, err := time.ParseDuration(s)
	if err != nil {
		return errors.New("not a duration such as 90m or 72h")
	}
	w.d, w.text = d, s
	return nil
}

// printInbox lists entries under a header, or says on stderr that there are
// none of the outcome asked for (0: any).
func printInbox(entries []store.InboxEntry, outcome polka.Outcome, since string, stdout, stderr io.Writer) error {
	if len(entries) == 0 {
		if outcome != 0 {
			fmt.Fprintf(stderr, "no %s deliveries in the last %s\n", outcome, since)
		} else {
			fmt.Fprintf(stderr, "no deliveries received in the last %s\n", since)
		}
		return nil
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "RECEIVED\tID\tEVENT\tUSER\tOUTCOME")
	for _, e := range entries {
		user := "-"
		if e.UserID.Valid {
			user = e.UserID.UUID.String()
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", e.ReceivedAt.UTC().Format(time.RFC3339), e.ID, printable(e.Event), user, e.Outcome)
	}
	return tw.Flush()
}

// printable returns s, quoted if it holds anything that is not printable (a
// sender chooses its event names; a terminal should not run them).
func printable(s string) string {
	for _, r := range s {
		if !strconv.IsPrint(r) || r == '\t' {
			return strconv.Quote(s)
		}
	}
	return s
}
