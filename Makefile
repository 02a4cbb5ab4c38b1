# Two commands do everything on a fresh Debian machine with Python 3.11:
#   make workshop   set up, then serve the workshop at http://127.0.0.1:8866
#   make test       set up (packages, Chromium), then run the whole test suite
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8866

.PHONY: workshop test lint check sync clean

workshop: $(VENV)/.run
	$(BIN)/rapport serve --host 127.0.0.1 --port $(PORT)

test: $(VENV)/.test /usr/bin/chromium
	$(BIN)/ruff check src tests
	$(BIN)/rapport check
	$(BIN)/python -m pytest

check: $(VENV)/.run
	$(BIN)/rapport check

sync: $(VENV)/.run
	$(BIN)/rapport sync

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.run: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.test: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e ".[test]"
	touch $(VENV)/.run $@

# Browser tests drive Debian's Chromium (Playwright cannot download browsers here).
/usr/bin/chromium:
	@if [ "$$(id -u)" = 0 ]; then \
		apt-get update -q && apt-get install -y -q chromium; \
	else \
		echo "Chromium is missing: run 'sudo apt-get install -y chromium', then 'make test' again." >&2; \
		exit 1; \
	fi

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
