// Package logging makes the server's logger: JSON lines (the default, what a
// log collector under a supervisor expects) or text lines, at a level, each
// written as it is logged, so that a crash loses none.
package logging

import (
	"fmt"
	"io"
	"log/slog"
	"strings"
)

// Formats of log lines.
const (
	FormatJSON = "json"
	FormatText = "text"
)

// ParseFormat checks a LOG_FORMAT value, in any case; empty means FormatJSON.
func ParseFormat(s string) (string, error) {
	switch strings.ToLower(s) {
	case "", FormatJSON:
		return FormatJSON, nil
	case FormatText:
		return FormatText, nil
	}
	return "", fmt.Errorf("LOG_FORMAT=%q is not json or text", s)
}

// ParseLevel checks a LOG_LEVEL value (debug, info, warn, error, in any
// case); empty means info.
func ParseLevel(s string) (slog.Level, error) {
	var l slog.Level
	if s == "" {
		return slog.LevelInfo, nil
	}
	if err := l.UnmarshalText([]byte(s)); err != nil || strings.ContainsAny(s, "+-") {
		return 0, fmt.Errorf("LOG_LEVEL=%q is not debug, info, warn or error", s)
	}
	return l, nil
}

// New returns a logger writing lines of format (FormatJSON or FormatText) at
// level and above to w. A time.Duration is written as Go writes it ("1.5ms",
// "5m0s") in either format, not as a number of nanoseconds.
func New(w io.Writer, format string, level slog.Level) *slog.Logger {
	opts := &slog.HandlerOptions{Level: level, ReplaceAttr: durationString}
	if format == FormatText {
		return slog.New(slog.NewTextHandler(w, opts))
	}
	return slog.New(slog.NewJSONHandler(w, opts))
}

func durationString(_ []string, a slog.Attr) slog.Attr {
	if a.Value.Kind() == slog.KindDuration {
		a.Value = slog.StringValue(a.Value.Duration().String())
	}
	return a
}
