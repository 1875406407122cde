# One task runner for everything: `make demo`, `make test`, `make lint`, `make serve`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

# Empty: the site folder of sla-report.yml (`out:`), else build/site. SITE_DIR
# asks the CLI, after install, so make and sla-report always agree.
OUT ?=
SITE_DIR = $(or $(OUT),$(shell $(BIN)/sla-report settings --get out))
# The nightly build reads this folder of raw files; without it `make nightly`
# fails rather than publish the demo every night (issue #11).
SLA_REPORT_DATA ?=
# Or a warehouse (issue #13): a profiles.yml target (postgres, spark, your
# own) whose raw schema holds the night's tables; credentials come from the
# environment (see profiles.yml). Empty or duckdb: the files above.
SLA_REPORT_TARGET ?=
# Or a CRM to pull first (issue #21): hubspot or salesforce. `sla-report pull`
# fetches what changed since the last good pull into SLA_REPORT_DATA, then the
# build reads that folder; the token comes from the environment (a secret).
SLA_REPORT_PULL ?=
# The extra that installs the target's dbt adapter (pyproject.toml).
WAREHOUSE_EXTRA ?= $(filter postgres spark,$(SLA_REPORT_TARGET))
# Empty: the build's own default for --data (see README).
AS_OF ?=
# How many generated cases the property-based fuzz run tries (make fuzz).
FUZZ_EXAMPLES ?= 200

# Where `make screenshots` writes (CI keeps the folder as an artifact).
SCREENSHOTS ?= build/screenshots

.PHONY: install install-test browser warehouses demo docs test messages lint lint-sql nightly notify fuzz previous-summary serve bench bench-rebuild screenshots clean

# What the report needs to build and serve; the stamp is remade whenever
# pyproject.toml changes.
$(VENV)/.installed: pyproject.toml
	@test -d $(VENV) || echo "First run: installing dbt, DuckDB and MkDocs into $(VENV) (a few minutes), then the demo build (about 30 s)."
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet .
	touch $@

# The test and lint tools on top (pytest, ruff, sqlfluff), and the package
# installed editable, for developing it: only `make test` and the lint
# targets need them.
$(VENV)/.installed-test: $(VENV)/.installed
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

install: $(VENV)/.installed

install-test: $(VENV)/.installed-test

# Debian's chromium for the browser, accessibility and print tests (issue #12),
# and a font covering Thai for the Thai screenshot (issue #14):
# Playwright drives it by its path; `playwright install` would download a
# browser build, which fails where only the package registries are reachable.
browser:
	scripts/install-chromium
	scripts/install-thai-fonts

# PostgreSQL's server programs and Java for Spark (issue #13): the warehouse
# tests start their own throwaway PostgreSQL server and a local Spark.
warehouses:
	scripts/install-warehouses

demo: install
	$(BIN)/sla-report build

# The suite on every core (pytest-xdist): tests/conftest.py hands out groups
# (a module's tests stay together, in order, so its module-scoped builds are
# made once), the longest first, and the session's builds are made once for
# all workers. The 25 slowest tests are printed, to see where the time goes
# (issue #22), and the 25 that used the most CPU (tests/cpu_time.py): on 2
# cores a test's wall time also counts its wait for a core. One worker more
# than the cores: tests also wait (a browser's page loads, a local CRM
# server's delays, a build another worker is making), and on 2 cores 3
# workers finished a clean-clone run in 921 s against 956 s for 2.
# TEST_WORKERS=0 runs the suite in one process.
TEST_WORKERS ?= $(shell echo $$(( $$(nproc) + 1 )))
test: install-test browser warehouses
	$(BIN)/pytest -n $(TEST_WORKERS) --durations=25 --cpu-durations=25

# Re-extract every message the generator writes (babel.cfg) and merge it into
# the catalogs; new entries are empty until translated (tests/test_i18n.py
# fails on an empty or fuzzy entry of th or pt_BR).
messages: install-test
	$(BIN)/pybabel extract -F babel.cfg -o generator/locale/messages.pot --no-location \
		--sort-output --project sla-report --copyright-holder "SLA Report contributors" .
	$(BIN)/pybabel update -i generator/locale/messages.pot -d generator/locale \
		--width 100 --ignore-obsolete

# Ruff, then mypy on generator/ (its settings: [tool.mypy] in pyproject.toml).
lint: install-test
	$(BIN)/ruff format --check generator tests benchmarks
	$(BIN)/ruff check generator tests benchmarks
	$(BIN)/mypy

# SQLFluff with the dbt templater; it compiles the project into a scratch database.
lint-sql: install-test
	mkdir -p build
	SLA_REPORT_DUCKDB_PATH=build/lint.duckdb $(BIN)/sqlfluff lint models data-tests

# What the nightly workflow runs: a strict build that replaces $(OUT) only on
# success, after a pull from the CRM's API when SLA_REPORT_PULL names one.
nightly: install
ifneq ($(filter-out duckdb,$(strip $(SLA_REPORT_TARGET))),)
ifneq ($(strip $(WAREHOUSE_EXTRA)),)
	$(BIN)/pip install --quiet '.[$(WAREHOUSE_EXTRA)]'
endif
	$(BIN)/sla-report build $(if $(OUT),--out $(OUT),) --target $(SLA_REPORT_TARGET) $(if $(AS_OF),--as-of $(AS_OF),)
else
ifeq ($(strip $(SLA_REPORT_DATA)),)
	@echo "make nightly: SLA_REPORT_DATA is not set: no data source, nothing built. Set it to the folder of the night's raw export (repository variable SLA_REPORT_DATA), or SLA_REPORT_TARGET to a warehouse target; use 'make demo' for the demo." >&2
	@exit 3
endif
ifneq ($(strip $(SLA_REPORT_PULL)),)
	$(BIN)/pip install --quiet '.[pull]'
	$(BIN)/sla-report pull $(SLA_REPORT_PULL) --data $(SLA_REPORT_DATA)
	$(BIN)/sla-report build $(if $(OUT),--out $(OUT),) --source $(SLA_REPORT_PULL) --data $(SLA_REPORT_DATA) $(if $(AS_OF),--as-of $(AS_OF),)
else
	$(BIN)/sla-report build $(if $(OUT),--out $(OUT),) --data $(SLA_REPORT_DATA) $(if $(AS_OF),--as-of $(AS_OF),)
endif
endif

# The long property-based run for the nightly checks: many generated raw
# tables and agreements (CI's share is the fixed, seeded examples in make test).
fuzz: install-test
	SLA_REPORT_FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) $(BIN)/pytest tests/test_fuzz.py -p no:cacheprovider

# Put the published site's summary.json and history.json where the build reads
# them. summary.json is only compared with, so any failure means "first build".
# history.json holds the figures of closed periods as they were agreed: only
# "not published yet" (HTTP 404) starts a new record; any other failure stops
# here, so a network error cannot replace the record with today's figures.
previous-summary: install
	$(eval SITE := $(SITE_DIR))
	mkdir -p $(SITE)
ifdef PAGES_URL
	curl -fsS "$(PAGES_URL)/summary.json" -o $(SITE)/summary.json || rm -f $(SITE)/summary.json
	@status=$$(curl -sS -o $(SITE)/history.json -w '%{http_code}' "$(PAGES_URL)/history.json") \
		|| status=000; \
	case "$$status" in \
		200) echo "Fetched the published history.json";; \
		404) rm -f $(SITE)/history.json; \
			echo "No history.json published yet: this build starts the record";; \
		*) rm -f $(SITE)/history.json; \
			echo "Could not fetch $(PAGES_URL)/history.json (HTTP $$status): stopping" \
				"so the record of closed periods is not lost" >&2; exit 1;; \
	esac
else
	@echo "PAGES_URL not set: the summary will say this is a first build"
endif

# Post the night's news to a chat (issue #20). The webhook's address comes from
# SLA_REPORT_WEBHOOK_URL (a repository secret), never from a file. With
# PAGES_URL, the summary announced is the one just published there.
notify: install
ifdef PAGES_URL
	mkdir -p build/notify
	curl -fsS "$(PAGES_URL)/summary.json" -o build/notify/summary.json
	$(BIN)/sla-report notify --summary build/notify/summary.json --site-url "$(PAGES_URL)"
else
	$(BIN)/sla-report notify $(if $(OUT),--out $(OUT),)
endif

# The project's documentation (docs/, linked from the README) as a site in
# build/docs, built strictly with the same MkDocs as the report.
docs: install
	$(BIN)/mkdocs build --strict -f mkdocs.docs.yml

# Live preview: builds, serves on 127.0.0.1:8000, rebuilds on save.
serve: install
	$(BIN)/sla-report serve $(if $(OUT),--out $(OUT),)

# Build time, peak memory and the ratio to plain DuckDB at growing sizes,
# plus the demo (issue #8), then the analyst's loop after each: a text, a
# one-model and a seed edit (issue #23). For the largest: BENCH_SIZES=10m
# BENCH_ARGS="--repeat 1 --loop-repeat 0 --memory-limit 6GB" (DuckDB's
# share, so that the whole process stays within 8 GB); see
# benchmarks/bench_scale.py.
BENCH_SIZES ?= 10k,100k,1m
BENCH_ARGS ?=
bench: install
	$(BIN)/python benchmarks/bench_scale.py --demo --sizes $(BENCH_SIZES) $(BENCH_ARGS)

# The three rebuild times (text edit, one-model edit, full) on the demo.
bench-rebuild: install
	$(BIN)/python benchmarks/bench_rebuild.py

# A screenshot of every page of the demo, light and dark, in $(SCREENSHOTS).
screenshots: install-test browser
	$(BIN)/sla-report build --out build/screenshot-site
	$(BIN)/python scripts/screenshots.py build/screenshot-site $(SCREENSHOTS) --full-page

clean:
	rm -rf build target
