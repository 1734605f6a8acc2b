package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/pb33f/libopenapi"
	validator "github.com/pb33f/libopenapi-validator"
	"github.com/pb33f/libopenapi-validator/config"
	verrors "github.com/pb33f/libopenapi-validator/errors"

	"chirpy/internal/server"
)

// The OpenAPI document holds the end-to-end tests to the contract it writes
// down, and the server to the document: every request the harness sends and
// every response it gets is validated against it (libopenapi-validator,
// which reads OpenAPI 3.1 natively and checks formats, headers, security
// schemes and non-JSON bodies too). A response must always match the
// document; a request the document calls invalid (the tests send many on
// purpose) must get a 4xx.
var (
	contractOnce sync.Once
	contract     validator.Validator
	contractErr  error
	contractMu   sync.Mutex // the validator is not documented as safe for concurrent use
)

func openAPIValidator(t *testing.T) validator.Validator {
	t.Helper()
	contractOnce.Do(func() {
		doc, err := libopenapi.NewDocument(server.OpenAPI())
		if err != nil {
			contractErr = err
			return
		}
		v, errs := validator.NewValidator(doc, config.WithFormatAssertions(), config.WithStandardBodyDecoders())
		if len(errs) > 0 {
			contractErr = fmt.Errorf("%v", errs)
			return
		}
		if ok, errs := v.ValidateDocument(); !ok {
			contractErr = fmt.Errorf("the OpenAPI document is not valid OpenAPI 3.1: %s", describe(errs))
			return
		}
		contract = v
	})
	if contractErr != nil {
		t.Fatal(contractErr)
	}
	return contract
}

// checkExchange validates one request (with its body) and the response it got.
func checkExchange(t *testing.T, req *http.Request, reqBody []byte, res *http.Response, resBody []byte) {
	t.Helper()
	v := openAPIValidator(t)
	copyReq := req.Clone(req.Context())
	copyReq.Body = io.NopCloser(bytes.NewReader(reqBody))
	copyRes := *res
	copyRes.Body = io.NopCloser(bytes.NewReader(resBody))
	contractMu.Lock()
	reqOK, reqErrs := v.ValidateHttpRequest(copyReq)
	copyReq.Body = io.NopCloser(bytes.NewReader(reqBody))
	resOK, resErrs := v.ValidateHttpResponse(copyReq, &copyRes)
	contractMu.Unlock()
	what := fmt.Sprintf("%s %s -> %d", req.Method, req.URL.RequestURI(), res.StatusCode)
	switch {
	case res.StatusCode == http.StatusRequestHeaderFieldsTooLarge:
		// net/http's own answer, before any route: the README says so.
		return
	case !reqOK && slices.ContainsFunc(reqErrs, func(e *verrors.ValidationError) bool { return e.ValidationType == "path" }):
		// No such path, or not with this method: the API's conventions
		// (§1) say 404 or 405, with a JSON error.
		if (res.StatusCode != http.StatusNotFound && res.StatusCode != http.StatusMethodNotAllowed) ||
			res.Header.Get("Content-Type") != "application/json" || !json.Valid(resBody) {
			t.Errorf("%s: a request the OpenAPI document has no operation for (%s) got no JSON 404 or 405", what, describe(reqErrs))
		}
		return
	}
	if !resOK {
		t.Errorf("%s: the response does not match the OpenAPI document: %s\nbody: %.300s", what, describe(resErrs), resBody)
	}
	if !reqOK && (res.StatusCode < 400 || res.StatusCode >= 500) {
		t.Errorf("%s: the OpenAPI document calls the request invalid (%s), but the server did not refuse it with a 4xx", what, describe(reqErrs))
	}
}

func describe(errs []*verrors.ValidationError) string {
	var b strings.Builder
	for i, e := range errs {
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString(e.Message)
		if e.Reason != "" {
			b.WriteString(": " + e.Reason)
		}
		for _, s := range e.SchemaValidationErrors {
			fmt.Fprintf(&b, " [%s: %s]", s.FieldPath, s.Reason)
		}
	}
	return b.String()
}

// The document is served as it is embedded, and describes every route the
// server has, no more: routes and document cannot drift apart.
func TestOpenAPIDocument(t *testing.T) {
	t.Parallel()
	s := startServer(t, nil)
	r := s.req(t, "GET", "/api/openapi.json", nil).expect(t, http.StatusOK)
	if !bytes.Equal(r.Body, server.OpenAPI()) || r.Header.Get("Content-Type") != "application/json" {
		t.Fatalf("GET /api/openapi.json: %s, %d bytes, not the document", r.Header.Get("Content-Type"), len(r.Body))
	}
	doc, err := libopenapi.NewDocument(server.OpenAPI())
	if err != nil {
		t.Fatal(err)
	}
	model, err := doc.BuildV3Model()
	if err != nil {
		t.Fatal(err)
	}
	if v := model.Model.Version; v != "3.1.0" {
		t.Errorf("openapi %q, want 3.1.0", v)
	}
	documented := map[string]bool{}
	for path, item := range model.Model.Paths.PathItems.FromOldest() {
		for method := range item.GetOperations().FromOldest() {
			documented[strings.ToUpper(method)+" "+path] = true
		}
	}
	routes := server.Routes()
	for _, route := range routes {
		if !documented[route] {
			t.Errorf("route %q is not in the OpenAPI document", route)
		}
		delete(documented, route)
	}
	for op := range documented {
		// The static site's files are one route of the mux.
		if !strings.HasPrefix(op, "GET /app") {
			t.Errorf("the OpenAPI document describes %q, which is no route", op)
		}
	}
	if len(routes) < 15 {
		t.Fatalf("only %d routes: %v", len(routes), routes)
	}
}
