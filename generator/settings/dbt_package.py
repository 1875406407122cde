"""A team's own dbt project that installs sla_report as a dbt package (issue #22).

`sla-report build --project-dir <their project>` runs dbt in their project,
but the site's sources (mkdocs.yml, site/ with the theme override, the
default pages and the agreement texts, the reference seeds and the models'
YAML with each KPI's meta) are the package's. They are merged here into one
folder, the package's files first and the project's own over them, so a
team overrides a page, the theme or an agreement text by putting its own
file at the same path. Everything else reads that folder as it reads this
repository, and nothing here writes to either project.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import yaml

from generator.exceptions import ConfigError
from generator.settings.profiles import PACKAGE
from generator.settings.project import dbt_project

REFERENCE_TABLES = ("sla_agreements", "sla_targets", "holidays")
"""Reference seeds a project may replace with its own (the input_models var)."""


def read_project(project_dir: Path) -> dict:
    """Return a dbt_project.yml as a mapping (settings.project reads it), or a ConfigError."""
    if not (project_dir / "dbt_project.yml").is_file():
        raise ConfigError(f"{project_dir / 'dbt_project.yml'}: cannot be read: no such file")
    return dbt_project(project_dir)


def installed_package(project_dir: Path, project: dict) -> Path:
    """Return the folder where `dbt deps` installed sla_report in the project."""
    packages = project_dir / str(project.get("packages-install-path") or "dbt_packages")
    for candidate in sorted(packages.glob("*/dbt_project.yml")):
        try:
            name = dbt_project(candidate.parent).get("name")
        except ConfigError:
            continue
        if name == PACKAGE:
            return candidate.parent.resolve()
    raise ConfigError(
        f"{project_dir}: the dbt project {project.get('name')!r} does not install "
        f"{PACKAGE} ({packages} has no {PACKAGE} package): add it to packages.yml "
        "and run `dbt deps` (see docs/dbt-package.md)"
    )


def package_vars(package: dict, project: dict) -> dict:
    """Return the package's vars as dbt gives them to its models in the project.

    The project's vars override the package's: global ones, then those
    scoped to the package (`vars: {sla_report: {...}}`), as dbt resolves them.
    """
    values = dict(package.get("vars") or {})
    own = project.get("vars") or {}
    values.update({key: value for key, value in own.items() if key in values})
    scoped = own.get(PACKAGE)
    if isinstance(scoped, dict):
        values.update(scoped)
    return values


def site_sources(project_dir: Path, work_dir: Path) -> Path:
    """Return the folder of the site's sources: the project itself, or the merged folder.

    In this repository (or a copy) that is the project. In a project that
    installs sla_report as a package it is work_dir/sources, made again on
    every call: the package's files with the project's own site/, mkdocs.yml
    and reference seeds over them.
    """
    project = read_project(project_dir)
    if project.get("name", PACKAGE) == PACKAGE:
        return project_dir
    package_dir = installed_package(project_dir, project)
    merged = work_dir / "sources"
    if merged.exists():
        shutil.rmtree(merged)
    merged.mkdir(parents=True)
    shutil.copytree(package_dir / "site", merged / "site")
    shutil.copytree(package_dir / "seeds" / "reference", merged / "seeds" / "reference")
    for path in sorted((package_dir / "models").rglob("*.yml")):
        target = merged / path.relative_to(package_dir)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, target)
    shutil.copy2(
        project_dir / "mkdocs.yml"
        if (project_dir / "mkdocs.yml").is_file()
        else package_dir / "mkdocs.yml",
        merged / "mkdocs.yml",
    )
    if (project_dir / "site").is_dir():
        shutil.copytree(project_dir / "site", merged / "site", dirs_exist_ok=True)
    package = read_project(package_dir)
    values = package_vars(package, project)
    _copy_own_reference_seeds(
        project_dir, project, values.get("input_models") or {}, merged / "seeds" / "reference"
    )
    (merged / "dbt_project.yml").write_text(
        yaml.safe_dump({**package, "vars": values}, sort_keys=False, allow_unicode=True),
        encoding="utf-8",
    )
    return merged


def _copy_own_reference_seeds(
    project_dir: Path, project: dict, input_models: dict, folder: Path
) -> None:
    """Put the project's own agreement, targets and holidays seeds in place of the demo's.

    The generator checks the agreements (and writes their texts) before dbt
    runs, from the seed files: a reference table mapped to a model cannot be
    read then, so it is refused with the fix.
    """
    seed_paths = project.get("seed-paths") or ["seeds"]
    for table in REFERENCE_TABLES:
        name = input_models.get(table)
        if not name:
            continue
        found = [
            path
            for folder_name in seed_paths
            for path in sorted((project_dir / folder_name).rglob(f"{name}.csv"))
        ]
        if not found:
            raise ConfigError(
                f"input_models maps {table} to {name!r}, which is no seed of "
                f"{project_dir} ({' or '.join(seed_paths)}/**/{name}.csv): sla-report "
                "reads the agreement's seeds before dbt runs; make it a seed"
            )
        shutil.copy2(found[0], folder / f"{table}.csv")
