package server

import (
	"embed"
	"io/fs"
	"net/http"
)

// siteFiles is the static site served under /app/, embedded so the binary runs
// from any directory.
//
//go:embed site
var siteFiles embed.FS

func handleSite() http.Handler {
	site, err := fs.Sub(siteFiles, "site")
	if err != nil {
		panic(err) // the directory is embedded above; this cannot fail
	}
	return http.FileServerFS(site)
}
