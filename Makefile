# Two commands on a fresh machine: `make run` and `make test`. Both are safe to run again.
SHELL := /bin/bash
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
HOST ?= 127.0.0.1
PORT ?= 8000

# Python 3.12 or newer: python3.12 (pyenv reads .python-version), else python3 if new enough.
PYTHON ?= $(shell for p in python3.12 python3.13 python3; do \
	command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null \
	&& { echo $$p; break; }; done)

.PHONY: run test install lint format migrate seed worker beat clean bench

# DEBUG is off unless the environment turns it on; the development targets turn it on (an
# exported DEBUG=false wins). `make test` leaves it off: the suite runs with production settings.
run migrate seed .seeded worker beat: export DEBUG ?= true

$(PY):
	@test -n "$(PYTHON)" || { echo "Python 3.12 or newer is needed."; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $@

install: $(VENV)/.installed

migrate: install
	$(PY) manage.py migrate --noinput

# Seeds the small demo data once; `make seed` again is harmless (seed_demo is idempotent).
.seeded: | migrate
	$(PY) manage.py seed_demo --scale small
	touch $@

seed: migrate
	$(PY) manage.py seed_demo --scale small

run: migrate .seeded
	@$(PY) manage.py demo_logins
	$(PY) manage.py runserver $(HOST):$(PORT)

worker: install
	$(BIN)/celery -A mathshub worker --loglevel=info

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Two processes: the suite runs in about half the time on a 2-core machine.
PYTEST_ARGS ?= -n 2

test: install
	$(BIN)/pytest $(PYTEST_ARGS)

# The benchmark (README, "Performance"): creates, migrates and seeds the national demo data once
# (PostgreSQL: DATABASE_URL, by default the mathshub_bench database on 127.0.0.1), serves it with
# gunicorn and DEBUG off, prints the table. About five minutes; BENCH_ARGS=--help for options.
BENCH_ARGS ?=

bench: install
	$(PY) scripts/bench.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles .seeded

beat: install
	$(BIN)/celery -A mathshub beat --loglevel=info
