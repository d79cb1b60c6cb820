# Visa Case Portal: the README names `make run` and `make test`; the rest are conveniences.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
# Packages and modules mypy checks (make lint); the rest is read for types, its errors not shown.
MYPY_PATHS := portal eligibility cases/services cases/selectors cases/permissions.py

# requirements*.txt name our dependencies; requirements*.lock (pip-compile, with hashes) pin
# every package and are what gets installed. After editing a .txt file run `make lock`.
PIP_COMPILE := $(VENV)/bin/pip-compile --quiet --generate-hashes --allow-unsafe --strip-extras \
	--no-emit-index-url --no-emit-find-links --no-emit-trusted-host

.PHONY: run test lint format bench check clean lock

$(VENV)/.installed: requirements.txt requirements.lock
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed (set PYTHON=python3.11)")'
	@$(PYTHON) bin/check-lock
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --require-hashes --no-deps -r requirements.lock
	touch $@

$(VENV)/.dev-installed: $(VENV)/.installed requirements-dev.txt requirements-dev.lock
	@$(PYTHON) bin/check-lock
	$(PY) -m pip install --quiet --require-hashes --no-deps -r requirements-dev.lock
	touch $@

## run: set up everything (SQLite, no services) and start the portal, a Celery worker and beat
run: $(VENV)/.installed
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_demo
	HOST=$(HOST) PORT=$(PORT) bin/run-local

## test: install the dev requirements and run the whole suite (PostgreSQL if DATABASE_URL is set)
test: $(VENV)/.dev-installed
	$(VENV)/bin/pytest $(PYTEST_ARGS)

lint: $(VENV)/.dev-installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy $(MYPY_PATHS)

format: $(VENV)/.dev-installed
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

check: $(VENV)/.dev-installed
	$(PY) manage.py check
	$(PY) manage.py makemigrations --check --dry-run

bench: $(VENV)/.dev-installed
	@for script in bench/*.py; do echo "== $$script"; $(PY) $$script || exit 1; done

## lock: re-resolve requirements*.lock from requirements*.txt (exact pins, hashes for every file);
## keeps the other locked versions (LOCK_ARGS=--upgrade moves every package to its newest)
lock:
	@test -x $(VENV)/bin/pip-compile || { $(PYTHON) -m venv $(VENV) && \
		$(PY) -m pip install --quiet "$$(grep '^pip-tools==' requirements-dev.txt)"; }
	$(PIP_COMPILE) $(LOCK_ARGS) --output-file requirements.lock requirements.txt
	$(PIP_COMPILE) $(LOCK_ARGS) --constraint requirements.lock \
		--output-file requirements-dev.lock requirements-dev.txt
	@$(PYTHON) bin/check-lock

clean:
	rm -rf var staticfiles .pytest_cache
