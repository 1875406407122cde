"""The `sla-report pull` command's work: settings, the pull, the closing lines."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path

from generator.exceptions import ConfigError


def pull_command(
    system: str,
    since: str | None,
    full: bool,
    data: str | None,
    project_dir: str | None,
    say: Callable[[str], None],
    echo: Callable[[str], None],
) -> None:
    """Pull one CRM into the data folder and say what was pulled."""
    from generator.settings.project import find_project

    try:
        from generator.inputs.pull.settings import load_pull_settings
        from generator.inputs.pull.store import run_pull
    except ImportError as error:
        raise ConfigError(
            f"sla-report pull needs dlt ({error.name} is missing): pip install 'sla-report[pull]'"
        ) from error

    if since and full:
        raise ConfigError("--since and --full exclude each other: --full fetches everything")
    root = find_project(project_dir)
    settings = load_pull_settings(root, system, data)
    result = run_pull(settings, _since(since), full, say)
    rows = sum(result.stored.values())
    echo(
        f"Pulled {system} ({result.mode}): {len(result.stored)} tables, {rows:,} rows "
        f"stored, {sum(result.fetched.values()):,} records fetched, {result.requests:,} "
        f"requests ({result.retries:,} retried or waited) in {result.seconds:.1f} s."
    )
    say(f"Data: {result.data_dir}")
    say(f"Next: sla-report build --source {system} --data {_shown(result.data_dir)}")


def _since(text: str | None) -> datetime | None:
    """Return --since as the start of that UTC day."""
    if text is None:
        return None
    try:
        day = date.fromisoformat(text)
    except ValueError as error:
        raise ConfigError(f"--since must be a date like 2015-10-01, not {text!r}") from error
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


def _shown(path: Path) -> str:
    """Return a folder relative to the current directory when it is inside it."""
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)
