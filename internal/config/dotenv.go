package config

import (
	"bufio"
	"fmt"
	"io/fs"
	"regexp"
	"slices"
	"strings"
)

// Names are the variables Chirpy's server reads (and PG_BIN, which make run
// and the tests read).
var Names = []string{
	"DB_URL", "JWT_SECRET", "PLATFORM", "POLKA_KEY", "POLKA_WEBHOOK_SECRET", "PORT", "HOST",
	"DB_MAX_CONNS", "DB_PREPARED_STATEMENTS", "MAX_CONNECTIONS", "MAX_CONNECTIONS_PER_CLIENT", "TRUSTED_PROXIES", "LOGIN_LIMIT_PER_CLIENT",
	"LOG_FORMAT", "LOG_LEVEL", "METRICS_ADDR", "REQUEST_TIMEOUT", "WEBHOOK_TIMEOUT", "READ_HEADER_TIMEOUT",
	"PASSWORD_HASH_COST", "PG_BIN",
}

var assignment = regexp.MustCompile(`^(export[ \t]+)?([A-Za-z_][A-Za-z0-9_]*)[ \t]*=(.*)$`)

// DotenvWarnings reads the dotenv file name in fsys and says what in it is
// probably a mistake: a line that is not NAME=value (a secret pasted over
// two lines, say: the second becomes a variable of its own), or a name
// Chirpy does not read (a typo). A missing file has none.
func DotenvWarnings(fsys fs.FS, name string) []string {
	f, err := fsys.Open(name)
	if err != nil {
		return nil
	}
	defer func() { _ = f.Close() }() // only read
	var warnings []string
	sc := bufio.NewScanner(f)
	inQuote := false // inside a double-quoted value that goes on
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if inQuote {
			inQuote = strings.Count(line, `"`)%2 == 0
			continue
		}
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		m := assignment.FindStringSubmatch(line)
		if m == nil {
			warnings = append(warnings, fmt.Sprintf("%s, line %d, is not NAME=value: a value split over two lines? (write a secret on one line: openssl rand -base64 64 | tr -d '\\n')", name, n))
			continue
		}
		if !slices.Contains(Names, m[2]) {
			warnings = append(warnings, fmt.Sprintf("%s, line %d: %s is not a setting of Chirpy's (a typo, or the rest of a value split over two lines?)", name, n, m[2]))
		}
		value := strings.TrimSpace(m[3])
		inQuote = strings.HasPrefix(value, `"`) && strings.Count(value, `"`)%2 == 1
	}
	return warnings
}
