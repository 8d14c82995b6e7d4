# The two commands: `make run` and `make test`. Both start from a fresh Debian machine
# with Python 3.11, Node.js and npm.
PYTHON ?= python3.11
VENV   := .venv
PY     := $(VENV)/bin/python
PIP    := $(VENV)/bin/pip
PORT   ?= 8000
export DJANGO_SETTINGS_MODULE ?= epep.settings.local

DEBIAN_LIBS := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 poppler-utils

.PHONY: run test install system-deps assets migrate seed serve test-integration test-browser ci-deps lint typecheck lock audit backup restore bench clean

# Installs come from the lock files in requirements/ (every package pinned, with its
# hashes), never from pyproject.toml's ranges: the same versions on every machine, in CI
# and in the image. requirements/test.txt = the app + the `test` extra (what make run and
# make test use); requirements/production.txt = the app alone (the Dockerfile).
LOCKS := requirements/production.txt requirements/test.txt

$(VENV)/.installed: requirements/test.txt
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --require-hashes -r requirements/test.txt
	touch $@

# Regenerate the lock files after a change to pyproject.toml's dependencies, then commit
# them: an update is a deliberate commit. Pins already in the files are kept where they
# still fit; `make lock UPGRADE=1` takes the newest releases within pyproject's ranges.
# tests/test_lock_files.py fails while a dependency of pyproject.toml is missing from them.
UV_COMPILE = UV_CUSTOM_COMPILE_COMMAND="make lock" $(VENV)/bin/uv pip compile pyproject.toml --quiet \
  --universal --python-version 3.11 --generate-hashes $(if $(UPGRADE),--upgrade)
lock:
	@test -x $(VENV)/bin/uv || $(PIP) install --quiet 'uv>=0.9,<1'
	$(UV_COMPILE) -o requirements/production.txt
	$(UV_COMPILE) --extra test -o requirements/test.txt

node_modules/.installed: package.json
	npm install --no-audit --no-fund --loglevel=error
	touch $@

# The browser tests of council sign-in run a real OpenID Connect provider (the certified
# oidc-provider package) from tests/oidc, which has its own package.json and lock file.
tests/oidc/node_modules/.installed: tests/oidc/package.json tests/oidc/package-lock.json
	npm ci --prefix tests/oidc --no-audit --no-fund --loglevel=error
	touch $@

install: system-deps $(VENV)/.installed node_modules/.installed tests/oidc/node_modules/.installed assets

# WeasyPrint needs Pango and HarfBuzz from Debian, and the PDF tests read what it makes with
# poppler-utils (pdftotext, pdftoppm). As root we install them; otherwise we print the
# command and stop.
system-deps:
	@missing=""; for lib in $(DEBIAN_LIBS); do \
	  dpkg -s $$lib >/dev/null 2>&1 || missing="$$missing $$lib"; done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing; \
	  else \
	    echo "WeasyPrint and the PDF tests need:$$missing"; \
	    echo "Run: sudo apt-get install -y --no-install-recommends$$missing"; exit 1; \
	  fi; \
	fi

# GOV.UK Frontend is built into static/govuk from the npm package, never hand-copied.
# Its CSS expects fonts and images under /assets/; we point it at /static/govuk/assets/.
assets: node_modules/.installed
	rm -rf static/govuk && mkdir -p static/govuk
	cp node_modules/govuk-frontend/dist/govuk/govuk-frontend.min.js static/govuk/
	cp -r node_modules/govuk-frontend/dist/govuk/assets static/govuk/assets
	sed 's#/assets/#/static/govuk/assets/#g' node_modules/govuk-frontend/dist/govuk/govuk-frontend.min.css > static/govuk/govuk-frontend.min.css

migrate: install
	$(PY) manage.py migrate --noinput

seed: migrate
	$(PY) manage.py seed_demo
	$(PY) manage.py deadlines_roll

run: seed
	$(PY) manage.py collectstatic --noinput --verbosity 0
	@echo "Starting the portal on http://127.0.0.1:$(PORT) with a Celery worker and beat."
	$(PY) -m epep.runall --port $(PORT)

# The whole suite except the parts that need servers CI provides (integration) and
# Chromium (browser); .ci/run runs those too.
test: install
	DJANGO_SETTINGS_MODULE=epep.settings.test $(PY) -m pytest -m "not integration and not browser" -q

# Chromium and its driver from Debian, for the browser tests; Java for the Nu HTML checker;
# docker-compose to validate docker-compose.yml (no Docker engine needed). Root only.
ci-deps:
	@if ! command -v chromedriver >/dev/null 2>&1 || ! command -v chromium >/dev/null 2>&1; then \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver; fi
	@command -v java >/dev/null 2>&1 || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends default-jre-headless)
	@command -v docker-compose >/dev/null 2>&1 || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends docker-compose)

test-integration: install
	DJANGO_SETTINGS_MODULE=epep.settings.test $(PY) -m pytest -m integration -q

test-browser: install ci-deps
	DJANGO_SETTINGS_MODULE=epep.settings.test $(PY) -m pytest -m browser -q

lint: install audit typecheck
	$(VENV)/bin/ruff check .
	$(VENV)/bin/bandit -q -c pyproject.toml -r accounts children education imports peps deadlines quality targets meetings epep

# Types (mypy with django-stubs over the portal's code) and the floors (import-linter's
# contracts in pyproject.toml; ARCHITECTURE.md explains them). CI runs this.
typecheck: install
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports

# Every pinned package of both lock files against PyPI's vulnerability data (the
# advisories of the Python Packaging Advisory Database, served by pypi.org); fails on any
# known vulnerability. Needs to reach pypi.org.
audit: install
	$(VENV)/bin/pip-audit --progress-spinner off --strict --disable-pip --require-hashes -r requirements/production.txt
	$(VENV)/bin/pip-audit --progress-spinner off --strict --disable-pip --require-hashes -r requirements/test.txt

# Backups (README "Backups and restore"): the database (pg_dump custom format) and every
# file under MEDIA_ROOT, with a manifest of SHA-256 hashes and row counts, into a new
# directory under BACKUP_DIR. Restore checks the hashes first, then every file and row
# count after: `make restore BACKUP=var/backups/epep-20261201T020000Z` into an empty
# database and MEDIA_ROOT (add REPLACE=1 to overwrite them). Both use DATABASE_URL and
# MEDIA_ROOT from the environment, and need pg_dump/pg_restore of the server's version.
BACKUP_DIR ?= var/backups
backup: $(VENV)/.installed
	$(PY) manage.py backup --into $(BACKUP_DIR)

restore: $(VENV)/.installed
	@test -n "$(BACKUP)" || { echo "Usage: make restore BACKUP=<backup directory> [REPLACE=1]"; exit 2; }
	$(PY) manage.py restore $(BACKUP) $(if $(REPLACE),--replace)

clean:
	rm -rf $(VENV) node_modules tests/oidc/node_modules static/govuk var

# PEP deadlines at national scale (85,000 children in 153 LAs) on PostgreSQL: generate the
# data (SCALE=0.1 for a quick run) into a database of its own, then time flag_overdue.
.PHONY: bench-deadlines
BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/epep_bench
SCALE ?= 1
bench-deadlines: install
	DATABASE_URL=$(BENCH_DATABASE_URL) $(PY) bench/generate_national.py --scale $(SCALE)
	DATABASE_URL=$(BENCH_DATABASE_URL) $(PY) bench/bench_flag_overdue.py
