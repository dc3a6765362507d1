# Two entry points for a newcomer: `make run` and `make test`. Both install into .venv/ from
# the committed lock files, so a fresh clone needs only Python 3.11+ and make.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
# Test processes (pytest-xdist, a file to each at a time); TEST_WORKERS=0 runs in this process.
TEST_WORKERS ?= 2

.PHONY: run test lint typecheck pytest seed lock clean screenshots

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
		{ echo "Python 3.11 or newer is needed (set PYTHON=python3.11)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.runtime: requirements.lock pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet --require-hashes -r requirements.lock
	$(BIN)/pip install --quiet --no-deps -e .
	touch $@

$(VENV)/.dev: requirements-dev.lock pyproject.toml $(VENV)/.runtime
	$(BIN)/pip install --quiet --require-hashes -r requirements-dev.lock
	touch $@

## Start the service on its embedded defaults (SQLite file, mails to files) with the real
## 2022 schedule and a clearly labelled demo schedule in the coming months.
run: $(VENV)/.runtime
	$(BIN)/courses seed seeds/employers.toml
	$(BIN)/courses seed seeds/schedule-2022.toml
	$(BIN)/courses seed seeds/schedule-2022.toml --demo
	$(BIN)/courses serve --host $(HOST) --port $(PORT)

## The OpenID provider the sign-in tests run (Node's oidc-provider, as locked), where npm is
## installed; without Node those tests are skipped (.ci/run installs it).
PROVIDER := tests/oidc_provider/node_modules/.package-lock.json
$(PROVIDER): tests/oidc_provider/package-lock.json
	@if command -v npm >/dev/null 2>&1; then \
		npm ci --prefix tests/oidc_provider --no-audit --no-fund --loglevel=error; \
	else echo "npm saknas: inloggningstesterna mot en OpenID-leverantör hoppas över"; fi

## Lint, type-check, check the architecture contracts, and run the whole test suite.
test: $(VENV)/.dev $(PROVIDER)
	$(BIN)/ruff check courses tests bench
	$(BIN)/ruff format --check courses tests bench
	$(BIN)/mypy
	$(BIN)/lint-imports
	$(BIN)/pytest --numprocesses=$(TEST_WORKERS) --dist=loadfile $(PYTEST_ARGS)

## The README's pictures of the pages (docs/screenshots/), taken in chromium (apt-get install
## chromium) against the seeded service, as the browser tests see it.
screenshots: $(VENV)/.dev
	$(BIN)/python -m tests.pages.screenshots docs/screenshots

## Re-create the lock files after changing dependencies in pyproject.toml (needs uv).
lock:
	uv pip compile pyproject.toml --python-version 3.11 --generate-hashes -q \
		-o requirements.lock --custom-compile-command "make lock"
	uv pip compile pyproject.toml --extra dev --python-version 3.11 --generate-hashes -q \
		-o requirements-dev.lock --custom-compile-command "make lock"

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache courses.db* mail-out
