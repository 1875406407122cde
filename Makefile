# One task runner for everything: `make demo`, `make test`, `make lint`, `make serve`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

OUT ?= build/site
# The nightly build reads this folder of raw files; without it `make nightly`
# fails rather than publish the demo every night (issue #11).
SLA_REPORT_DATA ?=
# Empty: the build's own default for --data (see README).
AS_OF ?=
# How many generated cases the property-based fuzz run tries (make fuzz).
FUZZ_EXAMPLES ?= 200

.PHONY: install demo test lint lint-sql nightly fuzz previous-summary serve clean

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
ifeq ($(strip $(SLA_REPORT_DATA)),)
	@echo "make nightly: SLA_REPORT_DATA is not set: no data source, nothing built. Set it to the folder of the night's raw export (repository variable SLA_REPORT_DATA); use 'make demo' for the demo." >&2
	@exit 3
endif
	$(BIN)/sla-report build --out $(OUT) --data $(SLA_REPORT_DATA) $(if $(AS_OF),--as-of $(AS_OF),)

# The long property-based run for the nightly checks: many generated raw
# tables and agreements (CI's share is the fixed, seeded examples in make test).
fuzz: install
	SLA_REPORT_FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) $(BIN)/pytest tests/test_fuzz.py -p no:cacheprovider

# Put the published site's summary.json where the build reads it, so the new
# summary can say what changed. No URL, or nothing published yet: first build.
previous-summary:
	mkdir -p $(OUT)
	$(if $(PAGES_URL),curl -fsS "$(PAGES_URL)/summary.json" -o $(OUT)/summary.json || rm -f $(OUT)/summary.json,@echo "PAGES_URL not set: the summary will say this is a first build")

serve: install
	$(BIN)/sla-report serve

clean:
	rm -rf build target
