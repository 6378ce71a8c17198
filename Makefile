# The two commands of the quick start are `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app app

.PHONY: run test test-fast check lint demo verify i18n-extract i18n-update i18n-compile i18n bench bench-quick bench-parts clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.runtime: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	$(BIN)/pip install --quiet --no-deps -e .
	touch $(VENV)/.runtime $@

run: $(VENV)/.runtime
	$(FLASK) consent init-db
	$(FLASK) consent demo --if-empty
	@# The worker delivers the outbox (mail) beside the server and stops with it.
	$(FLASK) consent worker & worker=$$!; trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
		$(FLASK) run --host 127.0.0.1 --port 5000

test: $(VENV)/.dev
	$(BIN)/python -m pytest

# The inner loop: SQLite only, no browser.
test-fast: $(VENV)/.dev
	$(BIN)/python -m pytest -k "not postgresql" -m "not browser"

# What CI runs: lint, import contracts, then the whole suite.
check: lint
	$(BIN)/lint-imports
	$(MAKE) test

lint: $(VENV)/.dev
	$(BIN)/ruff check consent tests bench app.py
	$(BIN)/ruff format --check consent tests bench app.py

verify: $(VENV)/.runtime
	$(FLASK) consent verify

# The write path on its own PostgreSQL against its floors, three runs (BENCHMARKS.md);
# bench-quick is the same at 1/10 scale. bench-parts: links, reachable, checkpoint.
bench: $(VENV)/.dev
	$(BIN)/python -m bench.write_path

bench-quick: $(VENV)/.dev
	$(BIN)/python -m bench.write_path --quick

bench-parts: $(VENV)/.dev
	$(BIN)/python -m bench.run

i18n-extract: $(VENV)/.dev
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -o translations/messages.pot --no-location --sort-output --width=100 .

i18n-update: i18n-extract
	$(BIN)/pybabel update -i translations/messages.pot -d translations --no-fuzzy-matching --width=100

i18n-compile: $(VENV)/.dev
	$(BIN)/pybabel compile -d translations --statistics

i18n: i18n-update i18n-compile

clean:
	rm -rf $(VENV) instance .pytest_cache .hypothesis
