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

# Put the published site's summary.json and history.json where the build reads
# them. summary.json is only compared with, so any failure means "first build".
# history.json holds the figures of closed periods as they were agreed: only
# "not published yet" (HTTP 404) starts a new record; any other failure stops
# here, so a network error cannot replace the record with today's figures.
previous-summary:
	mkdir -p $(OUT)
ifdef PAGES_URL
	curl -fsS "$(PAGES_URL)/summary.json" -o $(OUT)/summary.json || rm -f $(OUT)/summary.json
	@status=$$(curl -sS -o $(OUT)/history.json -w '%{http_code}' "$(PAGES_URL)/history.json") \
		|| status=000; \
	case "$$status" in \
		200) echo "Fetched the published history.json";; \
		404) rm -f $(OUT)/history.json; \
			echo "No history.json published yet: this build starts the record";; \
		*) rm -f $(OUT)/history.json; \
			echo "Could not fetch $(PAGES_URL)/history.json (HTTP $$status): stopping" \
				"so the record of closed periods is not lost" >&2; exit 1;; \
	esac
else
	@echo "PAGES_URL not set: the summary will say this is a first build"
endif

serve: install
	$(BIN)/sla-report serve

clean:
	rm -rf build target
