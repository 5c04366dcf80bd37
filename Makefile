# One command to run the portal, one to test it. Both set everything up.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export FLASK_APP := portal

.PHONY: run run-cluster test install check frontend migrate demo clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

# A random key for local use, kept in instance/ (ignored by git). The portal
# reads it whenever SECRET_KEY is unset (portal/config.py), so `flask --app
# portal ...` typed by hand signs with the same key as `make run`. Written
# under umask 077 and renamed into place, so it is never readable by others
# nor left empty by a failed write.
SECRET_FILE := instance/secret_key
$(SECRET_FILE):
	mkdir -p instance
	umask 077 && $(PYTHON) -c 'import secrets; print(secrets.token_hex(32))' > $@.tmp && mv $@.tmp $@

migrate: $(STAMP) $(SECRET_FILE)
	$(BIN)/flask db upgrade

demo: migrate
	$(BIN)/flask demo

## make run: set up, migrate, load the demo case and serve on http://127.0.0.1:5000
run: demo
	$(BIN)/python -m portal.serve

## make run-cluster: two processes behind nginx on :5000 (needs PostgreSQL,
## Redis and Debian's nginx; DATABASE_URL, REDIS_URL and SECRET_KEY set)
run-cluster: demo
	$(BIN)/python -m realtime.cluster --processes 2

## make test: set up, lint, type-check, then the whole suite
test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/python -m pytest

## make frontend: rebuild the editor bundle and GOV.UK assets into portal/static
frontend:
	cd frontend && npm ci --no-audit --no-fund && npm run build

clean:
	rm -rf $(VENV) instance .pytest_cache
