# trienkhai — the two commands a newcomer needs are `make run` and `make test`.
SHELL := /bin/bash
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
PG_URL ?= postgres://postgres@127.0.0.1:5432/test
APPS := core units accounts documents tasks reports outreach oversight portal api intake
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: gettext run test venv lint format migrate demo serve worker test-sqlite test-pg test-browser bench vntext-eval messages chromium clean

$(BIN)/.installed: requirements/lock.txt
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -r requirements/lock.txt
	touch $@

venv: $(BIN)/.installed

## run: install, migrate, load the demo when the database is empty, serve with the task worker
run: venv
	DEBUG=true $(BIN)/python manage.py migrate --noinput -v0
	DEBUG=true $(BIN)/python manage.py demo --if-empty
	DEBUG=true $(BIN)/python manage.py demo_logins
	DEBUG=true $(BIN)/python manage.py schedule_jobs
	@echo "Serving on http://$(HOST):$(PORT)/  (Ctrl+C stops the server and the worker)"
	@trap 'kill 0' EXIT INT TERM; \
	DEBUG=true $(BIN)/python manage.py db_worker --interval 2 & \
	DEBUG=true $(BIN)/python manage.py runserver --noreload $(HOST):$(PORT)

## test: lint, the suite on SQLite, again on PostgreSQL when reachable, then the browser tests
test: venv gettext lint test-sqlite test-pg test-browser

gettext:
	@command -v xgettext >/dev/null || { apt-get update -qq && apt-get install -y -qq gettext >/dev/null; }

lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: venv
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

test-sqlite: venv
	$(BIN)/pytest -q -m "not browser"

test-pg: venv
	@if [ -n "$$DATABASE_URL" ] || pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null || \
	    $(BIN)/python -c "import socket; socket.create_connection(('127.0.0.1', 5432), 1)" 2>/dev/null; then \
	  DATABASE_URL=$${DATABASE_URL:-$(PG_URL)} $(BIN)/pytest -q -m "not browser"; \
	else echo "PostgreSQL not reachable: skipping the PostgreSQL run"; fi

chromium:
	@command -v chromium >/dev/null || { apt-get update -qq && apt-get install -y -qq chromium >/dev/null; }

test-browser: venv chromium
	mkdir -p artifacts
	$(BIN)/pytest -q -m browser

## bench: the figures the issues fix, one line each: bench <name> <value> <unit> target <t>
# SQLite first (existing groups, then the national cascade), then PostgreSQL when reachable:
# tree and national again with the _pg suffix, then the groups the issues measure on
# PostgreSQL only, under the issues' own names (coverage_root_ms, consolidate_60k_units_s,
# completeness_root_ms, the peer comparison, the portal's article page); notes go to stderr.
bench: venv
	@status=0; \
	env -u DATABASE_URL $(BIN)/python -m bench tree divisions vntext national || status=1; \
	if pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null || [ -n "$$DATABASE_URL" ]; then \
	  export DATABASE_URL=$${DATABASE_URL:-$(PG_URL)}; \
	  $(BIN)/python -m bench tree national --suffix _pg || status=1; \
	  $(BIN)/python -m bench coverage reports peer portal || status=1; \
	else echo "# PostgreSQL not reachable: PostgreSQL figures skipped" >&2; fi; \
	exit $$status

## vntext-eval: precision, recall and F1 per field on a labelled folder (DIR=path)
DIR ?= ../shared/data/vntext/dev
vntext-eval: venv
	$(BIN)/python -m trienkhai.vntext.eval $(DIR)

messages: venv
	for app in $(APPS); do mkdir -p trienkhai/$$app/locale; (cd trienkhai/$$app && DEBUG=true ../../$(BIN)/python ../../manage.py makemessages -l vi --no-obsolete --add-location file -v0); done
	for app in $(APPS); do (cd trienkhai/$$app && DEBUG=true ../../$(BIN)/python ../../manage.py compilemessages -l vi -v0); done

clean:
	rm -rf var staticfiles artifacts
