package server

import (
	"embed"
	"io/fs"
	"net/http"
)

// siteFiles is the static site served under /app/ (the web client: plain
// HTML, CSS and JavaScript), embedded so the binary runs from any directory.
//
//go:embed site
var siteFiles embed.FS

// siteCSP is the Content-Security-Policy of every response under /app/: the
// page's scripts, styles and images come from its own origin only, it speaks
// only to its own origin, and nothing inline or eval'd runs. Chirp text is
// inserted as text anyway; this is the second wall.
const siteCSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; " +
	"connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

func handleSite() http.Handler {
	site, err := fs.Sub(siteFiles, "site")
	if err != nil {
		panic(err) // the directory is embedded above; this cannot fail
	}
	files := http.FileServerFS(site)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// Before the file server answers, so that its 404s carry it too.
		w.Header().Set("Content-Security-Policy", siteCSP)
		files.ServeHTTP(w, r)
	})
}
