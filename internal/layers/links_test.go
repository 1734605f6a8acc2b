package layers

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"unicode"
)

// The documents link to each other and into the code: README.md is the
// newcomer's five minutes, docs/ holds the rest. A link that points nowhere
// (a file moved, a heading renamed) fails here, not in a reader's browser.

// TestDocumentLinks checks every relative link and #anchor of README.md and
// docs/*.md: the file must exist, and an anchor must be the slug of a heading
// of the Markdown file it points into. Links to http(s) and mailto addresses
// are not followed.
func TestDocumentLinks(t *testing.T) {
	root := "../.." // the module's root, as go list runs from it
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		t.Fatalf("the module's root is not %s: %v", root, err)
	}
	docs, err := filepath.Glob(filepath.Join(root, "docs", "*.md"))
	if err != nil {
		t.Fatal(err)
	}
	files := append([]string{filepath.Join(root, "README.md")}, docs...)
	for _, problem := range brokenLinks(t, files) {
		t.Error(problem)
	}
}

// The checker itself must be able to fail: a missing file, a missing
// anchor, an anchor into a file that has no such heading.
func TestBrokenLinksAreFound(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return path
	}
	write("other.md", "# Other\n\n## Polka webhooks (`user.upgraded`)\n")
	doc := write("doc.md", strings.Join([]string{
		"# Doc",
		"## Run it, test it",
		"[fine](#run-it-test-it) [fine](other.md#polka-webhooks-userupgraded) [fine](other.md)",
		"[web](https://example.com/missing) `[code](missing.md)`",
		"```",
		"[in a code block](missing.md)",
		"```",
		"[gone](missing.md) [no heading](#nowhere) [no heading there](other.md#run-it-test-it)",
	}, "\n"))
	got := brokenLinks(t, []string{doc})
	want := []string{"missing.md", "#nowhere", "other.md#run-it-test-it"}
	if len(got) != len(want) {
		t.Fatalf("found %d broken links, want %d (%s):\n%s", len(got), len(want), strings.Join(want, ", "), strings.Join(got, "\n"))
	}
	for i, w := range want {
		if !strings.Contains(got[i], "("+w+")") {
			t.Errorf("problem %d is %q, want one about %s", i, got[i], w)
		}
	}
}

func TestSlug(t *testing.T) {
	for heading, want := range map[string]string{
		"Run it, test it":                     "run-it-test-it",
		"The course's CLI tests":              "the-courses-cli-tests",
		"Polka webhooks (`user.upgraded`)":    "polka-webhooks-userupgraded",
		"Metrics and logs: units":             "metrics-and-logs-units",
		"make test-all and the race detector": "make-test-all-and-the-race-detector",
		"snake_case stays":                    "snake_case-stays",
		"[Linked](other.md) heading":          "linked-heading",
		"Chirpy Red, members' perk":           "chirpy-red-members-perk",
		"Two  spaces":                         "two--spaces",
		"Ünïcode letters stay":                "ünïcode-letters-stay",
	} {
		if got := slug(heading); got != want {
			t.Errorf("slug(%q) = %q, want %q", heading, got, want)
		}
	}
}

var (
	// An inline link or image: [text](target) or [text](target "title").
	inlineLink = regexp.MustCompile(`!?\[[^\]]*\]\(\s*<?([^)\s>]*)>?(?:\s+"[^"]*")?\s*\)`)
	codeSpan   = regexp.MustCompile("`+[^`]*`+")
	atxHeading = regexp.MustCompile(`^ {0,3}#{1,6}\s+(.*?)\s*#*\s*$`)
)

// brokenLinks returns one line per link of files that points nowhere.
func brokenLinks(t *testing.T, files []string) []string {
	t.Helper()
	anchors := map[string]map[string]bool{} // Markdown file -> its headings' slugs
	headings := func(path string) map[string]bool {
		if a, ok := anchors[path]; ok {
			return a
		}
		a := map[string]bool{}
		for _, h := range markdownHeadings(t, path) {
			// GitHub numbers repeated slugs: x, x-1, x-2.
			s := slug(h)
			for n := 1; a[s]; n++ {
				s = fmt.Sprintf("%s-%d", slug(h), n)
			}
			a[s] = true
		}
		anchors[path] = a
		return a
	}
	var problems []string
	for _, file := range files {
		for _, l := range markdownLinks(t, file) {
			target := l.target
			if target == "" || strings.HasPrefix(target, "http://") || strings.HasPrefix(target, "https://") ||
				strings.HasPrefix(target, "mailto:") {
				continue
			}
			path, anchor, _ := strings.Cut(target, "#")
			dest := file
			if path != "" {
				dest = filepath.Join(filepath.Dir(file), filepath.FromSlash(path))
			}
			where := fmt.Sprintf("%s:%d: (%s)", file, l.line, target)
			if _, err := os.Stat(dest); err != nil {
				problems = append(problems, where+": no such file")
				continue
			}
			if anchor == "" {
				continue
			}
			if !strings.HasSuffix(dest, ".md") {
				problems = append(problems, where+": an anchor into a file that is not Markdown cannot be checked")
				continue
			}
			if !headings(dest)[anchor] {
				problems = append(problems, where+": no heading of "+dest+" has this anchor")
			}
		}
	}
	return problems
}

type link struct {
	line   int
	target string
}

// markdownLinks returns the inline links of a Markdown file, leaving out
// what is in code blocks and code spans. Reference-style links ([text][ref])
// are not read: the documents use none.
func markdownLinks(t *testing.T, path string) []link {
	t.Helper()
	var links []link
	eachProseLine(t, path, func(n int, line string) {
		for _, m := range inlineLink.FindAllStringSubmatch(codeSpan.ReplaceAllString(line, ""), -1) {
			links = append(links, link{n, m[1]})
		}
	})
	return links
}

// markdownHeadings returns the text of a Markdown file's ATX headings
// (# Title), outside code blocks.
func markdownHeadings(t *testing.T, path string) []string {
	t.Helper()
	var hs []string
	eachProseLine(t, path, func(_ int, line string) {
		if m := atxHeading.FindStringSubmatch(line); m != nil {
			hs = append(hs, m[1])
		}
	})
	return hs
}

// eachProseLine calls f with every line of a Markdown file that is not in a
// fenced code block, numbered from 1.
func eachProseLine(t *testing.T, path string, f func(n int, line string)) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(nil, 1<<20)
	fence := ""
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		trimmed := strings.TrimLeft(line, " ")
		if fence != "" {
			if strings.HasPrefix(trimmed, fence) {
				fence = ""
			}
			continue
		}
		if strings.HasPrefix(trimmed, "```") || strings.HasPrefix(trimmed, "~~~") {
			fence = trimmed[:3]
			continue
		}
		f(n, line)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
}

// slug is the anchor GitHub gives a heading: the text as it reads (links
// become their text), lowercased, each space a '-', every other character
// that is not a letter, a digit, '-' or '_' removed.
func slug(heading string) string {
	heading = inlineLink.ReplaceAllStringFunc(heading, func(m string) string {
		return m[strings.Index(m, "[")+1 : strings.Index(m, "]")]
	})
	var b strings.Builder
	for _, r := range strings.ToLower(heading) {
		switch {
		case r == ' ':
			b.WriteByte('-')
		case r == '-' || r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsMark(r):
			b.WriteRune(r)
		}
	}
	return b.String()
}
