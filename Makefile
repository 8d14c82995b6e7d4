# The two commands: `make run` and `make test`. Both start from a fresh Debian machine
# with Python 3.11, Node.js and npm.
PYTHON ?= python3.11
VENV   := .venv
PY     := $(VENV)/bin/python
PIP    := $(VENV)/bin/pip
PORT   ?= 8000
export DJANGO_SETTINGS_MODULE ?= epep.settings.local

DEBIAN_LIBS := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0

.PHONY: run test install system-deps assets migrate seed serve test-integration test-browser ci-deps lint bench clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet -e '.[test]'
	touch $@

node_modules/.installed: package.json
	npm install --no-audit --no-fund --loglevel=error
	touch $@

# The browser tests of council sign-in run a real OpenID Connect provider (the certified
# oidc-provider package) from tests/oidc, which has its own package.json and lock file.
tests/oidc/node_modules/.installed: tests/oidc/package.json tests/oidc/package-lock.json
	npm ci --prefix tests/oidc --no-audit --no-fund --loglevel=error
	touch $@

install: system-deps $(VENV)/.installed node_modules/.installed tests/oidc/node_modules/.installed assets

# WeasyPrint needs Pango and HarfBuzz from Debian. As root we install them; otherwise we
# print the command and stop.
system-deps:
	@missing=""; for lib in $(DEBIAN_LIBS); do \
	  dpkg -s $$lib >/dev/null 2>&1 || missing="$$missing $$lib"; done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing; \
	  else \
	    echo "WeasyPrint needs:$$missing"; \
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

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/bandit -q -c pyproject.toml -r accounts children peps targets meetings epep

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
