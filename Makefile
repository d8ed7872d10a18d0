# The two commands of the README: `make demo` and `make test`. Everything else is a helper.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-dev

.PHONY: demo prod test install lint migrations-check lock worker beat clean bench

$(PY):
	$(PYTHON) -m venv $(VENV)

$(STAMP): requirements/dev.txt | $(PY)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements/dev.txt
	touch $(STAMP)

install: $(STAMP)

## Install, migrate, load the demo world, start localstripe and serve the site.
demo: install
	bin/demo

## The production-shaped stack (Procfile: gunicorn, Celery worker and beat) on production
## settings, this machine's PostgreSQL and Redis, and localstripe (README, "Production").
prod: install
	bin/prod

## Install what the tests need and run lint, the migration check and the whole suite; then,
## on PostgreSQL, the storefront's, CMS's and evaluators' suites again with their pages'
## reads on a real streaming replica (bin/test-through-replica; not when PYTEST_ARGS picks).
test: install lint migrations-check
	$(PY) -m pytest $(PYTEST_ARGS)
	$(if $(PYTEST_ARGS),,PY=$(PY) bin/test-through-replica)

## Style, and the layer contracts of pyproject.toml (docs/architecture.md, "Layers").
lint:
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports --no-logo --no-cache

migrations-check:
	$(PY) manage.py makemigrations --check --dry-run

## Benchmarks on PostgreSQL (DATABASE_URL=postgres://…): one table of figures.
bench: install
	$(PY) -m bench.run

## Re-pin dependencies after editing requirements/*.in.
lock: | $(PY)
	$(PY) -m pip install --quiet pip-tools
	$(VENV)/bin/pip-compile --quiet --strip-extras --no-header -o requirements/base.txt requirements/base.in
	$(VENV)/bin/pip-compile --quiet --strip-extras --no-header -o requirements/dev.txt requirements/dev.in

## A Celery worker and beat against CELERY_BROKER_URL (see README).
worker: install
	$(VENV)/bin/celery -A config worker --loglevel=info
beat: install
	$(VENV)/bin/celery -A config beat --loglevel=info

clean:
	rm -rf var/ .pytest_cache .ruff_cache
