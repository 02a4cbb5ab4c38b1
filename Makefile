# Two commands do everything on a fresh Debian machine with Python 3.11:
#   make workshop   set up, then serve the workshop at http://127.0.0.1:8866
#   make lab        set up, then open JupyterLab for self-paced study
#   make test       set up (packages, Chromium), then run the whole test suite
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8866
HOST ?= 127.0.0.1

.PHONY: workshop lab test check sync clean system-packages

workshop: $(VENV)/.run
	$(BIN)/rapport serve --host $(HOST) --port $(PORT)

lab: $(VENV)/.run
	$(BIN)/rapport lab

test: $(VENV)/.test system-packages
	$(BIN)/ruff check src tests
	$(BIN)/rapport check --strict
	$(BIN)/python -m pytest

check: $(VENV)/.run
	$(BIN)/rapport check --strict

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

# The suite drives Debian's Chromium (Playwright cannot download browsers here), starts its
# own PostgreSQL server and nginx proxy (tests/deploy/test_proxy.py) on free loopback ports,
# draws role-play maps with Graphviz, and installs JupyterHub's proxy from npm
# (tests/deploy/test_jupyterhub.py); all of these come from Debian's packages. The suite runs
# nginx's binary with a configuration of its own: it neither uses nor needs the nginx service
# the package may start.
system-packages:
	@missing=""; \
	[ -x /usr/bin/chromium ] || missing="$$missing chromium"; \
	ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1 || missing="$$missing postgresql"; \
	[ -x /usr/sbin/nginx ] || missing="$$missing nginx"; \
	[ -x /usr/bin/dot ] || missing="$$missing graphviz"; \
	command -v npm >/dev/null || missing="$$missing npm"; \
	if [ -n "$$missing" ]; then \
		if [ "$$(id -u)" = 0 ]; then \
			apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q $$missing; \
		else \
			echo "Missing Debian packages:$$missing. Run 'sudo apt-get install -y$$missing', then 'make test' again." >&2; \
			exit 1; \
		fi; \
	fi

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
