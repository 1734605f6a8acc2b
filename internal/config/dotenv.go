package config

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"regexp"
	"slices"
	"strings"

	"github.com/joho/godotenv"
)

// Names are the variables Chirpy's server reads (and PG_BIN, which make run
// and the tests read).
var Names = []string{
	"DB_URL", "JWT_SECRET", "PLATFORM", "POLKA_KEY", "POLKA_WEBHOOK_SECRET", "PORT", "HOST",
	"DB_MAX_CONNS", "DB_PREPARED_STATEMENTS", "MAX_CONNECTIONS", "MAX_CONNECTIONS_PER_CLIENT", "TRUSTED_PROXIES", "LOGIN_LIMIT_PER_CLIENT",
	"LOG_FORMAT", "LOG_LEVEL", "METRICS_ADDR", "REQUEST_TIMEOUT", "WEBHOOK_TIMEOUT", "READ_HEADER_TIMEOUT",
	"PASSWORD_HASH_COST", "PG_BIN",
}

var assignment = regexp.MustCompile(`^(export[ \t]+)?([A-Za-z_][A-Za-z0-9_]*)[ \t]*=[ \t]*(.*)$`)

// A dotenv file is read in two steps. scanDotenv keeps its NAME=value
// statements (a quoted value may go on over lines) and says what else is
// there; godotenv then reads the values of what was kept. A line that is not
// NAME=value is most often the rest of a secret pasted over two lines, so no
// message ever quotes a line of the file, or a name Chirpy does not read:
// they are named by their line number.
type dotenv struct {
	statements []statement
	warnings   []string
}

type statement struct {
	line int    // where it starts, from 1
	name string // a name of Chirpy's, or "" if it is not one
	text string // NAME=value, over several lines when its value is quoted so
}

// splitHint is the advice of a warning about a line that may be a value's rest.
const splitHint = "a value split over two lines? (generate a secret on one line: openssl rand -hex 32)"

func scanDotenv(r io.Reader, file string) (dotenv, error) {
	var d dotenv
	sc := bufio.NewScanner(r)
	var open *statement // a statement whose quoted value goes on
	var quote byte
	n := 0
	for sc.Scan() {
		n++
		raw := strings.TrimSuffix(sc.Text(), "\r")
		if open != nil {
			if end := closingQuote(raw, quote, 0); end >= 0 {
				open.text += "\n" + raw[:end+1]
				d.trailing(file, n, raw[end+1:])
				d.statements = append(d.statements, *open)
				open = nil
			} else {
				open.text += "\n" + raw
			}
			continue
		}
		line := strings.TrimLeft(raw, " \t")
		if strings.TrimSpace(line) == "" || strings.HasPrefix(line, "#") {
			continue
		}
		m := assignment.FindStringSubmatch(line)
		if m == nil {
			d.warn("%s, line %d, is not NAME=value and is ignored: %s", file, n, splitHint)
			continue
		}
		st := statement{line: n, text: line}
		if slices.Contains(Names, m[2]) {
			st.name = m[2]
		} else {
			d.warn("%s, line %d, names no setting of Chirpy's: a typo, or %s", file, n, splitHint)
		}
		value := m[3]
		if value == "" || (value[0] != '"' && value[0] != '\'') {
			d.statements = append(d.statements, st)
			continue
		}
		quote = value[0]
		start := len(line) - len(value)
		// end > 0 would do as well: the quote is searched for after NAME=.
		if end := closingQuote(line, quote, start+1); end >= 0 {
			st.text = line[:end+1]
			d.trailing(file, n, line[end+1:])
			d.statements = append(d.statements, st)
			continue
		}
		open = &st
	}
	if err := sc.Err(); err != nil {
		return d, fmt.Errorf("read %s: after line %d: %w", file, n, err)
	}
	if open != nil {
		return d, fmt.Errorf("%s, line %d: the quoted value%s is never closed", file, open.line, of(open.name))
	}
	return d, nil
}

// closingQuote is the index in s, from from on, of the quote that ends a
// value (one not escaped with a backslash, as godotenv reads it), or -1.
func closingQuote(s string, quote byte, from int) int {
	for i := from; i < len(s); i++ {
		if s[i] == quote && (i == 0 || s[i-1] != '\\') {
			return i
		}
	}
	return -1
}

// trailing warns about what follows a closing quote other than a comment.
func (d *dotenv) trailing(file string, n int, rest string) {
	if rest = strings.TrimSpace(rest); rest != "" && !strings.HasPrefix(rest, "#") {
		d.warn("%s, line %d: what follows the closing quote is ignored", file, n)
	}
}

func (d *dotenv) warn(format string, args ...any) {
	d.warnings = append(d.warnings, fmt.Sprintf(format, args...))
}

// values reads the values of the statements kept. godotenv's own errors quote
// the file, so they are never passed on.
func (d dotenv) values(file string) (map[string]string, error) {
	texts := make([]string, len(d.statements))
	for i, st := range d.statements {
		texts[i] = st.text
	}
	vars, err := godotenv.Unmarshal(strings.Join(texts, "\n"))
	if err == nil {
		return vars, nil
	}
	for _, st := range d.statements {
		if _, err := godotenv.Unmarshal(st.text); err != nil {
			return nil, fmt.Errorf("%s, line %d: the value%s cannot be read", file, st.line, of(st.name))
		}
	}
	return nil, fmt.Errorf("%s cannot be read as NAME=value lines", file)
}

func of(name string) string {
	if name == "" {
		return ""
	}
	return " of " + name
}

// DotenvWarnings reads the dotenv file name in fsys and says what in it is
// probably a mistake: a line that is not NAME=value (a secret pasted over
// two lines, say), which is ignored, or a name Chirpy does not read (a typo).
// Each is named by its line number, never by its text. A missing file, or
// one Load refuses, has none.
func DotenvWarnings(fsys fs.FS, name string) []string {
	f, err := fsys.Open(name)
	if err != nil {
		return nil
	}
	defer func() { _ = f.Close() }() // only read
	d, err := scanDotenv(f, name)
	if err != nil {
		return nil
	}
	return d.warnings
}

// WithDotenv returns a lookup that falls back to the variables of the dotenv
// file name in dotenv for anything lookupEnv does not have. A missing file is
// not an error, nor is a line that is not NAME=value (DotenvWarnings names
// it); a quoted value never closed is.
func WithDotenv(lookupEnv LookupFunc, dotenv fs.FS, name string) (LookupFunc, error) {
	if dotenv == nil {
		return lookupEnv, nil
	}
	f, err := dotenv.Open(name)
	if errors.Is(err, fs.ErrNotExist) {
		return lookupEnv, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", name, err)
	}
	defer func() { _ = f.Close() }() // only read
	d, err := scanDotenv(f, name)
	if err != nil {
		return nil, err
	}
	vars, err := d.values(name)
	if err != nil {
		return nil, err
	}
	return func(key string) (string, bool) {
		if v, ok := lookupEnv(key); ok {
			return v, true
		}
		v, ok := vars[key]
		return v, ok
	}, nil
}
