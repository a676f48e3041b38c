# wowdesk — two commands: `make run` (try it) and `make test` (what CI runs).
#
#   make run        venv + install + migrate + demo data, then serve on http://127.0.0.1:8000
#   make test       system packages, lint, pytest on SQLite, pytest on PostgreSQL, fuzz
#   make help       every target
#
# Installs are cached: the venv is (re)installed only when pyproject.toml changes
# (a stamp file named after its hash).

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help
MAKEFLAGS += --no-print-directory

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
export VENV PYTHON

PYPROJECT_HASH := $(shell sha256sum pyproject.toml | cut -c1-16)
RUN_STAMP := $(VENV)/.wowdesk-runtime-$(PYPROJECT_HASH)
DEV_STAMP := $(VENV)/.wowdesk-dev-$(PYPROJECT_HASH)
BENCH_STAMP := $(VENV)/.wowdesk-bench-$(PYPROJECT_HASH)

HOST ?= 127.0.0.1
PORT ?= 8000
# Where `make run` keeps its database, secret key and uploads.
RUN_DATA_DIR ?= $(CURDIR)/var
# Scratch space for test runs (removed at the start of each run).
TEST_DATA_DIR ?= $(CURDIR)/.tmp/test-data
PYTEST_ARGS ?=
# `make test` runs the SQLite and the PostgreSQL suites at the same time (two cores, two
# data dirs, random private ports); TEST_PARALLEL=0 runs them one after the other.
TEST_PARALLEL ?= 1

PHASE := scripts/phase.sh

.PHONY: help install install-dev run serve migrate demo worker lint format typecheck \
	test test-sqlite test-postgres test-web fuzz bench system-deps clean

help: ## Show the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sort | \
		awk 'BEGIN {FS = ":.*## "}; {printf "  make %-14s %s\n", $$1, $$2}'

# --- install --------------------------------------------------------------------------

$(RUN_STAMP):
	@scripts/bootstrap.sh runtime
	@rm -f $(VENV)/.wowdesk-runtime-* && touch $@

$(DEV_STAMP):
	@scripts/bootstrap.sh dev
	@rm -f $(VENV)/.wowdesk-runtime-* $(VENV)/.wowdesk-dev-*
	@touch $@ $(RUN_STAMP)

$(BENCH_STAMP):
	@scripts/bootstrap.sh bench
	@rm -f $(VENV)/.wowdesk-runtime-* $(VENV)/.wowdesk-dev-* $(VENV)/.wowdesk-bench-*
	@touch $@ $(DEV_STAMP) $(RUN_STAMP)

install: $(RUN_STAMP) ## Create .venv and install wowdesk (runtime only)

install-dev: $(DEV_STAMP) ## Create .venv and install wowdesk with test/lint tools

system-deps: ## apt-get install PostgreSQL, Redis, Dovecot, Chromium and a CJK font if missing (needs root)
	@$(PHASE) "System packages" scripts/system-deps.sh

# --- run ------------------------------------------------------------------------------

run: install ## Migrate, seed the demo and serve on http://127.0.0.1:8000 (SQLite)
	@export WOWDESK_DATA_DIR="$(RUN_DATA_DIR)"; \
	echo "==== migrate ($(RUN_DATA_DIR)) ===="; $(BIN)/wowdesk migrate; \
	echo "==== demo data ===="; $(BIN)/wowdesk demo; \
	echo "==== intent models ===="; $(BIN)/wowdesk kb-train-intents; \
	echo "==== topics of the voice of the customer ===="; $(BIN)/wowdesk voc-topics; \
	echo "==== serve: http://$(HOST):$(PORT)/ (Ctrl-C stops) ===="; \
	exec $(BIN)/wowdesk serve --host $(HOST) --port $(PORT) --no-migrate

serve: install ## Serve without seeding (migrates first)
	WOWDESK_DATA_DIR="$(RUN_DATA_DIR)" $(BIN)/wowdesk serve --host $(HOST) --port $(PORT)

migrate: install ## Create or update the database tables
	WOWDESK_DATA_DIR="$(RUN_DATA_DIR)" $(BIN)/wowdesk migrate

demo: install ## Seed the demo data (idempotent)
	WOWDESK_DATA_DIR="$(RUN_DATA_DIR)" $(BIN)/wowdesk demo
	WOWDESK_DATA_DIR="$(RUN_DATA_DIR)" $(BIN)/wowdesk kb-train-intents
	WOWDESK_DATA_DIR="$(RUN_DATA_DIR)" $(BIN)/wowdesk voc-topics

worker: install ## Run the background task worker in the foreground
	WOWDESK_DATA_DIR="$(RUN_DATA_DIR)" $(BIN)/wowdesk worker

# --- checks ---------------------------------------------------------------------------

lint: install-dev ## ruff check + ruff format --check + import contracts (lint-imports) + one writer per table
	@$(PHASE) "Lint (ruff, import contracts, one writer per table)" bash -c '$(BIN)/ruff check . && $(BIN)/ruff format --check . && PYTHONPATH=src $(BIN)/lint-imports && $(BIN)/python scripts/check_writers.py'

format: install-dev ## Apply ruff format and the safe ruff fixes
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

typecheck: install-dev ## mypy (django-stubs)
	@$(PHASE) "Type check (mypy)" $(BIN)/mypy

test: ## Everything CI checks: system packages, lint, mypy, SQLite, PostgreSQL, fuzz
	@start=$$(date +%s); failed=(); \
	export PHASE_LOG="$(CURDIR)/.tmp/phases.log" WOWDESK_REQUIRE_BROWSER=1 WOWDESK_REQUIRE_SERVICES=1; \
	mkdir -p .tmp && : >"$$PHASE_LOG"; \
	$(MAKE) system-deps && $(PHASE) "Install (.venv, pip)" $(MAKE) install-dev || exit 1; \
	for target in lint typecheck; do \
		$(MAKE) $$target || failed+=($$target); \
	done; \
	if [ "$(TEST_PARALLEL)" = 1 ]; then \
		printf '\n==== pytest on SQLite and on PostgreSQL at once (each log follows when both end) ====\n'; \
		$(MAKE) test-sqlite TEST_DATA_DIR="$(CURDIR)/.tmp/test-data-sqlite" >.tmp/test-sqlite.log 2>&1 & sq=$$!; \
		$(MAKE) test-postgres TEST_DATA_DIR="$(CURDIR)/.tmp/test-data-postgres" >.tmp/test-postgres.log 2>&1 & pg=$$!; \
		wait $$sq || failed+=(test-sqlite); \
		wait $$pg || failed+=(test-postgres); \
		cat .tmp/test-sqlite.log .tmp/test-postgres.log; \
	else \
		for target in test-sqlite test-postgres; do \
			$(MAKE) $$target || failed+=($$target); \
		done; \
	fi; \
	$(MAKE) fuzz || failed+=(fuzz); \
	printf '\n==== Summary ====\n'; cat "$$PHASE_LOG"; \
	took=$$(( $$(date +%s) - start )); \
	if [ $${#failed[@]} -eq 0 ]; then \
		printf '==== make test: passed in %ss ====\n' $$took; \
	else \
		printf '==== make test: FAILED (%s) in %ss ====\n' "$${failed[*]}" $$took; exit 1; \
	fi

test-sqlite: install-dev ## The whole pytest suite on SQLite
	@rm -rf "$(TEST_DATA_DIR)" && mkdir -p "$(TEST_DATA_DIR)"
	@env -u WOWDESK_DATABASE_URL WOWDESK_DATA_DIR="$(TEST_DATA_DIR)" \
		$(PHASE) "pytest on SQLite" $(BIN)/python -m pytest -q -ra --durations=10 $(PYTEST_ARGS)

test-postgres: install-dev ## The whole pytest suite on a private PostgreSQL (port 25432, or the next free one)
	@rm -rf "$(TEST_DATA_DIR)" && mkdir -p "$(TEST_DATA_DIR)"
	@export WOWDESK_PG_PORT="$${WOWDESK_PG_PORT:-$$(scripts/free-port.sh 25432)}"; \
	trap 'scripts/pg.sh stop' EXIT; \
	$(PHASE) "Start PostgreSQL" scripts/pg.sh start; \
	WOWDESK_DATABASE_URL="$$(scripts/pg.sh url)" WOWDESK_DATA_DIR="$(TEST_DATA_DIR)" \
		$(PHASE) "pytest on PostgreSQL" $(BIN)/python -m pytest -q -ra --durations=10 $(PYTEST_ARGS)

test-web: install-dev ## Only the browser tests (Playwright + /usr/bin/chromium)
	@rm -rf "$(TEST_DATA_DIR)" && mkdir -p "$(TEST_DATA_DIR)"
	@env -u WOWDESK_DATABASE_URL WOWDESK_DATA_DIR="$(TEST_DATA_DIR)" \
		$(PHASE) "Browser tests" $(BIN)/python -m pytest -q -ra tests/web $(PYTEST_ARGS)

fuzz: install-dev ## schemathesis against the live API, then its forms and sockets (fresh SQLite)
	@$(PHASE) "Fuzz the API (schemathesis), the forms and the sockets" scripts/fuzz.sh

bench: $(BENCH_STAMP) ## Run every bench/*.py (results go to bench/results/)
	@export WOWDESK_DATA_DIR="$${WOWDESK_DATA_DIR:-$(CURDIR)/.tmp/bench-data}"; \
	shopt -s nullglob; files=(bench/*.py); \
	if [ $${#files[@]} -eq 0 ]; then echo "no benchmarks in bench/"; exit 0; fi; \
	for f in "$${files[@]}"; do \
		[ "$$(basename $$f)" = "__init__.py" ] && continue; \
		$(PHASE) "bench: $$f" $(BIN)/python "$$f"; \
	done

clean: ## Remove the venv, caches, scratch data (keeps var/, the `make run` database)
	rm -rf $(VENV) .tmp .pytest_cache .mypy_cache .ruff_cache .hypothesis build dist \
		src/*.egg-info schemathesis-report .import_linter_cache
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
