# Chirpy: `make run` serves the API on http://127.0.0.1:8080 (PORT, HOST). See README.md.
#
# What each target needs besides Go (the tests, the benchmark and make run
# start their own servers: nothing needs to be running):
#   run, db-start, db-stop    PostgreSQL's server binaries (initdb, postgres)
#   test                      PostgreSQL's server binaries only
#   test-all (what CI runs)   PostgreSQL, PgBouncer, haproxy, Chromium
#                             (/usr/bin/chromium, for the web client's browser
#                             tests), and a C compiler for the race detector;
#                             a missing one is a failure
#   screenshot                PostgreSQL and Chromium
#   generate, check           a C compiler (sqlc's parser uses cgo)
#   lint, build, mutate       Go only
#   fuzz, fuzz-smoke          Go only
#   bench, bench-smoke        PostgreSQL (with pgbench) and PgBouncer

GO ?= go

.PHONY: help run test test-all screenshot build generate check check-generated check-layers lint fuzz fuzz-smoke mutate bench bench-smoke db-start db-stop clean

## help: list the targets
help:
	@grep -E '^## ' $(MAKEFILE_LIST) | sed -e 's/^## /  /'

## run: serve on http://127.0.0.1:8080 (PORT, HOST); starts a local PostgreSQL unless DB_URL is set (needs PostgreSQL)
run: build
	./bin/chirpy-dev run ./bin/chirpy

# The end-to-end tests spend much of their time waiting on servers: more of
# them at once than go test's default (one per core) keeps the cores busy.
TESTFLAGS ?= -parallel 8
# Under the race detector everything is several times slower, password
# hashing most: fewer tests at once keep their requests within deadlines.
RACEFLAGS ?= -parallel 4

# Every run runs every test (-count=1): a result cached from another checkout
# state, or another machine's PostgreSQL, proves nothing.

## test: every test that needs only Go and PostgreSQL, uncached, on a throwaway PostgreSQL (or TEST_DATABASE_URL)
test:
	$(GO) test -count=1 $(TESTFLAGS) ./...

## test-all: every test, uncached, with those that run PgBouncer, haproxy, a standby or Chromium (tag testall), then all again with the race detector (needs PostgreSQL, PgBouncer, haproxy, Chromium, a C compiler; CI runs it)
test-all:
	$(GO) test -count=1 -tags testall $(TESTFLAGS) ./...
	$(GO) test -race -count=1 -tags testall -timeout 30m $(RACEFLAGS) ./...

## screenshot: docs/screenshot.png, the web client's timeline, from the browser test's server (needs PostgreSQL, Chromium)
screenshot:
	CHIRPY_SCREENSHOT=$(CURDIR)/docs/screenshot.png $(GO) test -count=1 -tags testall -run '^TestBrowserScreenshot$$' ./cmd/chirpy

## build: bin/chirpy (the server) and bin/chirpy-dev (the helper behind make run)
build:
	$(GO) build -o bin/chirpy ./cmd/chirpy
	$(GO) build -o bin/chirpy-dev ./cmd/chirpy-dev

## generate: regenerate internal/database from sql/ with sqlc (needs a C compiler; its first run builds sqlc: minutes)
generate:
	@echo "sqlc generate (pinned in go.mod; the first run downloads and builds sqlc: a few minutes, 1 GB)"
	$(GO) tool sqlc generate

## check: what CI checks besides the tests: sqlc output current, gofmt, vet, golangci-lint, import rules (needs a C compiler)
check: check-generated lint check-layers

check-generated:
	@echo "sqlc diff (pinned in go.mod; the first run downloads and builds sqlc: a few minutes, 1 GB)"
	$(GO) tool sqlc diff

# The import rules of internal/layers (go list: never cached).
check-layers:
	$(GO) test -count=1 ./internal/layers

## lint: gofmt, go vet and golangci-lint, without and with the tag testall (pinned in .ci/golangci-lint.mod; its first build takes minutes)
# Both ways: a helper left to tagged tests alone is unused without the tag.
LINT = $(GO) tool -modfile=.ci/golangci-lint.mod golangci-lint
lint:
	@unformatted=$$(gofmt -l $$(git ls-files '*.go')); \
	if [ -n "$$unformatted" ]; then echo "gofmt needed: $$unformatted"; exit 1; fi
	$(GO) vet ./...
	$(GO) vet -tags testall ./...
	@echo "golangci-lint (the first run downloads and builds it: a few minutes)"
	$(LINT) run -c .ci/golangci.yml --max-issues-per-linter=0 --max-same-issues=0 ./...
	$(LINT) run -c .ci/golangci.yml --max-issues-per-linter=0 --max-same-issues=0 --build-tags testall ./...

## bench: the load benchmark (about two minutes; needs PostgreSQL and PgBouncer); BENCH_MARKDOWN=file also writes its table as Markdown
bench: build
	$(GO) run ./cmd/chirpy-bench -server bin/chirpy $(if $(BENCH_MARKDOWN),-markdown $(BENCH_MARKDOWN))

## bench-smoke: the benchmark in seconds with small data: proves it works, measures nothing (needs PostgreSQL and PgBouncer)
bench-smoke: build
	$(GO) run ./cmd/chirpy-bench -server bin/chirpy -smoke

## fuzz: run each fuzzer FUZZRUNS times (their seed corpora also run in make test)
# A count, not a time: a time budget can end in the middle of an execution
# and report a failure with no input that fails.
FUZZRUNS ?= 100000
# Every fuzzer in the tree, as package:name, so a new one is never left out.
FUZZERS = $(shell grep -r --include='*_test.go' -o '^func Fuzz[A-Za-z0-9_]*' ./cmd ./internal | \
	sed -E 's|^(.*)/[^/]*_test\.go:func (Fuzz.*)|\1:\2|' | sort)
fuzz:
	@for f in $(FUZZERS); do \
		pkg=$${f%%:*}; name=$${f##*:}; \
		echo "--- $$name ($$pkg, $(FUZZRUNS) runs)"; \
		$(GO) test $$pkg -run '^$$' -fuzz "^$$name$$" -fuzztime $(FUZZRUNS)x || exit 1; \
	done

## fuzz-smoke: every fuzzer briefly (FUZZSMOKERUNS runs each; under a minute in all once built): proves each runs; CI runs it
FUZZSMOKERUNS ?= 50000
fuzz-smoke:
	@$(MAKE) --no-print-directory fuzz FUZZRUNS=$(FUZZSMOKERUNS)

## mutate: mutation testing of the rules (internal/auth, chirp, polka, idempotency, jsonbody, config); fails below MUTATE_EFFICACY% (90) killed in a package; six to ten minutes (pinned in .ci/gremlins.mod)
# Each package on its own, so that a package's mutants run only its own tests,
# which need no PostgreSQL. Two workers: the suite runs on two cores. A
# mutant's tests may take ten times as long as the unmutated run before it
# counts as timed out (caught, but not counted as killed). Every package runs,
# then the target fails if any fell below the threshold.
MUTATE_PKGS = ./internal/auth ./internal/chirp ./internal/polka ./internal/idempotency ./internal/jsonbody ./internal/config
MUTATE_EFFICACY ?= 90
MUTATE_WORKERS ?= 2
GREMLINS = $(GO) tool -modfile=.ci/gremlins.mod gremlins
mutate:
	@failed=""; for p in $(MUTATE_PKGS); do \
		echo "--- $$p"; \
		$(GREMLINS) unleash --workers $(MUTATE_WORKERS) --timeout-coefficient 10 \
			--threshold-efficacy $(MUTATE_EFFICACY) --output-statuses lt $$p || failed="$$failed $$p"; \
	done; \
	if [ -n "$$failed" ]; then echo "below $(MUTATE_EFFICACY)% efficacy, or failed:$$failed"; exit 1; fi

## db-start: start the local PostgreSQL of make run and print its DB_URL (needs PostgreSQL)
db-start:
	@$(GO) build -o bin/chirpy-dev ./cmd/chirpy-dev
	./bin/chirpy-dev db-start

## db-stop: stop it (its data stays)
db-stop:
	@$(GO) build -o bin/chirpy-dev ./cmd/chirpy-dev
	./bin/chirpy-dev db-stop

## clean: remove what make build made (bin/)
clean:
	rm -rf bin
