# One task runner for everything: `make demo`, `make test`, `make lint`, `make serve`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

OUT ?= build/site
# The nightly build reads this folder of raw files when set, else the demo.
SLA_REPORT_DATA ?=

.PHONY: install demo test lint lint-sql nightly previous-summary serve clean

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

# SQLFluff with the dbt templater; it compiles the project into a scratch database.
lint-sql: install
	mkdir -p build
	SLA_REPORT_DUCKDB_PATH=build/lint.duckdb $(BIN)/sqlfluff lint models data-tests

# What the nightly workflow runs: a strict build that replaces $(OUT) only on success.
nightly: install
	$(BIN)/sla-report build --out $(OUT) $(if $(SLA_REPORT_DATA),--data $(SLA_REPORT_DATA),)

# Put the published site's summary.json where the build reads it, so the new
# summary can say what changed. No URL, or nothing published yet: first build.
previous-summary:
	mkdir -p $(OUT)
	$(if $(PAGES_URL),curl -fsS "$(PAGES_URL)/summary.json" -o $(OUT)/summary.json || rm -f $(OUT)/summary.json,@echo "PAGES_URL not set: the summary will say this is a first build")

serve: install
	$(BIN)/sla-report serve

clean:
	rm -rf build target
