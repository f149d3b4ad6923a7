# Fanworks: `make run` serves the archive, `make test` runs the whole suite.
# Both create .venv and install the pinned dependencies from requirements/*.lock on first use.

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
# Which databases `make test` runs the suite on; .ci/run asks for each one in turn.
TEST_DATABASES ?= sqlite postgres

.PHONY: run test test-clients lint format check-migrations install install-test lock bench clean-var help

help:
	@echo "make run     serve the archive on http://$(HOST):$(PORT) (demo content on first run)"
	@echo "make test    run the whole test suite (SQLite, PostgreSQL if reachable, Chromium journeys)"
	@echo "make test-clients  run only the AO3 client suite (FanFicFare, ao3-api, ao3-py)"
	@echo "make lint    ruff, formatting, mypy and the migrations check"
	@echo "make lock    re-pin requirements/*.lock from pyproject.toml"

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# The stamp files make a second run skip installing unless a lock file changed.
$(VENV)/.installed-base: requirements/base.lock pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -r requirements/base.lock
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e . 2>/dev/null || \
		$(BIN)/python -m pip install --quiet --no-deps -e .
	@touch $@

$(VENV)/.installed-test: $(VENV)/.installed-base requirements/test.lock
	$(BIN)/python -m pip install --quiet -r requirements/test.lock
	@touch $@

install: $(VENV)/.installed-base
install-test: $(VENV)/.installed-test

run: install
	$(BIN)/fanworks migrate --noinput
	$(BIN)/fanworks demo --if-empty
	HOST=$(HOST) PORT=$(PORT) $(BIN)/fanworks serve

test: install-test
	TEST_DATABASES="$(TEST_DATABASES)" $(BIN)/python scripts/run_tests.py $(PYTEST_ARGS)

# The AO3 client suite alone (tests/clients): pinned clients in a throwaway venv against a
# served scratch archive. `make test` runs it too, in its SQLite pass.
test-clients: install-test
	FANWORKS_VAR_DIR=$$(mktemp -d) DATABASE_URL= $(BIN)/python -m pytest -q -m "clients and not browser" tests/clients

lint: install-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy fanworks
	$(BIN)/fanworks manage makemigrations --check --dry-run

format: install-test
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

lock: | $(BIN)/python
	$(BIN)/python -m pip install --quiet pip-tools
	$(BIN)/pip-compile --quiet --strip-extras --no-emit-index-url --no-emit-find-links -o requirements/base.lock pyproject.toml
	$(BIN)/pip-compile --quiet --strip-extras --no-emit-index-url --no-emit-find-links --extra test -o requirements/test.lock pyproject.toml

bench: install-test
	$(BIN)/python bench/run_all.py

clean-var:
	rm -rf var
