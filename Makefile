# Chirpy: `make run` serves the API on http://127.0.0.1:8080 (PORT, HOST), `make test` runs every test
# against a real PostgreSQL. See README.md.

GO ?= go

.PHONY: run test build generate check check-generated check-layers lint fuzz bench bench-smoke db-start db-stop clean

## run: serve on http://127.0.0.1:8080 (PORT, HOST); starts a local PostgreSQL unless DB_URL is set
run: build
	./bin/chirpy-dev run ./bin/chirpy

## test: every test, against a throwaway PostgreSQL (or TEST_DATABASE_URL)
test:
	$(GO) test ./...

build:
	$(GO) build -o bin/chirpy ./cmd/chirpy
	$(GO) build -o bin/chirpy-dev ./cmd/chirpy-dev

## generate: regenerate internal/database from sql/ with sqlc
generate:
	$(GO) tool sqlc generate

## check: what CI checks besides the tests
check: check-generated lint check-layers

check-generated:
	$(GO) tool sqlc diff

# The import rules of internal/layers (go list: never cached).
check-layers:
	$(GO) test -count=1 ./internal/layers

lint:
	@unformatted=$$(gofmt -l $$(git ls-files '*.go')); \
	if [ -n "$$unformatted" ]; then echo "gofmt needed: $$unformatted"; exit 1; fi
	$(GO) vet ./...

## bench: load benchmark against a throwaway PostgreSQL, with pgbench ceilings
## (a few minutes); BENCH_MARKDOWN=file also writes the table as Markdown
bench: build
	$(GO) run ./cmd/chirpy-bench -server bin/chirpy $(if $(BENCH_MARKDOWN),-markdown $(BENCH_MARKDOWN))

## bench-smoke: the benchmark in seconds with small data: proves it works, measures nothing
bench-smoke: build
	$(GO) run ./cmd/chirpy-bench -server bin/chirpy -smoke

## fuzz: run each fuzzer for FUZZTIME (their seed corpora also run in make test)
FUZZTIME ?= 30s
FUZZERS = ./internal/chirp:FuzzClean ./internal/auth:FuzzGetBearerToken ./internal/auth:FuzzGetAPIKey \
	./internal/auth:FuzzValidateJWT ./internal/jsonbody:FuzzDecode ./internal/server:FuzzChirpJSON
fuzz:
	@for f in $(FUZZERS); do \
		pkg=$${f%%:*}; name=$${f##*:}; \
		echo "--- $$name ($$pkg, $(FUZZTIME))"; \
		$(GO) test $$pkg -run '^$$' -fuzz "^$$name$$" -fuzztime $(FUZZTIME) || exit 1; \
	done

## db-start / db-stop: the local PostgreSQL of `make run`
db-start: build
	./bin/chirpy-dev db-start

db-stop: build
	./bin/chirpy-dev db-stop

clean:
	rm -rf bin
