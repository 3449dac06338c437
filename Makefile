# Two commands for a newcomer: `make run` and `make test`. Both need only Python 3.11+.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell sha1sum requirements.txt | cut -c1-12)

.PHONY: run test test-editor lint format messages manage bench clean-data frontend

$(STAMP): requirements.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@$(PY) -m pip install --quiet --upgrade pip
	@$(PY) -m pip install --quiet -r requirements.txt
	@rm -f $(VENV)/.installed-* && touch $(STAMP)

run: $(STAMP)
	$(PY) -m ezflow_site.launcher run

PYTEST_ARGS ?= -n 2 --dist loadfile

test: $(STAMP)
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	@$(MAKE) --no-print-directory test-editor
	$(PY) -m ezflow_site.launcher test $(PYTEST_ARGS)

# The editor's unit tests (Vitest) need Node and npm; without them they are skipped with a line saying so.
test-editor:
	@if command -v npm >/dev/null 2>&1; then \
	  cd frontend && { [ -d node_modules ] || npm ci --no-audit --no-fund --loglevel=error; } && npx vitest run; \
	else \
	  echo "[make test] npm not found: the editor unit tests (frontend/, Vitest) were skipped"; \
	fi

lint: $(STAMP)
	$(PY) -m ruff check .

format: $(STAMP)
	$(PY) -m ruff format .

# Refresh the Korean catalogue from the sources, then compile it (the .mo is committed).
messages: $(STAMP)
	$(PY) manage.py makemessages -l ko --no-obsolete --no-location -i ".venv/*" -i "node_modules/*" -i "tests/*" -i "bench/*" -i "frontend/*"
	$(PY) -m ezflow_site.compile_messages

manage: $(STAMP)
	$(PY) -m ezflow_site.launcher manage $(ARGS)

bench: $(STAMP)
	$(PY) -m ezflow_site.launcher bench $(BENCH)

# Rebuild the flow editor (frontend/, React + Vite) into static/editor/, which is committed. Needs Node 20 and npm.
frontend:
	cd frontend && npm ci --no-audit --no-fund --loglevel=error && npm run build
