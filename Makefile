# The README's two commands: `make run` and `make test`. Each sets up what it needs.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
ASSETS := server/static/node_modules/.installed
HTTP_AUDIT := tests/http_audit/node_modules/.installed
PORTAL_ASSETS := examples/portal/node_modules/.installed
PORTAL_TEST_TOOLS := tests/portal_audit/node_modules/.installed

.PHONY: run port-check test example-test portal portal-assets portal-test-tools install assets migrate demo schema dist clean

# The reference partner portal (examples/portal) is served on its own origin; `make run`
# lets that origin call the API (CORS) unless COSELL_CORS_ORIGINS says otherwise.
PORTAL_HOST ?= 127.0.0.1
PORTAL_PORT ?= 8080
PORTAL_ORIGIN := http://$(PORTAL_HOST):$(PORTAL_PORT)

# The demo tokens are printed last, once the server answers (`--show-demo-tokens`). Each phase
# (installing, assets, migrating, demo, serving) announces itself with a `==> ` line.
run: port-check install assets migrate
	@echo "==> demo: loading the demo world unless the database has data already"
	$(BIN)/cosell demo load --if-empty --quiet
	@# The demo's emails and events go out now, so their log lines do not bury the tokens below.
	COSELL_LOG_LEVEL=WARNING $(BIN)/cosell outbox send --once
	@echo "==> serving: cosell serve (Ctrl-C stops it)"
	COSELL_CORS_ORIGINS="$${COSELL_CORS_ORIGINS-$(PORTAL_ORIGIN)}" $(BIN)/cosell serve --show-demo-tokens

# Before anything is installed: with COSELL_PORT (default 8000) taken, `make run` stops here in
# seconds with one line naming COSELL_PORT / --port (server/port_check.py: standard library only).
port-check:
	@$(PYTHON) server/port_check.py

# Static files only (plain HTML and JS modules, no build step), against `make run`'s API;
# its one dependency (oidc-client-ts, for single sign-on) is served from its node_modules.
portal: $(PORTAL_ASSETS)
	@echo "partner portal on $(PORTAL_ORIGIN)/ (API http://127.0.0.1:8000/graphql from make run; another: $(PORTAL_ORIGIN)/?api=URL)"
	$(PYTHON) -m http.server $(PORTAL_PORT) --bind $(PORTAL_HOST) --directory examples/portal

# The tests create (and drop) their own database: nothing is migrated or written in the
# database DATABASE_URL names (server/testing.py). pytest-xdist runs them on TEST_WORKERS
# processes (one per core by default), each with its own database and temporary
# directories; an idle worker takes queued tests from a busy one (docs/development.md,
# "Test suite speed"). TEST_WORKERS=0 runs them in this one process.
TEST_WORKERS ?= auto
test: install assets $(HTTP_AUDIT) $(PORTAL_ASSETS) $(PORTAL_TEST_TOOLS)
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
	@echo "==> installing: cosell and its Python packages into $(VENV) (about a minute the first time)"
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

# GraphiQL and React come from the npm registry at install time (see server/static/package.json).
assets: $(ASSETS)

$(ASSETS): server/static/package.json server/static/package-lock.json
	@echo "==> assets: GraphiQL and React from the npm registry (npm ci in server/static)"
	cd server/static && npm ci --no-audit --no-fund --loglevel=error
	touch $@

# The GraphQL-over-HTTP audit suite (npm graphql-http), run by the tests against a live server.
$(HTTP_AUDIT): tests/http_audit/package.json tests/http_audit/package-lock.json
	cd tests/http_audit && npm ci --no-audit --no-fund --loglevel=error
	touch $@

# The portal's browser dependencies (oidc-client-ts, Chart.js) from the npm registry (examples/portal/package.json).
portal-assets: $(PORTAL_ASSETS)

$(PORTAL_ASSETS): examples/portal/package.json examples/portal/package-lock.json
	cd examples/portal && npm ci --no-audit --no-fund --loglevel=error
	touch $@

# Test-only tools of the portal's browser tests (tests/portal_audit/package.json): axe-core
# and oauth2-mock-server, the OpenID Connect provider of the single sign-on test.
portal-test-tools: $(PORTAL_TEST_TOOLS)

$(PORTAL_TEST_TOOLS): tests/portal_audit/package.json tests/portal_audit/package-lock.json
	cd tests/portal_audit && npm ci --no-audit --no-fund --loglevel=error
	touch $@

migrate: install
	@echo "==> migrating: the database (DATABASE_URL, else cosell.sqlite3 in the var dir)"
	$(BIN)/cosell migrate

demo: migrate
	$(BIN)/cosell demo load

schema: install
	$(BIN)/cosell schema export -o schema/schema.graphql

# The release: dist/cosell-<version>.tar.gz and the wheel built from it, with the GraphiQL
# assets fetched by `npm ci` at build time (setup.py); docs/operations.md, "Deploying from the wheel".
dist: install
	rm -rf dist
	$(BIN)/python -m build --outdir dist

clean:
.PHONY: run port-check test example-test portal portal-assets portal-test-tools install assets migrate demo schema dist clean
