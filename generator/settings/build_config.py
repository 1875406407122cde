"""The build configuration: one typed object with everything a build needs to know.

It is made and validated once (generator.commands.configure.make_config),
then only read: by the dbt runner, the rebuild plan and the generator.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

from generator.settings.profiles import EMBEDDED, Target


@dataclass(frozen=True)
class BuildConfig:
    """Everything one `sla-report build` needs to know."""

    project_dir: Path
    """Folder with dbt_project.yml, mkdocs.yml, site/ and seeds/."""

    out_dir: Path
    """Where the published site goes; replaced only by a complete build."""

    work_dir: Path
    """Scratch folder for dbt artifacts, the database and the staged docs."""

    as_of: date
    """Evaluate every KPI as of the end of this local day; later rows are ignored."""

    data_dir: Path | None = None
    """Folder of raw CSV/Parquet files; None means the committed demo seeds."""

    raw_files: dict[str, Path] = field(default_factory=dict)
    """Raw table name -> file, resolved from data_dir (empty for the demo)."""

    built_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    """When this build started (UTC), printed on every page."""

    unit_tests: bool = False
    """Also run dbt's unit tests (make test and CI do; site builds skip them)."""

    memory_limit: str | None = None
    """DuckDB's memory_limit ('8GB', '50%'); beyond it, work spills to disk."""

    source: str = "contract"
    """The CRM the raw files come from: contract, salesforce or hubspot (issue #9)."""

    source_settings: dict = field(default_factory=dict)
    """The org's choices for that CRM (crm_source.yml, defaults filled in)."""

    source_columns: dict[str, dict[str, str | None]] = field(default_factory=dict)
    """Raw table -> staging column -> the header found in the file (non-contract sources)."""

    unavailable: dict[str, str] = field(default_factory=dict)
    """Raw table -> why the team does not have it (declared, or no rows): its KPIs are no data."""

    missing_inputs: dict[str, str] = field(default_factory=dict)
    """The contract inputs (tables, columns) the team lacks -> why (issue #19), from
    `unavailable` (generator.inputs.source_tables.missing_inputs)."""

    attribution: dict | None = None
    """crm_source.yml `attribution:` ({rule, channels}); None: the project's default (issue #19)."""
    crm_links: dict | None = None
    """sla-report.yml `crm_links:` (a lead URL template, issue #20): pages only, no dbt var."""

    target: Target = Target(name="duckdb", type=EMBEDDED)
    """The dbt profile target the models run on (issue #13): embedded DuckDB by default."""

    locale: str = "en"
    """The site's language and formats (Babel's name: en, th, pt_BR), issue #14."""

    currency: str = "USD"
    """ISO 4217 code of the amounts in the data (USD, THB, BRL); nothing is converted."""

    raw_hashes: dict[Path, str] = field(default_factory=dict)
    """Content hashes the input check recorded, by clean copy, for files unchanged
    since (issue #23): the rebuild planner does not read them again."""

    sources_dir: Path | None = None
    """The site's sources (mkdocs.yml, site/, seeds/reference, the models' YAML) when
    they are not project_dir's: a project that installs sla_report as a dbt package
    (generator/settings/dbt_package.py, issue #22)."""

    @property
    def site_root(self) -> Path:
        """Return the folder of mkdocs.yml, site/, the reference seeds and the models' YAML."""
        return self.sources_dir or self.project_dir

    @property
    def inputs_dir(self) -> Path:
        """Return the folder of the raw files' clean copies and their last good checks."""
        return input_cache_dir(self.work_dir)

    @property
    def database_path(self) -> Path:
        """Return the DuckDB file of the last successful dbt build (the generator reads it)."""
        return self.work_dir / "sla_report.duckdb"

    @property
    def building_database_path(self) -> Path:
        """Return the fresh DuckDB file dbt writes; it replaces database_path on success."""
        return self.work_dir / "sla_report.building.duckdb"

    @property
    def scratch_path(self) -> Path:
        """Return the DuckDB file of the last good build's staging and intermediate tables.

        Issue #23: kept between builds, so an edited mart or report model is
        rebuilt from them without making every staging table again.
        """
        return self.work_dir / "sla_report.scratch.duckdb"

    @property
    def building_scratch_path(self) -> Path:
        """Return the scratch file a build writes; it replaces scratch_path on success."""
        return self.work_dir / "sla_report.scratch.building.duckdb"

    @property
    def target_dir(self) -> Path:
        """Return dbt's target folder (manifest.json, run_results.json)."""
        return self.work_dir / "target"

    @property
    def dbt_vars(self) -> dict:
        """Return the --vars passed to dbt."""
        values: dict = {"as_of": self.as_of.isoformat()}
        # Issue #19: the models make the KPIs that need a missing input no
        # data, with the reason; on every target, so a warehouse's tables
        # say what the site says.
        if self.missing_inputs:
            values["missing_inputs"] = self.missing_inputs
        if self.attribution is not None:
            values["attribution"] = self.attribution
        if self.target.is_warehouse:
            # The raw tables are the warehouse's (sla-report load, or the
            # team's own pipeline), never the demo seeds.
            values["load_source_data"] = False
        if self.raw_files:
            values["raw_files"] = {name: str(path) for name, path in self.raw_files.items()}
            values["load_source_data"] = False
        if self.source != "contract":
            # Only for other CRMs: the contract's vars, and its builds, stay as they were.
            values["crm_source"] = self.source
            values["source_settings"] = self.source_settings
            values["source_columns"] = self.source_columns
        return values


def input_cache_dir(work_dir: Path) -> Path:
    """Return a work folder's folder of checked raw files (generator/inputs/check_cache.py)."""
    return work_dir / "inputs"
