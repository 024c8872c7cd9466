# Two entry points for a fresh machine with Python 3.10+: `make deck` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: deck test check bench clean

$(VENV)/.deck-installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.test-installed: $(VENV)/.deck-installed
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

deck: $(VENV)/.deck-installed
	$(BIN)/qdeck build

test: $(VENV)/.test-installed
	$(BIN)/python -m pytest

check: $(VENV)/.deck-installed
	$(BIN)/qdeck build --check

bench: $(VENV)/.test-installed
	$(BIN)/python bench/run.py

clean:
	rm -rf build $(VENV)
