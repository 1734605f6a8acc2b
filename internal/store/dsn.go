package store

import (
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strings"
)

// connString turns DB_URL into the key=value connection string lib/pq takes,
// with the settings Chirpy relies on:
//
//   - The URL form may name several hosts, each with its port, as libpq
//     allows (postgres://u@h1:5432,h2:5433/chirpy?target_session_attrs=read-write);
//     lib/pq's own URL parser takes "h1:5432" for a host name, so the URL is
//     converted here. The key=value form passes as it is.
//   - binary_parameters=yes, unless set: lib/pq then sends a query with
//     arguments as one message (Parse, Bind, Execute, one Sync) instead of two
//     round trips, which behind PgBouncer's transaction pooling is also what
//     keeps both halves on one server connection.
//   - connect_timeout=5, unless set: it bounds each host of a list, so a
//     host that accepts connections but never answers costs seconds, not the
//     lifetime of a socket.
func connString(dbURL string) (string, error) {
	kv, err := urlToKeyValue(dbURL)
	if err != nil {
		return "", err
	}
	for _, d := range [...]struct{ key, value string }{
		{"binary_parameters", "yes"},
		{"connect_timeout", "5"},
	} {
		if !hasKey(kv, d.key) {
			kv += " " + d.key + "=" + d.value
		}
	}
	return strings.TrimSpace(kv), nil
}

// hasKey reports whether the key=value string kv sets key. (A quoted value
// holding " key=" would count too; that costs only a default not added.)
func hasKey(kv, key string) bool {
	return regexp.MustCompile(`(^|\s)` + regexp.QuoteMeta(key) + `\s*=`).MatchString(kv)
}

// urlToKeyValue returns s as key=value settings; s unchanged unless it is a
// postgres:// or postgresql:// URL.
func urlToKeyValue(s string) (string, error) {
	rest, ok := strings.CutPrefix(s, "postgres://")
	if !ok {
		if rest, ok = strings.CutPrefix(s, "postgresql://"); !ok {
			return s, nil
		}
	}
	var kv []string
	add := func(k, v string) { kv = append(kv, k+"="+quoteValue(v)) }

	// Errors never quote the URL's parts: a password with an unescaped / or ?
	// would end up in the host's place, and in the message.
	rest, _, _ = strings.Cut(rest, "#")
	// The authority ends at the first / or ?; the user information at the
	// last @ (so that an unescaped @ in a password still works).
	authority, tail := rest, ""
	if i := strings.IndexAny(rest, "/?"); i >= 0 {
		authority, tail = rest[:i], rest[i:]
	}
	hostList := authority
	if i := strings.LastIndex(authority, "@"); i >= 0 {
		user, password, hasPassword := strings.Cut(authority[:i], ":")
		hostList = authority[i+1:]
		u, err := url.PathUnescape(user)
		if err != nil {
			return "", errors.New("the user name has an invalid % escape")
		}
		add("user", u)
		if hasPassword {
			p, err := url.PathUnescape(password)
			if err != nil {
				return "", errors.New("password: invalid % escape")
			}
			add("password", p)
		}
	}
	if hostList != "" {
		var hosts, ports []string
		anyPort := false
		for i, hp := range strings.Split(hostList, ",") {
			host, port, err := splitHostPort(hp)
			if err != nil {
				return "", fmt.Errorf("host %d of the URL: %w (a password with / ? # @ must be percent-encoded)", i+1, err)
			}
			anyPort = anyPort || port != ""
			hosts, ports = append(hosts, host), append(ports, port)
		}
		add("host", strings.Join(hosts, ","))
		if anyPort {
			for i := range ports {
				if ports[i] == "" {
					ports[i] = "5432"
				}
			}
			add("port", strings.Join(ports, ","))
		}
	}
	path, query, _ := strings.Cut(tail, "?")
	if path != "" && path != "/" {
		name, err := url.PathUnescape(path[1:])
		if err != nil {
			return "", errors.New("the database name has an invalid % escape")
		}
		add("dbname", name)
	}
	for _, pair := range strings.Split(query, "&") {
		if pair == "" {
			continue
		}
		k, v, ok := strings.Cut(pair, "=")
		k, err := url.PathUnescape(k)
		if !ok || err != nil || k == "" || strings.ContainsAny(k, " \t\n\r\v\f='\\") {
			return "", errors.New("a query parameter of the URL is not setting=value")
		}
		if v, err = url.PathUnescape(v); err != nil {
			return "", fmt.Errorf("the value of %s has an invalid %% escape", k)
		}
		if v == "" {
			continue // as lib/pq's own parser does: an empty value is no setting
		}
		add(k, v) // a later setting wins, as in libpq
	}
	return strings.Join(kv, " "), nil
}

// splitHostPort splits "h", "h:p", "[v6]" or "[v6]:p".
func splitHostPort(s string) (host, port string, err error) {
	if rest, ok := strings.CutPrefix(s, "["); ok {
		end := strings.IndexByte(rest, ']')
		if end <= 0 {
			return "", "", errors.New("an IPv6 address needs its closing ]")
		}
		host, after := rest[:end], rest[end+1:]
		if after != "" {
			if port, ok = strings.CutPrefix(after, ":"); !ok {
				return "", "", errors.New("text after ]")
			}
		}
		if host, err = url.PathUnescape(host); err != nil { // a zone: [fe80::1%25eth0]
			return "", "", errors.New("an invalid % escape")
		}
		return host, port, checkPort(port)
	}
	if strings.Count(s, ":") > 1 {
		return "", "", errors.New("an IPv6 address goes in brackets")
	}
	host, port, _ = strings.Cut(s, ":")
	if host, err = url.PathUnescape(host); err != nil { // %2Ftmp: a socket directory
		return "", "", errors.New("an invalid % escape")
	}
	return host, port, checkPort(port)
}

func checkPort(p string) error {
	if p == "" {
		return nil
	}
	n := 0
	for _, c := range p {
		if c < '0' || c > '9' || n > 65535 {
			return errors.New("its port is not a number from 1 to 65535")
		}
		n = n*10 + int(c-'0')
	}
	if n < 1 || n > 65535 {
		return errors.New("its port is not a number from 1 to 65535")
	}
	return nil
}

// quoteValue quotes a value for lib/pq's key=value form, where a backslash
// escapes the next character.
func quoteValue(v string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(v) + "'"
}
