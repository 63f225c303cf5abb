# The README's two commands: `make run` and `make test`. Each sets up what it needs.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
ASSETS := server/static/node_modules/.installed
HTTP_AUDIT := tests/http_audit/node_modules/.installed

.PHONY: run test example-test portal install assets migrate demo schema clean

# The reference partner portal (examples/portal) is served on its own origin; `make run`
# lets that origin call the API (CORS) unless COSELL_CORS_ORIGINS says otherwise.
PORTAL_HOST ?= 127.0.0.1
PORTAL_PORT ?= 8080
PORTAL_ORIGIN := http://$(PORTAL_HOST):$(PORTAL_PORT)

# The demo tokens are printed last, once the server answers (`--show-demo-tokens`).
run: install assets migrate
	$(BIN)/cosell demo load --if-empty --quiet
	@# The demo's emails and events go out now, so their log lines do not bury the tokens below.
	COSELL_LOG_LEVEL=WARNING $(BIN)/cosell outbox send --once
	COSELL_CORS_ORIGINS="$${COSELL_CORS_ORIGINS-$(PORTAL_ORIGIN)}" $(BIN)/cosell serve --show-demo-tokens

# Static files only (plain HTML and JS modules, no build step), against `make run`'s API.
portal:
	@echo "partner portal on $(PORTAL_ORIGIN)/ (API http://127.0.0.1:8000/graphql from make run; another: $(PORTAL_ORIGIN)/?api=URL)"
	$(PYTHON) -m http.server $(PORTAL_PORT) --bind $(PORTAL_HOST) --directory examples/portal

# The tests create (and drop) their own database: nothing is migrated or written in the
# database DATABASE_URL names (server/testing.py). pytest-xdist runs them on TEST_WORKERS
# processes (one per core by default), each with its own database and temporary
# directories; an idle worker takes queued tests from a busy one (docs/development.md,
# "Test suite speed"). TEST_WORKERS=0 runs them in this one process.
TEST_WORKERS ?= auto
test: install assets $(HTTP_AUDIT)
	$(BIN)/pytest -n $(TEST_WORKERS) --dist worksteal $(PYTEST_ARGS)

# The example plugin package (examples/cosell-plugin-example), installed from a built wheel
# like any third-party plugin, then its own tests, run from its own directory with cosell's
# test helpers (the pytest plugin `cosell`). Run by .ci/run on both engines.
EXAMPLE := examples/cosell-plugin-example

example-test: install
	$(BIN)/python -m pip install --quiet --force-reinstall --no-deps ./$(EXAMPLE)
	cd $(EXAMPLE) && $(abspath $(BIN))/pytest

install: $(INSTALLED)

$(INSTALLED): pyproject.toml
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

# GraphiQL and React come from the npm registry at install time (see server/static/package.json).
assets: $(ASSETS)

$(ASSETS): server/static/package.json server/static/package-lock.json
	cd server/static && npm ci --no-audit --no-fund --loglevel=error
	touch $@

# The GraphQL-over-HTTP audit suite (npm graphql-http), run by the tests against a live server.
$(HTTP_AUDIT): tests/http_audit/package.json tests/http_audit/package-lock.json
	cd tests/http_audit && npm ci --no-audit --no-fund --loglevel=error
	touch $@

migrate: install
	$(BIN)/cosell migrate

demo: migrate
	$(BIN)/cosell demo load

schema: install
	$(BIN)/cosell schema export -o schema/schema.graphql

clean:
	rm -rf $(VENV) server/static/node_modules tests/http_audit/node_modules var
