# Two commands set up everything on a fresh machine: `make demo` and `make test`.
# Both install what is missing (a virtualenv, the project, Debian's browser, database and
# Redis packages) and nothing when nothing changed.

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
APT_PACKAGES := chromium chromium-driver postgresql redis-server
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

# GOV.UK Frontend's published component examples: the checks beyond axe must stay quiet on
# them (tests/crawlers/checks/test_govuk_frontend.py). Fetched from the npm registry at a
# pinned version into a git-ignored cache, never committed.
GOVUK_FRONTEND_VERSION := 6.6.0
GOVUK_FRONTEND_DIR := .cache/govuk-frontend-$(GOVUK_FRONTEND_VERSION)
GOVUK_FRONTEND := $(GOVUK_FRONTEND_DIR)/package/dist/govuk/components/button/fixtures.json

.PHONY: install system-packages govuk-frontend demo test test-fast lint bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

system-packages:
	@missing=""; for p in $(APT_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "Installing Debian packages:$$missing"; \
	  $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $$missing; \
	fi

install: system-packages $(STAMP)

$(GOVUK_FRONTEND):
	@command -v npm >/dev/null 2>&1 || { echo "Installing Debian packages: nodejs npm"; \
	  $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends nodejs npm; }
	rm -rf $(GOVUK_FRONTEND_DIR) && mkdir -p $(GOVUK_FRONTEND_DIR)
	cd $(GOVUK_FRONTEND_DIR) && npm pack --silent govuk-frontend@$(GOVUK_FRONTEND_VERSION) >/dev/null \
	  && tar xzf govuk-frontend-$(GOVUK_FRONTEND_VERSION).tgz && rm govuk-frontend-$(GOVUK_FRONTEND_VERSION).tgz

govuk-frontend: $(GOVUK_FRONTEND)

demo: install
	$(BIN)/monitor demo run

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports

test: lint govuk-frontend
	$(BIN)/pytest

# The tests that need no browser, no database server and no Redis, and are not marked slow
# (real `monitor` processes, a seeded year of data, the fuzzers; `make test` runs those):
# the fake engine stands in for Chromium, SQLite for PostgreSQL. Under two minutes.
test-fast: install govuk-frontend
	$(BIN)/pytest -m "not browser and not postgres and not redis and not slow" -q

bench: install
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) data .cache .pytest_cache .mypy_cache .ruff_cache
