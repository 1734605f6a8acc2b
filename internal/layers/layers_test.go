package layers

import (
	"bytes"
	"encoding/json"
	"go/parser"
	"go/token"
	"io"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

const module = "chirpy"

// allowed is what each package may import of Chirpy's own, outside its
// tests. A package missing from the table fails the test: place it.
var allowed = map[string][]string{
	// Rules, pure and table-tested.
	"chirpy/internal/auth":        nil,
	"chirpy/internal/chirp":       nil,
	"chirpy/internal/idempotency": nil,
	"chirpy/internal/jsonbody":    nil,
	"chirpy/internal/polka":       {"chirpy/internal/jsonbody"},
	// Configuration and logging.
	"chirpy/internal/logging": nil,
	"chirpy/internal/config":  {"chirpy/internal/logging"},
	// Storage: the sqlc output and the migrations are its alone.
	"chirpy/internal/database": nil,
	"chirpy/sql/schema":        nil,
	"chirpy/internal/store":    {"chirpy/internal/database", "chirpy/sql/schema", "chirpy/internal/auth", "chirpy/internal/chirp", "chirpy/internal/polka", "chirpy/internal/idempotency"},
	// HTTP.
	"chirpy/internal/connlimit": {"chirpy/internal/auth"},
	"chirpy/internal/server": {"chirpy/internal/auth", "chirpy/internal/chirp", "chirpy/internal/jsonbody",
		"chirpy/internal/polka", "chirpy/internal/idempotency", "chirpy/internal/store"},
	// The server binary wires it together.
	"chirpy/cmd/chirpy": {"chirpy/internal/auth", "chirpy/internal/config", "chirpy/internal/connlimit", "chirpy/internal/logging",
		"chirpy/internal/polka", "chirpy/internal/idempotency", "chirpy/internal/server", "chirpy/internal/store"},
	// Development tooling, never linked into the server.
	"chirpy/internal/dev/pgcluster": nil,
	"chirpy/internal/dev/pgtest":    {"chirpy/internal/dev/pgcluster", "chirpy/internal/store"},
	"chirpy/internal/dev/pgbouncer": {"chirpy/internal/dev/pgcluster"},
	"chirpy/internal/dev/haproxy":   nil,
	"chirpy/cmd/chirpy-dev":         {"chirpy/internal/config", "chirpy/internal/dev/pgcluster"},
	"chirpy/cmd/chirpy-bench":       {"chirpy/internal/auth", "chirpy/internal/dev/pgcluster", "chirpy/internal/dev/pgbouncer"},
	"chirpy/internal/layers":        nil,
}

// sqlSpeakers may import the database packages; of the packages linked into
// the server, only the store.
var sqlSpeakers = []string{
	"chirpy/internal/store",
	"chirpy/internal/database", // the sqlc output, which only the store imports
	"chirpy/internal/dev/pgcluster", "chirpy/internal/dev/pgtest", "chirpy/internal/dev/pgbouncer",
	"chirpy/cmd/chirpy-dev", "chirpy/cmd/chirpy-bench",
}

// isSQL reports whether path speaks SQL. database/sql/driver alone does not:
// it is interfaces (uuid implements them).
func isSQL(path string) bool {
	return path == "database/sql" || path == "chirpy/internal/database" ||
		path == "github.com/lib/pq" || strings.HasPrefix(path, "github.com/lib/pq/")
}

// metricsSpeakers may import the metrics library (Prometheus): the HTTP
// package, and the binary that serves the metrics. Rules, storage and
// mechanisms keep counts that these read.
var metricsSpeakers = []string{"chirpy/internal/server", "chirpy/cmd/chirpy"}

func isMetrics(path string) bool { return strings.HasPrefix(path, "github.com/prometheus/") }

type pkg struct {
	Dir            string
	ImportPath     string
	Imports        []string
	IgnoredGoFiles []string // left out by build constraints: their imports count too
}

// imports returns what p imports in any of its files, whatever the build
// constraints, tests aside.
func (p pkg) imports(t *testing.T) []string {
	t.Helper()
	all := slices.Clone(p.Imports)
	for _, name := range p.IgnoredGoFiles {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(token.NewFileSet(), filepath.Join(p.Dir, name), nil, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		for _, spec := range f.Imports {
			path, _ := strconv.Unquote(spec.Path.Value)
			all = append(all, path)
		}
	}
	return all
}

// list runs go list -json on patterns from the module's root.
func list(t *testing.T, args ...string) []pkg {
	t.Helper()
	cmd := exec.Command("go", append([]string{"list", "-json"}, args...)...)
	cmd.Dir = "../.."
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list %v: %v\n%s", args, err, stderr.String())
	}
	var pkgs []pkg
	dec := json.NewDecoder(bytes.NewReader(out))
	for {
		var p pkg
		if err := dec.Decode(&p); err == io.EOF {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		pkgs = append(pkgs, p)
	}
	if len(pkgs) == 0 {
		t.Fatalf("go list %v listed nothing", args)
	}
	return pkgs
}

func TestImportRules(t *testing.T) {
	for _, p := range list(t, "./...") {
		allow, known := allowed[p.ImportPath]
		if !known {
			t.Errorf("%s is not in the table of layers_test.go: say what it may import", p.ImportPath)
			continue
		}
		for _, imp := range p.imports(t) {
			if strings.HasPrefix(imp, module+"/") && !slices.Contains(allow, imp) {
				t.Errorf("%s imports %s, which its layer may not", p.ImportPath, imp)
			}
			if isSQL(imp) && !slices.Contains(sqlSpeakers, p.ImportPath) {
				t.Errorf("%s imports %s: only the store speaks SQL", p.ImportPath, imp)
			}
			if isMetrics(imp) && !slices.Contains(metricsSpeakers, p.ImportPath) {
				t.Errorf("%s imports %s: only the HTTP package and the server binary speak to Prometheus", p.ImportPath, imp)
			}
		}
	}
}

// The server binary links no development tooling nor test packages, and of
// Chirpy's packages only the store reaches the database, directly or through
// any other package (a wrapper of database/sql, say).
func TestServerBinaryLinks(t *testing.T) {
	bin := list(t, "-deps", "./cmd/chirpy")
	graph := map[string][]string{}
	var deps []string
	for _, p := range bin {
		deps = append(deps, p.ImportPath)
		graph[p.ImportPath] = p.imports(t)
		if strings.HasPrefix(p.ImportPath, module+"/internal/dev/") {
			t.Errorf("the server binary links development tooling: %s", p.ImportPath)
		}
		if p.ImportPath == "testing" || strings.HasPrefix(p.ImportPath, "testing/") || p.ImportPath == "net/http/httptest" {
			t.Errorf("the server binary links %s", p.ImportPath)
		}
	}
	for _, p := range bin {
		if !strings.HasPrefix(p.ImportPath, module+"/") || slices.Contains(sqlSpeakers, p.ImportPath) {
			continue
		}
		if path := reachesSQL(graph, p.ImportPath); path != nil {
			t.Errorf("%s reaches the database outside the store: %s", p.ImportPath, strings.Join(path, " -> "))
		}
	}
	// The rule has something to hold: the store and the HTTP package are in.
	for _, want := range []string{"chirpy/internal/store", "chirpy/internal/server", "github.com/lib/pq"} {
		if !slices.Contains(deps, want) {
			t.Errorf("the server binary does not link %s; is the test looking at the right package?", want)
		}
	}
}

// reachesSQL returns a chain of imports from start to a database package
// that does not pass through the store, or nil.
func reachesSQL(graph map[string][]string, start string) []string {
	from := map[string]string{start: ""}
	queue := []string{start}
	for len(queue) > 0 {
		p := queue[0]
		queue = queue[1:]
		if isSQL(p) {
			var path []string
			for ; p != ""; p = from[p] {
				path = append([]string{p}, path...)
			}
			return path
		}
		for _, next := range graph[p] {
			if _, seen := from[next]; seen || slices.Contains(sqlSpeakers, next) {
				continue
			}
			from[next] = p
			queue = append(queue, next)
		}
	}
	return nil
}
