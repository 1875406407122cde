"""The code passes ruff and mypy (the checks configured in pyproject.toml, `make lint`)."""

from __future__ import annotations

import subprocess
import sys

from tests.conftest import ROOT


def test_the_code_is_formatted_as_ruff_formats_it():
    result = subprocess.run(
        [sys.executable, "-m", "ruff", "format", "--check", "generator", "tests", "benchmarks"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_ruff_finds_nothing():
    result = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "generator", "tests", "benchmarks"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_mypy_finds_nothing():
    """generator/ type-checks clean: [tool.mypy] in pyproject.toml says what and how (#22)."""
    result = subprocess.run(
        [sys.executable, "-m", "mypy"], cwd=ROOT, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_mypy_as_configured_rejects_an_unchecked_optional(tmp_path):
    """The configuration has teeth: an Optional used unchecked fails, in an unannotated
    function's body too (check_untyped_defs), and so does an unneeded ignore."""
    sample = tmp_path / "sample.py"
    sample.write_text(
        "def first(names: list[str]) -> str | None:\n"
        "    return names[0] if names else None\n\n\n"
        "def shout(names):\n"
        "    return first(names).upper()\n\n\n"
        "VALUE: int = 1  # type: ignore[assignment]\n"
    )
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--config-file", str(ROOT / "pyproject.toml"), str(sample)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 1, result.stdout + result.stderr
    assert "sample.py:6: error:" in result.stdout and "[union-attr]" in result.stdout
    assert 'sample.py:9: error: Unused "type: ignore" comment' in result.stdout


def test_dbt_yaml_is_in_the_hand_written_style():
    """Every dbt YAML file is written by hand: no PyYAML anchors, lists indented (issue #22)."""
    offenders = []
    for path in sorted([*ROOT.glob("models/**/*.yml"), *ROOT.glob("seeds/**/*.yml")]):
        text = path.read_text(encoding="utf-8")
        lines = text.splitlines()
        if (
            "&id0" in text
            or "*id0" in text
            or any(line.startswith("- ") for line in lines)
            or not text.startswith("version: 2\n\n")
        ):
            offenders.append(path.relative_to(ROOT).as_posix())
    assert not offenders, offenders
