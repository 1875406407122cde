"""Decide what a build must redo, from content hashes of its inputs (issue #10).

Three kinds of build, cheapest first:

- **pages**: nothing dbt reads changed (only agreement texts, site pages, page
  templates or mkdocs.yml did): re-render from the last good warehouse, no dbt;
- **models**: model SQL/YAML or singular data tests changed: dbt builds those
  models and everything downstream with their tests (`state:modified+` against
  the last good build's manifest, plus the models whose files we saw change),
  in a copy of the last good database. The staging and intermediate tables
  the last good build left in its scratch file are read as they are (issue
  #23); the file is copied only when the edit rebuilds one of them;
- **full**: anything else dbt reads changed (seeds, macros, generic tests,
  sources, dbt_project.yml and its vars, profiles, the raw data files, the
  installed dbt/DuckDB versions), `--full` was given, or there is no previous
  good build.

The state of the last good dbt build (its manifest, its node results and the
fingerprint of what it read) lives in `<work>/state/`; it is written only after
dbt succeeded, fingerprint last, so a crash in between means "rebuild more",
never "trust a stale table".
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import asdict, dataclass, field
from importlib import metadata
from pathlib import Path

import yaml

from generator.hashing import hash_bytes, hash_file
from generator.settings.build_config import BuildConfig
from generator.settings.environment import read
from generator.settings.project import FAST_LOADER

log = logging.getLogger(__name__)

# Installed versions that change what dbt produces.
PACKAGES = ("dbt-core", "dbt-duckdb", "duckdb", "sla-report")
# Environment variables profiles.yml reads (the target and where it points).
PROFILE_ENV = (
    "SLA_REPORT_TARGET",
    "SLA_REPORT_PG_HOST",
    "SLA_REPORT_PG_PORT",
    "SLA_REPORT_PG_USER",
    "SLA_REPORT_PG_DATABASE",
)
TEST_TYPES = {"test", "unit_test"}
SCRATCH_FOLDERS = ("models/staging/", "models/intermediate/")
"""Layers whose tables live in the scratch file (profiles.yml), apart from the report's."""


@dataclass(frozen=True)
class Fingerprint:
    """Content hashes of every input of the dbt build, by the kind of rebuild they need."""

    full: dict[str, str]
    """Input -> hash, for inputs whose change needs a full build."""

    models: dict[str, str]
    """Model SQL/YAML and singular data test path -> hash."""

    def to_json(self) -> str:
        """Return the fingerprint as JSON."""
        return json.dumps(asdict(self), indent=1, sort_keys=True)


@dataclass(frozen=True)
class Plan:
    """What this build will redo, and why."""

    mode: str
    """'full', 'models' or 'pages'."""

    reason: str
    """One line saying what changed."""

    changed_models: list[str] = field(default_factory=list)
    """Models (and singular tests) whose files changed, for mode 'models'."""

    models: int = 0
    """How many models dbt will build (mode 'models'; estimated from the last manifest)."""

    tests: int = 0
    """How many data and unit tests dbt will run (mode 'models'; estimated likewise)."""

    rebuilds_scratch: bool = False
    """Whether a staging or intermediate model is among `models` (mode 'models')."""

    def describe(self) -> str:
        """Return the line printed before the build starts."""
        if self.mode == "models":
            # Issue #20: the counts add up: the changed and downstream models
            # of the reason, and only those (issue #23).
            return (
                f"{self.reason}; rebuilding {_count(self.models, 'model')} "
                f"and {_count(self.tests, 'test')}"
            )
        if self.mode == "pages":
            return f"{self.reason}: re-rendering pages from the last good warehouse (no dbt)"
        return f"{self.reason}: full build"


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


def state_dir(config: BuildConfig) -> Path:
    """Return the folder holding the last good dbt build's manifest, results and fingerprint."""
    return config.work_dir / "state"


def _files(root: Path, folder: str) -> list[Path]:
    base = root / folder
    if not base.is_dir():
        return []
    return sorted(
        path for path in base.rglob("*") if path.is_file() and not path.name.startswith(".")
    )


def _declares_only_models(path: Path) -> bool:
    """Return whether a models/ YAML file declares models only (no sources, exposures...).

    Unit tests of the file's own models count as part of them: rebuilding a
    model with `<model>+` runs its unit tests, so an edited unit test needs
    no more than its model does.
    """
    try:
        document = yaml.load(path.read_text(encoding="utf-8"), Loader=FAST_LOADER) or {}
    except yaml.YAMLError:
        return False  # dbt will say what is wrong; rebuild everything meanwhile
    if not isinstance(document, dict) or not set(document) <= {"version", "models", "unit_tests"}:
        return False
    declared = {
        model.get("name") for model in document.get("models") or [] if isinstance(model, dict)
    }
    return all(
        isinstance(test, dict) and test.get("model") in declared
        for test in document.get("unit_tests") or []
    )


def _models_only(path: Path, relative: str, digest: str, previous: Fingerprint | None) -> bool:
    """Return _declares_only_models(path), from the last good build when the file is unchanged."""
    # Parsing the 70 YAML files was a tenth of an agreement-text edit (issue #23).
    if previous is not None and previous.models.get(relative) == digest:
        return True
    if previous is not None and previous.full.get(relative) == digest:
        return False
    return _declares_only_models(path)


def make_fingerprint(config: BuildConfig, previous: Fingerprint | None = None) -> Fingerprint:
    """Return the content hashes of everything the dbt build reads.

    `previous`, the last good build's: a models/ YAML file with the content
    it had then is sorted as it was then, without parsing it again.
    """
    root = config.project_dir
    full: dict[str, str] = {}
    models: dict[str, str] = {}
    for folder in ("seeds", "macros", "data-tests/generic"):
        for path in _files(root, folder):
            full[path.relative_to(root).as_posix()] = hash_file(path)
    for name in ("dbt_project.yml", "profiles.yml", "packages.yml", "dependencies.yml"):
        if (root / name).is_file():
            full[name] = hash_file(root / name)
    for path in _files(root, "models"):
        relative = path.relative_to(root).as_posix()
        digest = hash_file(path)
        if path.suffix == ".sql" or (
            path.suffix in (".yml", ".yaml") and _models_only(path, relative, digest, previous)
        ):
            models[relative] = digest
        else:
            full[relative] = digest
    for path in _files(root, "data-tests"):
        relative = path.relative_to(root).as_posix()
        if not relative.startswith("data-tests/generic/"):
            models[relative] = hash_file(path)
    # Without the raw files' paths: each file's content is hashed below, by
    # table, so a project or work folder moved elsewhere keeps its last good build.
    compared = {name: value for name, value in config.dbt_vars.items() if name != "raw_files"}
    full["vars"] = hash_bytes(json.dumps(compared, sort_keys=True).encode())
    # The pre-check hashed each clean copy once (issue #23): a copy whose stat
    # is the recorded one is not read again.
    for table, path in sorted(config.raw_files.items()):
        full[f"raw data: {table} ({path.name})"] = config.raw_hashes.get(path) or hash_file(path)
    for package in PACKAGES:
        try:
            full[f"package {package}"] = metadata.version(package)
        except metadata.PackageNotFoundError:
            full[f"package {package}"] = "absent"
    for name in PROFILE_ENV:
        full[f"environment {name}"] = read(name) or ""
    return Fingerprint(full=full, models=models)


@dataclass(frozen=True)
class LastGoodBuild:
    """What the last successful dbt build left behind."""

    fingerprint: Fingerprint
    manifest: dict
    results: list[dict]


def load_last_good(config: BuildConfig) -> LastGoodBuild | None:
    """Return the last good dbt build's state, or None when there is none usable."""
    folder = state_dir(config)
    try:
        raw = json.loads((folder / "fingerprint.json").read_text(encoding="utf-8"))
        manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
        results = json.loads((folder / "results.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not config.database_path.is_file() or not _scratch_is_as_saved(config, folder):
        return None
    return LastGoodBuild(Fingerprint(full=raw["full"], models=raw["models"]), manifest, results)


def _scratch_stamp(path: Path) -> dict:
    status = path.stat()
    return {"size": status.st_size, "mtime_ns": status.st_mtime_ns}


def _scratch_is_as_saved(config: BuildConfig, folder: Path) -> bool:
    """Return whether the last good build's scratch file is as it left it.

    A partial build that rebuilds no staging or intermediate table reads
    that very file (runner._prepare_target); should one have written to it
    anyway and failed, its tables are no longer the last good build's.
    """
    try:
        saved = json.loads((folder / "scratch.json").read_text(encoding="utf-8"))
        return bool(saved == _scratch_stamp(config.scratch_path))
    except (OSError, ValueError):
        return False


def save_last_good(
    config: BuildConfig, fingerprint: Fingerprint, manifest: dict, results: list[dict]
) -> None:
    """Record a successful dbt build: manifest and results first, the fingerprint last."""
    folder = state_dir(config)
    folder.mkdir(parents=True, exist_ok=True)
    for name, content in (
        ("manifest.json", json.dumps(manifest)),
        ("results.json", json.dumps(results)),
        ("scratch.json", json.dumps(_scratch_stamp(config.scratch_path))),
        ("fingerprint.json", fingerprint.to_json()),
    ):
        temporary = folder / f".{name}.tmp"
        temporary.write_text(content, encoding="utf-8")
        os.replace(temporary, folder / name)


def forget_last_good(config: BuildConfig) -> None:
    """Drop the fingerprint before the database is replaced (a crash then means: full)."""
    (state_dir(config) / "fingerprint.json").unlink(missing_ok=True)


def _changed(before: dict[str, str], after: dict[str, str]) -> list[str]:
    return sorted(key for key in before.keys() | after.keys() if before.get(key) != after.get(key))


def _summarise(paths: list[str], limit: int = 3) -> str:
    shown = ", ".join(paths[:limit])
    return shown + (f" and {len(paths) - limit} more" if len(paths) > limit else "")


def plan_build(
    config: BuildConfig, fingerprint: Fingerprint, last: LastGoodBuild | None, full: bool = False
) -> Plan:
    """Return what to rebuild, comparing this build's inputs with the last good build's."""
    if full:
        return Plan("full", "--full given")
    if config.target.is_warehouse:
        # Issue #13: dbt cannot tell whether a warehouse's raw tables changed
        # since the last build, so a warehouse build always runs everything.
        where = (
            "a dbt project that installs sla_report"
            if config.target.external
            else f"a {config.target.type} warehouse"
        )
        return Plan("full", f"target {config.target.name} is {where}")
    if last is None:
        return Plan("full", "no previous good build")
    changed_full = _changed(last.fingerprint.full, fingerprint.full)
    if changed_full:
        return Plan("full", f"changed: {_summarise(changed_full)}")
    changed = _changed(last.fingerprint.models, fingerprint.models)
    if not changed:
        return Plan("pages", "no model, seed, macro or data changed")
    removed = [path for path in changed if path not in fingerprint.models]
    if removed:
        return Plan("full", f"removed: {_summarise(removed)}")
    names = sorted({name for path in changed for name in _node_names(config.project_dir / path)})
    models, tests, downstream, rebuilds_scratch = _downstream(
        last.manifest, names, config.unit_tests
    )
    kind = (
        "models changed"
        if all(path.startswith("models/") for path in changed)
        else "models and tests changed"
    )
    reason = f"{kind}: {', '.join(names)}" + (f" (+{downstream} downstream)" if downstream else "")
    return Plan(
        "models",
        reason,
        changed_models=names,
        models=models,
        tests=tests,
        rebuilds_scratch=rebuilds_scratch,
    )


def _node_names(path: Path) -> list[str]:
    """Return the dbt node names a changed file defines (a model, its YAML, a singular test)."""
    if path.suffix == ".sql":
        return [path.stem]
    document = yaml.load(path.read_text(encoding="utf-8"), Loader=FAST_LOADER) or {}
    return [model["name"] for model in document.get("models") or [] if "name" in model]


def _downstream(
    manifest: dict, names: list[str], unit_tests_run: bool = False
) -> tuple[int, int, int, bool]:
    """Return (models, tests, downstream models, rebuilds scratch) dbt will build for `names+`.

    Estimated from the last good manifest: a brand-new model has no entry yet
    and counts as one model.
    """
    nodes = manifest.get("nodes", {})
    unit_tests = manifest.get("unit_tests", {})
    child_map = manifest.get("child_map", {})
    by_name = {node["name"]: unique_id for unique_id, node in nodes.items()}
    start = [by_name[name] for name in names if name in by_name]
    seen: set[str] = set(start)
    queue = list(start)
    while queue:
        for child in child_map.get(queue.pop(), []):
            if child not in seen:
                seen.add(child)
                queue.append(child)
    selected = {uid for uid in seen if nodes.get(uid, {}).get("resource_type") == "model"}
    new_models = [name for name in names if name not in by_name]
    tests = sum(1 for uid in seen if nodes.get(uid, {}).get("resource_type") in TEST_TYPES)
    if unit_tests_run:
        tests += sum(
            1
            for test in unit_tests.values()
            if set(test.get("depends_on", {}).get("nodes", [])) & selected
        )
    changed_models = {
        by_name[name]
        for name in names
        if name in by_name and nodes[by_name[name]]["resource_type"] == "model"
    }
    rebuilds_scratch = bool(new_models) or any(
        nodes[uid].get("original_file_path", "").startswith(SCRATCH_FOLDERS) for uid in selected
    )
    models = len(selected) + len(new_models)
    return models, tests, len(selected - changed_models), rebuilds_scratch
