# The contract with every new user: `make run` and `make test` (see README).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
RUNTIME_STAMP := $(VENV)/.installed-runtime
DEV_STAMP := $(VENV)/.installed-dev
# npm writes this file on every install: axe-core for the accessibility tests (package-lock.json).
NODE_STAMP := node_modules/.package-lock.json
export DJANGO_SETTINGS_MODULE ?= config.settings.base

.PHONY: run test lint format migrate seed worker beat bench clean check-deploy venv lock messages

# `make run` needs only the runtime requirements; tests and linting add the dev ones. Both files are
# the lock (exact versions with hashes, generated from pyproject.toml by `make lock`): every install
# gets the same packages, and pip refuses a file whose hash differs.
$(RUNTIME_STAMP): requirements.txt
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Python 3.11+ is required, found " + sys.version.split()[0]'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	-$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet --require-hashes -r requirements.txt
	touch $(RUNTIME_STAMP)

$(DEV_STAMP): $(RUNTIME_STAMP) requirements-dev.txt
	$(BIN)/pip install --quiet --require-hashes -r requirements-dev.txt
	touch $(DEV_STAMP)

# Re-lock after editing the dependencies in pyproject.toml. Versions already locked are kept; to move
# one on: `make lock LOCK_ARGS="--upgrade-package django"` (or LOCK_ARGS=--upgrade for everything).
LOCK := $(BIN)/uv pip compile pyproject.toml --python-version 3.11 --generate-hashes --quiet \
	--custom-compile-command "make lock (edit pyproject.toml, not this file)" $(LOCK_ARGS)
lock: $(DEV_STAMP)
	$(LOCK) -o requirements.txt
	$(LOCK) --extra dev -c requirements.txt -o requirements-dev.txt

# Without npm the accessibility tests skip (and fail under REQUIRE_SERVICES=1, as in CI).
$(NODE_STAMP): package.json package-lock.json
	@if command -v npm >/dev/null; then npm ci --ignore-scripts --no-audit --no-fund --loglevel=error; \
	else echo "npm not found: the accessibility tests (axe-core) will not run (apt-get install npm)"; fi

venv: $(DEV_STAMP) $(NODE_STAMP)

run: $(RUNTIME_STAMP)
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo
	$(BIN)/python manage.py runserver 127.0.0.1:8000

# The settings module is set here because the environment would override pytest's ini.
# One pytest worker per core (pytest-xdist); the tests that drive real services share one worker
# (tests/conftest.py). PYTEST_WORKERS=0 runs everything in this process (for a debugger).
PYTEST_WORKERS ?= auto
test: $(DEV_STAMP) $(NODE_STAMP)
	DJANGO_SETTINGS_MODULE=config.settings.test $(BIN)/python -m pytest -n $(PYTEST_WORKERS) --dist loadgroup $(PYTEST_ARGS)

# lint-imports: the layers contract in pyproject.toml (README, "Architecture").
lint: $(DEV_STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

format: $(DEV_STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# The German catalogue (README "Languages"): collect every marked string into locale/de/LC_MESSAGES/django.po,
# then compile django.mo (both committed; tests/i18n/test_catalogue.py checks they are complete and fresh).
# Needs GNU gettext (apt-get install gettext).
MESSAGES_IGNORE := --ignore node_modules --ignore staticfiles --ignore tests --ignore bench --ignore .venv --ignore media
messages: $(RUNTIME_STAMP)
	$(BIN)/python manage.py makemessages -l de -e html,txt,py $(MESSAGES_IGNORE) --no-wrap --no-obsolete
	$(BIN)/python manage.py compilemessages -l de --ignore .venv --ignore node_modules

migrate: $(RUNTIME_STAMP)
	$(BIN)/python manage.py migrate --noinput

seed: $(RUNTIME_STAMP)
	$(BIN)/python manage.py seed_demo

worker: $(RUNTIME_STAMP)
	$(BIN)/celery -A config worker --loglevel=INFO

beat: $(RUNTIME_STAMP)
	$(BIN)/celery -A config beat --loglevel=INFO

check-deploy: $(RUNTIME_STAMP)
	DJANGO_SETTINGS_MODULE=config.settings.production SECRET_KEY=$$($(BIN)/python -c 'import secrets; print(secrets.token_urlsafe(64))') \
		$(BIN)/python manage.py check --deploy --fail-level WARNING

bench: $(DEV_STAMP)
	@test -f bench/run.sh || { echo "make bench: the benchmark is not built yet (bench/run.sh comes with the performance issue)."; exit 2; }
	bash bench/run.sh

clean:
	rm -rf $(VENV) node_modules staticfiles db.sqlite3 test-output
