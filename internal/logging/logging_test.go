package logging

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"strings"
	"testing"
	"time"
)

func TestParse(t *testing.T) {
	for in, want := range map[string]string{"": FormatJSON, "json": FormatJSON, "JSON": FormatJSON, "text": FormatText, "Text": FormatText} {
		if got, err := ParseFormat(in); err != nil || got != want {
			t.Errorf("ParseFormat(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, bad := range []string{"logfmt", " text", "jsonl"} {
		if _, err := ParseFormat(bad); err == nil || !strings.Contains(err.Error(), "LOG_FORMAT") {
			t.Errorf("ParseFormat(%q) = %v, want an error naming LOG_FORMAT", bad, err)
		}
	}
	for in, want := range map[string]slog.Level{"": slog.LevelInfo, "debug": slog.LevelDebug, "INFO": slog.LevelInfo, "warn": slog.LevelWarn, "error": slog.LevelError} {
		if got, err := ParseLevel(in); err != nil || got != want {
			t.Errorf("ParseLevel(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, bad := range []string{"verbose", "info+2", "warning-1", "7"} {
		if _, err := ParseLevel(bad); err == nil || !strings.Contains(err.Error(), "LOG_LEVEL") {
			t.Errorf("ParseLevel(%q) = %v, want an error naming LOG_LEVEL", bad, err)
		}
	}
}

func TestNew(t *testing.T) {
	var out bytes.Buffer
	New(&out, FormatJSON, slog.LevelWarn).Info("hidden")
	New(&out, FormatJSON, slog.LevelWarn).Warn("shown", "n", 1)
	var line map[string]any
	if err := json.Unmarshal(out.Bytes(), &line); err != nil || line["msg"] != "shown" || line["n"] != 1.0 {
		t.Fatalf("JSON logger wrote %q (%v)", out.String(), err)
	}
	out.Reset()
	New(&out, FormatText, slog.LevelInfo).Info("shown", "n", 1)
	if !strings.Contains(out.String(), "level=INFO msg=shown n=1") {
		t.Fatalf("text logger wrote %q", out.String())
	}
}

// A duration reads as one in either format, in a group too: never a number
// of nanoseconds.
func TestDurations(t *testing.T) {
	for _, format := range []string{FormatJSON, FormatText} {
		var out bytes.Buffer
		New(&out, format, slog.LevelInfo).Info("line", slog.Duration("duration", 1234*time.Microsecond),
			"timeout", 30*time.Second, slog.Group("g", "d", 72*time.Hour), "n", 1500)
		var want []string
		if format == FormatJSON {
			want = []string{`"duration":"1.234ms"`, `"timeout":"30s"`, `"g":{"d":"72h0m0s"}`, `"n":1500`}
		} else {
			want = []string{"duration=1.234ms", "timeout=30s", "g.d=72h0m0s", "n=1500"}
		}
		for _, w := range want {
			if !strings.Contains(out.String(), w) {
				t.Errorf("%s logger wrote %q, want %s", format, out.String(), w)
			}
		}
	}
}
