# Thriving Places: the two commands a newcomer needs are `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
PYTEST_ARGS ?=

.DEFAULT_GOAL := help
.PHONY: help run serve install install-dev migrate data test test-fast lint format typecheck schema worker bench clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed ## Create the virtualenv and install the app

install-dev: $(VENV)/.installed-dev ## Install the app with test and lint tools

migrate: install ## Apply database migrations
	$(BIN)/python manage.py migrate --noinput

data: migrate ## Load the real baseline data (skips what is already loaded)
	$(BIN)/python manage.py load_baseline

run: data ## Install, migrate, load real data and serve on http://127.0.0.1:8000
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

serve: ## Serve without reinstalling or reloading
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

test: install-dev ## Run the whole test suite (SQLite, in-process tasks)
	$(BIN)/pytest $(PYTEST_ARGS)

lint: install-dev ## ruff lint + format check, mypy, migrations up to date
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy .
	DJANGO_SETTINGS_MODULE=tpi_site.settings.test DATABASE_URL=sqlite://:memory: $(BIN)/python manage.py makemigrations --check --dry-run

format: install-dev ## Apply ruff fixes and formatting
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

schema: install ## Write the OpenAPI schema to schema.yml and validate it
	$(BIN)/python manage.py spectacular --validate --fail-on-warn --file schema.yml

worker: install ## Run a Celery worker (needs REDIS_URL)
	$(BIN)/celery -A tpi_site worker --loglevel=INFO

bench: install-dev ## Run the benchmarks in bench/
	@for script in bench/*.py; do [ -e "$$script" ] || continue; echo "== $$script"; $(BIN)/python $$script || exit 1; done

clean: ## Remove the virtualenv, database and caches
	rm -rf $(VENV) var staticfiles .pytest_cache .mypy_cache .ruff_cache *.egg-info
