"""The SLA Report project: its folder, and what its dbt project declares, read without dbt.

The KPIs a project declares (a column with meta.kpi in a model of the
`kpi_models` var) are read here once for the checks that run before dbt:
the reference seeds' targets and the agreement texts. After the build, the
manifest is the source of truth (generator.report.kpis.discover_kpis reads
the same meta.kpi with kpi_meta).
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import yaml

from generator.exceptions import ConfigError


def project_root() -> Path:
    """Return the folder of this package's own repository (its demo project)."""
    return Path(__file__).resolve().parent.parent.parent


def find_project(project_dir: Path | str | None = None) -> Path:
    """Return the project folder: --project-dir if given, else the current directory.

    dbt and MkDocs take the project from the current directory, and so do we
    (issue #10): inside a copy of the project, the copy is built, never the
    installed package's own folder.
    """
    if project_dir is not None:
        root = Path(project_dir).resolve()
        if not (root / "dbt_project.yml").is_file():
            raise ConfigError(
                f"--project-dir {root}: not an SLA Report project (no dbt_project.yml there)"
            )
        return root
    here = Path.cwd().resolve()
    if not (here / "dbt_project.yml").is_file():
        raise ConfigError(
            f"{here} is not an SLA Report project (no dbt_project.yml here): "
            "run the command inside the project folder, or pass "
            "--project-dir DIR"
        )
    return here


# libyaml when present: a build reads every model's YAML before dbt starts.
FAST_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def declared_kpis(project_dir: Path, kpi_models: list[str]) -> set[str]:
    """Return the KPI ids the models' YAML declares (meta.kpi), read without dbt.

    Lets the reference seeds' targets and the agreement texts be checked
    before the dbt build; the manifest stays the source of truth for
    everything else. A YAML file that does not parse is skipped: dbt reports
    it with more context.
    """
    wanted = set(kpi_models)
    found: set[str] = set()
    for path in sorted((project_dir / "models").rglob("*.yml")):
        text = path.read_text(encoding="utf-8")
        # A file that never names a KPI model cannot declare its columns:
        # parsing all 70 YAML files was a tenth of a text edit (issue #23).
        if not any(model in text for model in wanted):
            continue
        try:
            document = yaml.load(text, Loader=FAST_LOADER) or {}
        except yaml.YAMLError:
            continue
        for model in (document.get("models") or []) if isinstance(document, dict) else []:
            if model.get("name") not in wanted:
                continue
            for column in model.get("columns") or []:
                if kpi_meta(column) and column.get("name"):
                    found.add(column["name"])
    return found


def dbt_project(project_dir: Path) -> dict:
    """Return dbt_project.yml, the one place the generator reads that file.

    Read again only when the file changed (the live preview edits it), so a
    build, its pre-checks, the target and a load share one read.
    """
    path = project_dir / "dbt_project.yml"
    try:
        stamp = path.stat().st_mtime_ns
    except OSError as error:
        raise ConfigError(f"{path}: cannot read ({error.strerror})") from None
    return dict(_read_project(path, stamp))


def project_vars(project_dir: Path) -> dict:
    """Return dbt_project.yml's `vars:`."""
    return dict(dbt_project(project_dir).get("vars") or {})


@lru_cache(maxsize=8)
def _read_project(path: Path, stamp: int) -> dict:
    try:
        document = yaml.load(path.read_text(encoding="utf-8"), Loader=FAST_LOADER) or {}
    except yaml.YAMLError as error:
        raise ConfigError(f"{path}: not valid YAML: {error}") from None
    return document if isinstance(document, dict) else {}


def project_kpi_models(project_vars: dict) -> list[str]:
    """Return the kpi_models var from dbt_project.yml's vars."""
    models = project_vars.get("kpi_models")
    if not isinstance(models, list) or not models:
        raise ConfigError("dbt_project.yml: vars.kpi_models must list the KPI models")
    return [str(model) for model in models]


def kpi_meta(column: dict) -> dict | None:
    """Return a model column's meta.kpi (under `meta:` or `config: meta:`), or None."""
    return (column.get("meta") or {}).get("kpi") or (
        (column.get("config") or {}).get("meta") or {}
    ).get("kpi")


def mkdocs_config(project_dir: Path) -> dict:
    """Return the project's mkdocs.yml as MkDocs itself reads it.

    MkDocs' own loader: `!ENV`, `!relative`, `INHERIT` and Material's common
    `!!python/name:` settings (emoji, custom fences) all work, as they do for
    `mkdocs build`; a plain YAML reader fails on them.
    """
    from mkdocs.utils.yaml import yaml_load

    path = project_dir / "mkdocs.yml"
    try:
        with path.open("rb") as source:
            document = yaml_load(source)
    except OSError as error:
        raise ConfigError(f"{path}: cannot read ({error.strerror})") from None
    except yaml.YAMLError as error:
        raise ConfigError(f"{path}: not valid YAML: {error}") from None
    if not isinstance(document, dict):
        raise ConfigError(f"{path}: expected a mapping of MkDocs settings")
    return document
