package main

import (
	"fmt"
	"io"
	"strings"
	"time"
)

var header = []string{"scenario", "req/s", "p50", "p99", "errors", "pgbench tps", "ratio", "server peak RSS", "server CPU/req", "note"}

func (r row) cells() []string {
	dash := func(ok bool, s string) string {
		if !ok {
			return "—"
		}
		return s
	}
	return []string{
		r.Scenario,
		dash(r.Rate > 0, fmt.Sprintf("%.0f", r.Rate)),
		fmtDuration(r.P50),
		fmtDuration(r.P99),
		fmt.Sprintf("%d / %d", r.Errors, r.Requests+r.Errors),
		dash(r.Ceiling > 0, fmt.Sprintf("%.0f", r.Ceiling)),
		dash(r.Ceiling > 0, fmt.Sprintf("%.2f", r.ratio())),
		dash(r.PeakRSS > 0, fmt.Sprintf("%.1f MiB", float64(r.PeakRSS)/(1<<20))),
		fmtDuration(r.CPUPerRequest),
		r.Note,
	}
}

func fmtDuration(d time.Duration) string {
	switch {
	case d == 0:
		return "—"
	case d < time.Millisecond:
		return fmt.Sprintf("%.0f µs", float64(d)/float64(time.Microsecond))
	case d < time.Second:
		return fmt.Sprintf("%.1f ms", float64(d)/float64(time.Millisecond))
	default:
		return fmt.Sprintf("%.2f s", d.Seconds())
	}
}

// writeText prints the rows as an aligned table.
func writeText(w io.Writer, rows []row) {
	table := [][]string{header}
	for _, r := range rows {
		table = append(table, r.cells())
	}
	widths := make([]int, len(header))
	for _, line := range table {
		for i, c := range line {
			widths[i] = max(widths[i], len([]rune(c)))
		}
	}
	for n, line := range table {
		for i, c := range line {
			pad := widths[i] - len([]rune(c))
			if i == 0 || i == len(line)-1 {
				fmt.Fprint(w, c+strings.Repeat(" ", pad))
			} else {
				fmt.Fprint(w, strings.Repeat(" ", pad)+c)
			}
			if i < len(line)-1 {
				fmt.Fprint(w, "  ")
			}
		}
		fmt.Fprintln(w)
		if n == 0 {
			total := len(widths)*2 - 2
			for _, wd := range widths {
				total += wd
			}
			fmt.Fprintln(w, strings.Repeat("-", total))
		}
	}
}

// writeMarkdown writes the rows as a Markdown table, preceded by what they
// were measured on.
func writeMarkdown(w io.Writer, env string, rows []row) {
	fmt.Fprintf(w, "%s\n\n", env)
	fmt.Fprintf(w, "| %s |\n", strings.Join(header, " | "))
	fmt.Fprintf(w, "|%s\n", strings.Repeat("---|", len(header)))
	for _, r := range rows {
		cells := r.cells()
		for i := range cells {
			cells[i] = strings.ReplaceAll(cells[i], "|", `\|`)
		}
		fmt.Fprintf(w, "| %s |\n", strings.Join(cells, " | "))
	}
}
