"""The package layout by concern (issue #22): imports flow one way, functions fit on a screen.

generator/ is grouped by pipeline stage, settings -> inputs -> dbt -> report
-> site, with commands/ and cli.py on top and a few shared modules beside
them. These tests read every module with `ast` (nothing is imported), so a
forbidden import is found wherever it hides, inside a function too.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "generator"
STAGES = ("settings", "inputs", "dbt", "report", "site")
EVERY_PART = {*STAGES, "commands", "cli"}

# What each part of generator/ must never import. The report reaches the
# site as plain objects (rows, KPI definitions and views), so site/ never
# sees dbt/ or inputs/; no stage imports an earlier-or-later stage's
# internals it has no business with, and nothing but cli.py uses commands/.
FORBIDDEN = {
    "settings": {"inputs", "dbt", "report", "site", "commands", "cli"},
    "inputs": {"dbt", "report", "site", "commands", "cli"},
    "dbt": {"inputs", "report", "site", "commands", "cli"},
    "report": {"inputs", "site", "commands", "cli"},
    "site": {"inputs", "dbt", "commands", "cli"},
    "commands": {"cli"},
    "cli": set(),
    # exceptions, progress, lock, privacy, i18n, formats, hashing: used by every stage.
    "shared": EVERY_PART,
}
MAX_FUNCTION_LINES = 60


def _modules() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def _part(module: str) -> str | None:
    """Return the part of generator/ a dotted module belongs to, or None outside it."""
    names = module.split(".")
    if names[0] != "generator":
        return None
    if len(names) == 1:
        return "shared"
    if names[1] in EVERY_PART:
        return names[1]
    return "shared"


def _imported(tree: ast.Module, module: str) -> list[tuple[int, str]]:
    """Return (line, module) of every generator module imported, at any depth."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative: resolve against the importing module
                base = module.split(".")[: -node.level]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            # `from generator import formats` imports the module generator.formats.
            found += [
                (node.lineno, f"{target}.{alias.name}" if target == "generator" else target)
                for alias in node.names
            ]
    return [(line, name) for line, name in found if name.split(".")[0] == "generator"]


def _dotted(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def test_the_folders_show_the_pipeline():
    """Every stage is a package, and no module is left loose beside them."""
    for stage in (*STAGES, "commands"):
        assert (PACKAGE / stage / "__init__.py").is_file(), stage
    loose = {path.stem for path in PACKAGE.glob("*.py")}
    assert loose == {
        "__init__",
        "__main__",
        "cli",
        "exceptions",
        "progress",
        "lock",
        "privacy",
        "i18n",
        "formats",
        # Issue #23: the one content hash the input check and the planner share.
        "hashing",
    }


def test_imports_flow_one_way():
    """No module imports a part of generator/ its stage must not see."""
    offending = []
    for path in _modules():
        module = _dotted(path)
        part = _part(module)
        if part is None or module in ("generator", "generator.__main__"):
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for line, imported in _imported(tree, module):
            if _part(imported) in FORBIDDEN[part] and _part(imported) != part:
                offending.append(
                    f"{path.relative_to(PACKAGE.parent)}:{line}: {part}/ imports {imported}"
                )
    assert not offending, "forbidden imports:\n" + "\n".join(offending)


def test_the_import_check_sees_a_forbidden_import():
    """The check itself finds a site module importing dbt/, however it is written."""
    source = (
        "def f():\n    from generator.dbt.runner import DbtBuild\n"
        "import generator.inputs.precheck\nfrom generator import dbt\n"
    )
    tree = ast.parse(source)
    found = [name for _, name in _imported(tree, "generator.site.pages")]
    assert sorted(found) == ["generator.dbt", "generator.dbt.runner", "generator.inputs.precheck"]
    assert {_part(name) for name in found} <= FORBIDDEN["site"]


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_functions_fit_on_a_screen(path):
    """No function is longer than 60 lines: a long one is a list of steps that want names."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    long = [
        f"{node.name} (line {node.lineno}): {node.end_lineno - node.lineno + 1} lines"
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        and node.end_lineno - node.lineno + 1 > MAX_FUNCTION_LINES
    ]
    assert not long, f"{path.relative_to(PACKAGE.parent)}: " + "; ".join(long)


def test_the_python_lists_are_the_dbt_vars():
    """The channel list and the age buckets are defined once, as dbt vars
    (issue #22); the Python names are the same list where the package must work
    without a dbt project (the demo data, crm_source.yml's checks, the words
    translated), so they are held equal here."""
    from generator.commands.demo_data import CHANNELS as DEMO_CHANNELS
    from generator.inputs.raw_columns import CHANNELS
    from generator.settings.project import project_vars
    from generator.site.render import AGE_BUCKETS

    dbt_vars = project_vars(PACKAGE.parent)
    assert list(CHANNELS) == dbt_vars["acquisition_channels"]
    assert [channel.name for channel in DEMO_CHANNELS] == dbt_vars["acquisition_channels"]
    assert list(AGE_BUCKETS) == [bucket["label"] for bucket in dbt_vars["overdue_age_buckets"]]
