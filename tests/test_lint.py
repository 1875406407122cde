"""The code passes ruff (the style and bug checks configured in pyproject.toml)."""

from __future__ import annotations

import subprocess
import sys

from tests.conftest import ROOT


def test_ruff_finds_nothing():
    result = subprocess.run([sys.executable, "-m", "ruff", "check", "generator", "tests",
                             "benchmarks"], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_dbt_yaml_is_in_the_hand_written_style():
    """Every dbt YAML file is written by hand: no PyYAML anchors, lists indented (issue #22)."""
    offenders = []
    for path in sorted([*ROOT.glob("models/**/*.yml"), *ROOT.glob("seeds/**/*.yml")]):
        text = path.read_text(encoding="utf-8")
        lines = text.splitlines()
        if "&id0" in text or "*id0" in text or any(line.startswith("- ") for line in lines) \
                or not text.startswith("version: 2\n\n"):
            offenders.append(path.relative_to(ROOT).as_posix())
    assert not offenders, offenders
