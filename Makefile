# rathaus — the two commands: `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
VENDOR := src/rathaus/static/vendor

# `make run` is a demo installation without debug (ADR 0025): demo data and the demo mailbox are
# allowed, errors show the portal's own pages. The development flag: make run RATHAUS_DEBUG=true.
# The demo reads the register from the demo register extract (ADR 0029) and takes online
# payments with the payment sandbox, which `rathaus run` starts as its own process (ADR 0047).
DEMO_ENV := RATHAUS_DEMO=$${RATHAUS_DEMO:-true} RATHAUS_DEBUG=$${RATHAUS_DEBUG:-false} \
	RATHAUS_REGISTER_LOOKUP=$${RATHAUS_REGISTER_LOOKUP:-extract} \
	RATHAUS_REGISTER_EXTRACT=$${RATHAUS_REGISTER_EXTRACT:-src/rathaus/cases/data/register-extract-demo.json} \
	RATHAUS_PAYMENT_PROVIDER=$${RATHAUS_PAYMENT_PROVIDER:-sandbox} \
	RATHAUS_PAYMENT_SANDBOX_URL=$${RATHAUS_PAYMENT_SANDBOX_URL:-http://127.0.0.1:8001} \
	RATHAUS_PAYMENT_SANDBOX_API_KEY=$${RATHAUS_PAYMENT_SANDBOX_API_KEY:-demo-sandbox-api-key} \
	RATHAUS_PAYMENT_WEBHOOK_KEYS=$${RATHAUS_PAYMENT_WEBHOOK_KEYS:-demo1:demo-webhook-secret-not-for-production}

.PHONY: run stack test setup assets messages migrate demo static lint types unit unit-postgres browser check-python clean audit

# The web server is gunicorn, as in production; `make run RELOAD=1` restarts it on code changes.
run: setup migrate demo static
	$(DEMO_ENV) $(BIN)/rathaus run $(if $(RELOAD),--reload)

# The scale-out stack on this machine (docs/operations.md): nginx, N web instances, M task
# workers, PostgreSQL and redis, with the demo; Ctrl-C stops it. `make stack N=3 M=2`.
N ?= 2
M ?= 2
stack: setup
	$(BIN)/python deploy/stack.py up -n $(N) -m $(M) --demo --foreground

setup: check-python $(STAMP) assets messages

check-python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' || \
	  { echo "rathaus needs Python 3.11 or newer; '$(PYTHON)' is $$($(PYTHON) --version 2>&1). Run: make PYTHON=python3.12 …" >&2; exit 1; }

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund
	touch node_modules/.package-lock.json

assets: node_modules/.package-lock.json
	@mkdir -p $(VENDOR)/kern/fonts $(VENDOR)/htmx $(VENDOR)/altcha $(VENDOR)/bpmn-js $(VENDOR)/leaflet $(VENDOR)/uplot
	cp node_modules/@kern-ux/native/dist/kern.min.css $(VENDOR)/kern/
	cp node_modules/@kern-ux/native/dist/fonts/fira-sans.css $(VENDOR)/kern/fonts/
	cp -r node_modules/@kern-ux/native/dist/fonts/fira-sans $(VENDOR)/kern/fonts/
	cp node_modules/htmx.org/dist/htmx.min.js $(VENDOR)/htmx/
	cp node_modules/altcha/dist_external/altcha.umd.cjs $(VENDOR)/altcha/altcha.js
	cp node_modules/altcha/dist_external/altcha.css node_modules/altcha/dist_external/worker.js $(VENDOR)/altcha/
	cp node_modules/bpmn-js/dist/bpmn-viewer.production.min.js node_modules/bpmn-js/dist/assets/diagram-js.css node_modules/bpmn-js/dist/assets/bpmn-js.css $(VENDOR)/bpmn-js/
	cp node_modules/leaflet/dist/leaflet.js node_modules/leaflet/dist/leaflet.js.map node_modules/leaflet/dist/leaflet.css $(VENDOR)/leaflet/
	cp -r node_modules/leaflet/dist/images $(VENDOR)/leaflet/
	cp node_modules/uplot/dist/uPlot.iife.min.js node_modules/uplot/dist/uPlot.min.css $(VENDOR)/uplot/

messages: $(STAMP)
	cd src/rathaus && ../../$(BIN)/django-admin compilemessages --ignore '.venv' -v 0

migrate: setup
	$(DEMO_ENV) $(BIN)/rathaus migrate --noinput

demo: migrate
	$(DEMO_ENV) $(BIN)/rathaus demo-data

# Without debug the static files are served from the data directory (WhiteNoise, hashed names).
static: setup
	$(DEMO_ENV) $(BIN)/rathaus collectstatic --noinput -v 0

lint: $(STAMP)
	$(BIN)/ruff check src tests scripts bench deploy
	$(BIN)/ruff format --check src tests scripts bench deploy
	$(BIN)/lint-imports

types: $(STAMP)
	$(BIN)/mypy

unit: setup
	$(BIN)/pytest -m 'not browser and not postgresql'

unit-postgres: setup
	$(BIN)/python scripts/with_postgres.py -- $(BIN)/pytest -m 'database and not browser and not contract and not sqlite_pass'

browser: setup
	$(BIN)/pytest -m browser

# Everything on SQLite, browser tests included, and the database-specific tests (mark
# `database`, ADR 0036) again on PostgreSQL. The browser tests drive pages and the API
# contract test (schemathesis) checks HTTP answers against the schema, not SQL: they run once.
# The passes run in two lanes (one core each); the lane that ends first runs the browser tests;
# `make test SERIAL=1` runs one after the other.
test: setup lint types
	$(BIN)/python scripts/test_passes.py $(if $(SERIAL),--serial)

# Known vulnerabilities of the installed Python packages and the npm packages the pages ship,
# against audit-allowlist.toml (docs/security.md). Needs the network; not part of `make test`.
audit: setup
	$(BIN)/python scripts/audit.py $(if $(STRICT),--strict)

clean:
	rm -rf $(VENV) node_modules $(VENDOR) var .pytest_cache .mypy_cache .ruff_cache
