# The campus safety platform on a laptop or in CI. GNU make.
#
#   make run     install, migrate, seed a demo city once, start web + worker + beat
#   make test    install, run the test suite (pass pytest arguments in ARGS="...")
#   make lint    ruff, formatting, the import contracts (layers) and missing migrations
#   make bench   time calendar, coverage, inspections, drills, equipment, duty-log writes, dashboards and coordination at 3,000 schools
#   make bench-province   seed a province (30,000 schools) into its own database, time sweeps and pages there
#
# Everything installs into .venv with a Python 3.12+ found by scripts/find-python.

SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

VENV := .venv
PY := $(VENV)/bin/python
# Re-installs when the dependencies change, not on every run.
STAMP := $(VENV)/.installed

PORT ?= 8000
DEMO_PASSWORD ?= demo-pass-2026
DEMO_SCHOOLS ?= 200
DEMO_DAYS ?= 30
DEMO_SEED ?= 1
ARGS ?=

# `make bench` seeds its own SQLite database under var/bench unless given
# BENCH_DATABASE_URL, so it never wipes the demo (or DATABASE_URL's) data.
BENCH_SCHOOLS ?= 3000
BENCH_DAYS ?= 190
BENCH_HAZARDS ?= 200
BENCH_DATABASE_URL ?=
# `make bench-province`: a database of its own too (SQLite under var/bench-province
# unless PROVINCE_DATABASE_URL; PostgreSQL is what the README's figures are on).
PROVINCE_SCHOOLS ?= 30000
PROVINCE_DAYS ?= 30
PROVINCE_DATABASE_URL ?=

export PIP_DISABLE_PIP_VERSION_CHECK := 1
export PIP_ROOT_USER_ACTION := ignore

.PHONY: help install run test lint bench bench-province

help:
	@sed -n 's/^#   //p' $(MAKEFILE_LIST)

$(PY):
	python="$$(scripts/find-python)"; \
	echo "Creating $(VENV) with $$python"; \
	"$$python" -m venv $(VENV)

# pip 26+ understands --build-constraint, which the xstatic-bootstrap sdist
# needs to build with an older setuptools.
$(STAMP): pyproject.toml constraints/build.txt constraints/no-deps.txt | $(PY)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet --build-constraint constraints/build.txt -e '.[dev]'
	$(PY) -m pip install --quiet --no-deps -r constraints/no-deps.txt
	touch $@

install: $(STAMP)

# DEBUG defaults to on here only: a laptop wants tracebacks; production sets nothing.
run: export DEBUG ?= true
run: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py collectstatic --noinput --verbosity 0
	$(PY) manage.py seed_demo --if-empty --schools $(DEMO_SCHOOLS) --days $(DEMO_DAYS) \
		--seed $(DEMO_SEED) --password '$(DEMO_PASSWORD)'
	@echo
	@echo "  Open http://127.0.0.1:$(PORT)/ and sign in as admin, city, district1, district2,"
	@echo "  principal1, principal2, officer1, police1 or police2, with the password given"
	@echo "  when the demo data was first seeded (DEMO_PASSWORD, by default $(DEMO_PASSWORD))."
	@echo "  Ctrl-C stops the web server, the worker and beat together."
	@echo
	PATH="$(CURDIR)/$(VENV)/bin:$$PATH" $(VENV)/bin/honcho start -f Procfile -p $(PORT)

# One test process per core (pytest-xdist), each with its own database; a test
# class stays on one process, so its world is built once.
TEST_WORKERS ?= auto
test: install
	$(PY) -m pytest -q -n $(TEST_WORKERS) --dist loadscope $(ARGS)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports
	$(PY) manage.py makemigrations --check --dry-run

# The seed writes ten days of duty logs with their attendance; bench_coverage
# adds the rest of a school year of logs and coverage (--force: the logs already
# there are the seed's, in this database of the benchmark's own). bench_inspections
# likewise adds a school year of patrol and fire-patrol rounds to the seed's, and
# bench_hazards five years of hazards (about BENCH_HAZARDS a school) to the demo's ledger;
# bench_drills times the term's drill compliance on the seed's term of drills.
# bench_equipment replaces the seed's stock with ~100 pieces a school and gives
# one piece a long history. bench_dashboards times the nightly snapshot of every
# indicator and the city and district dashboards read from it, beside raw SQL.
# bench_coordination times the city's and districts' meeting cadence and its sweep
# beside raw SQL, and weighs the meeting form. bench_sweeps times every reminder
# sweep beside its floor, and each fanned-out one on two worker processes; its
# medians are kept for bench-province to print the growth against.
bench: export VAR_DIR := $(CURDIR)/var/bench
bench: export DATABASE_URL := $(BENCH_DATABASE_URL)
bench: install
	$(PY) manage.py migrate --noinput --verbosity 0
	$(PY) manage.py seed_demo --reset --schools $(BENCH_SCHOOLS) --days 10 \
		--password bench-only
	$(PY) manage.py bench_calendar --days $(BENCH_DAYS)
	$(PY) manage.py bench_coverage --synthesize --force --days $(BENCH_DAYS)
	$(PY) manage.py bench_inspections --synthesize --force --days $(BENCH_DAYS)
	$(PY) manage.py bench_drills
	$(PY) manage.py bench_writes
	$(PY) manage.py bench_equipment --synthesize --force
	$(PY) manage.py bench_hazards --synthesize --force --per-school $(BENCH_HAZARDS)
	$(PY) manage.py bench_dashboards
	$(PY) manage.py bench_coordination
	$(PY) manage.py bench_sweeps --repeat 1 --workers 2 --save $(VAR_DIR)/sweeps.json

# A province: the streaming seed of 30,000 schools (its time and peak memory
# printed by GNU time when installed), a month of duty logs and coverage added
# by bench_coverage, which then times the bureau's coverage, missed-day and
# duty-log pages and API; last, every reminder sweep over all the schools, with
# its growth from `make bench`'s 3,000 schools when that has run.
bench-province: export VAR_DIR := $(CURDIR)/var/bench-province
bench-province: export DATABASE_URL := $(PROVINCE_DATABASE_URL)
bench-province: install
	$(PY) manage.py migrate --noinput --verbosity 0
	$$(command -v /usr/bin/time >/dev/null && echo /usr/bin/time -v) \
		$(PY) manage.py seed_demo --reset --schools $(PROVINCE_SCHOOLS) --days 10 \
		--password bench-only
	$(PY) manage.py bench_coverage --synthesize --force --days $(PROVINCE_DAYS)
	$(PY) manage.py bench_sweeps --repeat 1 --workers 2 \
		$$(test -f var/bench/sweeps.json && echo --against var/bench/sweeps.json)
