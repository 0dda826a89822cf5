# occmaps: the commands a developer needs. `make run` serves the bundled real data; `make test`
# tests.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PORT ?= 8000

# Tests and one-off commands need a secret key and hosts; production sets its own.
TEST_ENV := SECRET_KEY=test-only-not-secret ALLOWED_HOSTS=testserver,localhost,127.0.0.1
DEV_ENV := DEBUG=true

.PHONY: install run test test-quick lint format bench clean

$(VENV)/.installed: pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $@

install: $(VENV)/.installed

run: install
	$(DEV_ENV) $(PY) manage.py migrate --no-input
	$(DEV_ENV) $(PY) manage.py load_bundled_data --if-empty
	$(DEV_ENV) $(PY) manage.py runserver 127.0.0.1:$(PORT)

# Two processes (the machine's cores); PYTEST_ARGS="-n 0 -x" for one, stopping at a failure.
test: install
	$(PY) -m coverage erase
	$(TEST_ENV) $(PY) -m coverage run -m pytest -n 2 --dist loadscope $(PYTEST_ARGS)
	$(PY) -m coverage combine --quiet
	$(PY) -m coverage report

# The inner loop: all but the whole-system tests (tests/system/), without coverage.
test-quick: install
	$(TEST_ENV) $(PY) -m pytest -n 2 --dist loadscope -q -m "not slow" $(PYTEST_ARGS)

lint: install
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(VENV)/bin/lint-imports
	$(TEST_ENV) $(PY) manage.py makemigrations --check --dry-run

format: install
	$(PY) -m ruff check --fix .
	$(PY) -m ruff format .

# Needs PostgreSQL (BENCH_PG_URL, default postgres://postgres@127.0.0.1:5432/postgres) and wrk;
# refreshes docs/performance.md. BENCH_ARGS="--databases sqlite" runs without PostgreSQL.
bench: install
	$(TEST_ENV) $(PY) benchmarks/run.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) staticfiles .coverage .coverage.* htmlcov
