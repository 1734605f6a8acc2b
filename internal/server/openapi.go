package server

import (
	_ "embed"
	"net/http"
	"strconv"
)

// openAPIDocument describes the whole API in OpenAPI 3.1. The end-to-end
// tests validate every request they make and every response they get
// against it, so the document and the server cannot drift apart.
//
//go:embed openapi.json
var openAPIDocument []byte

// OpenAPI returns the API's OpenAPI 3.1 document.
func OpenAPI() []byte { return openAPIDocument }

func handleOpenAPI(w http.ResponseWriter, r *http.Request) {
	w.Header()["Content-Type"] = jsonContentType
	w.Header().Set("Content-Length", strconv.Itoa(len(openAPIDocument)))
	w.Write(openAPIDocument)
}
