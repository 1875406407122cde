# One task runner for everything: `make demo`, `make test`, `make lint`, `make serve`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: install demo test lint serve clean

# The stamp is remade whenever pyproject.toml changes.
$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

install: $(VENV)/.installed

demo: install
	$(BIN)/sla-report build

test: install
	$(BIN)/pytest

lint: install
	$(BIN)/ruff check generator tests benchmarks

serve: install
	$(BIN)/sla-report serve

clean:
	rm -rf build target
