# Chirpy: `make run` serves the API on http://127.0.0.1:8080 (PORT, HOST), `make test` runs every test
# against a real PostgreSQL. See README.md.

GO ?= go

.PHONY: help run test test-race build generate check check-generated check-layers lint fuzz bench bench-smoke db-start db-stop clean

## help: list the targets
help:
	@grep -E '^## ' $(MAKEFILE_LIST) | sed -e 's/^## /  /'

## run: serve on http://127.0.0.1:8080 (PORT, HOST); starts a local PostgreSQL unless DB_URL is set
run: build
	./bin/chirpy-dev run ./bin/chirpy

# The end-to-end tests spend much of their time waiting on servers: more of
# them at once than go test's default (one per core) keeps the cores busy.
TESTFLAGS ?= -parallel 8

## test: every test, against a throwaway PostgreSQL (or TEST_DATABASE_URL)
test:
	$(GO) test $(TESTFLAGS) ./...

## test-race: every test with the race detector (needs a C compiler; CI runs it)
test-race:
	$(GO) test -race $(TESTFLAGS) ./...

## build: bin/chirpy (the server) and bin/chirpy-dev (the helper behind make run)
build:
	$(GO) build -o bin/chirpy ./cmd/chirpy
	$(GO) build -o bin/chirpy-dev ./cmd/chirpy-dev

## generate: regenerate internal/database from sql/ with sqlc (its first run builds sqlc: minutes)
generate:
	@echo "sqlc generate (pinned in go.mod; the first run downloads and builds sqlc: a few minutes, 1 GB)"
	$(GO) tool sqlc generate

## check: what CI checks besides the tests: sqlc output current, gofmt, vet, golangci-lint, import rules
check: check-generated lint check-layers

check-generated:
	@echo "sqlc diff (pinned in go.mod; the first run downloads and builds sqlc: a few minutes, 1 GB)"
	$(GO) tool sqlc diff

# The import rules of internal/layers (go list: never cached).
check-layers:
	$(GO) test -count=1 ./internal/layers

## lint: gofmt, go vet and golangci-lint (pinned in .ci/golangci-lint.mod; its first build takes minutes)
LINT = $(GO) tool -modfile=.ci/golangci-lint.mod golangci-lint
lint:
	@unformatted=$$(gofmt -l $$(git ls-files '*.go')); \
	if [ -n "$$unformatted" ]; then echo "gofmt needed: $$unformatted"; exit 1; fi
	$(GO) vet ./...
	@echo "golangci-lint (the first run downloads and builds it: a few minutes)"
	$(LINT) run -c .ci/golangci.yml --max-issues-per-linter=0 --max-same-issues=0 ./...

## bench: the load benchmark (about two minutes); BENCH_MARKDOWN=file also writes its table as Markdown
bench: build
	$(GO) run ./cmd/chirpy-bench -server bin/chirpy $(if $(BENCH_MARKDOWN),-markdown $(BENCH_MARKDOWN))

## bench-smoke: the benchmark in seconds with small data: proves it works, measures nothing
bench-smoke: build
	$(GO) run ./cmd/chirpy-bench -server bin/chirpy -smoke

## fuzz: run each fuzzer FUZZRUNS times (their seed corpora also run in make test)
# A count, not a time: a time budget can end in the middle of an execution
# and report a failure with no input that fails.
FUZZRUNS ?= 100000
FUZZERS = ./internal/chirp:FuzzClean ./internal/auth:FuzzGetBearerToken ./internal/auth:FuzzGetAPIKey \
	./internal/auth:FuzzValidateJWT ./internal/jsonbody:FuzzDecode ./internal/server:FuzzChirpJSON
fuzz:
	@for f in $(FUZZERS); do \
		pkg=$${f%%:*}; name=$${f##*:}; \
		echo "--- $$name ($$pkg, $(FUZZRUNS) runs)"; \
		$(GO) test $$pkg -run '^$$' -fuzz "^$$name$$" -fuzztime $(FUZZRUNS)x || exit 1; \
	done

## db-start: start the local PostgreSQL of make run and print its DB_URL
db-start: build
	./bin/chirpy-dev db-start

## db-stop: stop it (its data stays)
db-stop: build
	./bin/chirpy-dev db-stop

## clean: remove what make build made (bin/)
clean:
	rm -rf bin
