# One command to run the portal, one to test it. Both set everything up.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export FLASK_APP := portal

.PHONY: run test install check frontend migrate demo clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

# A random key for local use, kept in instance/ (ignored by git), unless
# SECRET_KEY is already set in the environment.
SECRET_FILE := instance/secret_key
$(SECRET_FILE):
	mkdir -p instance
	$(PYTHON) -c 'import secrets; print(secrets.token_hex(32))' > $@
	chmod 600 $@
WITH_SECRET = SECRET_KEY=$${SECRET_KEY:-$$(cat $(SECRET_FILE))}

migrate: $(STAMP) $(SECRET_FILE)
	$(WITH_SECRET) $(BIN)/flask db upgrade

demo: migrate
	$(WITH_SECRET) $(BIN)/flask demo

## make run: set up, migrate, load the demo case and serve on http://127.0.0.1:5000
run: demo
	$(WITH_SECRET) $(BIN)/python -m portal.serve

## make test: set up, lint, then the whole suite
test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python -m pytest

## make frontend: rebuild the editor bundle and GOV.UK assets into portal/static
frontend:
	cd frontend && npm ci --no-audit --no-fund && npm run build

clean:
	rm -rf $(VENV) instance .pytest_cache
