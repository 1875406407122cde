"""Build progress: a status line on a terminal, one line per stage in a log, none with -q."""

from __future__ import annotations

import io
import re
from types import SimpleNamespace

from click.testing import CliRunner

from generator import progress as progress_module
from generator.cli import cli
from generator.progress import DbtProgress, Progress


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_a_log_gets_one_line_per_stage_with_its_counts_and_duration():
    stream = io.StringIO()
    progress = Progress("auto", stream)  # StringIO is no terminal: lines
    with progress.stage("dbt"):
        progress.update("3/5 nodes (2 models, 1 data test)")
        progress.update("5/5 nodes (2 models, 3 data tests)")
    with progress.stage("MkDocs"):
        pass
    lines = stream.getvalue().splitlines()
    assert len(lines) == 2, lines
    assert re.fullmatch(r"dbt: 5/5 nodes \(2 models, 3 data tests\), \d+\.\d s", lines[0])
    assert re.fullmatch(r"MkDocs: \d+\.\d s", lines[1])
    assert [name for name, _ in progress.timings] == ["dbt", "MkDocs"]
    assert re.fullmatch(r"dbt \d+\.\d s, MkDocs \d+\.\d s", progress.summary())


def test_a_terminal_gets_one_line_redrawn_in_place_not_a_flood(monkeypatch):
    stream = Terminal()
    progress = Progress("auto", stream)
    clock = iter(range(1000))
    monkeypatch.setattr(progress_module.time, "perf_counter", lambda: next(clock) * 0.01)
    with progress.stage("dbt"):
        for done in range(100):  # 100 updates, 10 ms apart: a second in all
            progress.update(f"{done}/100 nodes")
    text = stream.getvalue()
    assert "\n" not in text, "a terminal status line never scrolls"
    draws = text.count("\r") - 2  # the first draw and the final clear aside
    assert 1 <= draws <= 100 * 0.01 / progress_module.REFRESH_SECONDS + 1, draws
    assert text.endswith("\r"), "the line is cleared when the stage ends"
    assert progress.timings and progress.timings[0][0] == "dbt"


def test_a_failed_stage_prints_no_stage_line_so_the_error_stands_alone():
    stream = io.StringIO()
    progress = Progress("lines", stream)
    try:
        with progress.stage("checking input"):
            raise ValueError("bad input")
    except ValueError:
        pass
    assert stream.getvalue() == "" and progress.timings == []


def test_quiet_prints_nothing_but_still_times_the_stages():
    stream = Terminal()
    progress = Progress("quiet", stream)
    with progress.stage("pages and charts"):
        progress.update("22 pages")
    assert stream.getvalue() == ""
    assert progress.summary().startswith("pages and charts ")


def test_dbt_events_become_node_counts():
    shown = []
    progress = SimpleNamespace(update=shown.append)
    events = DbtProgress(progress)

    def event(name, **data):
        return SimpleNamespace(info=SimpleNamespace(name=name), data=SimpleNamespace(**data))

    def finished(kind):
        return event("NodeFinished", node_info=SimpleNamespace(resource_type=kind))

    events(event("LogStartLine", total=4))
    for kind in ("seed", "model", "test", "test"):
        events(finished(kind))
    events(event("MainReportVersion"))  # any other event is ignored
    assert shown[-1] == "4/4 nodes (1 seed, 1 model, 2 data tests)"
    assert len(shown) == 4


def test_quiet_build_prints_only_the_final_line_with_stage_timings(tmp_path):
    out = tmp_path / "site"
    runner = CliRunner()
    loud = runner.invoke(cli, ["build", "--out", str(out)])
    assert loud.exit_code == 0, loud.output
    # Not a terminal: one line per stage, each with its duration.
    for stage in (
        "checking input",
        "planning",
        "dbt",
        "reading results",
        "pages and charts",
        "MkDocs",
        "publish",
    ):
        assert re.search(rf"^{stage}: .*\d+\.\d s$", loud.output, re.MULTILINE), stage
    assert re.search(
        r"^dbt: (\d+)/\1 nodes \(.*\d+ models, \d+ data tests", loud.output, re.MULTILINE
    ), loud.output
    quiet = runner.invoke(cli, ["build", "--out", str(out), "--quiet"])
    assert quiet.exit_code == 0, quiet.output
    lines = quiet.output.splitlines()
    assert len(lines) == 1, lines
    # Today's form, then the stage timings.
    # Issue #20: the page counts agree with the stage line's ("22 generated pages").
    generated = re.search(r"^pages and charts: (\d+) generated pages", loud.output, re.M)
    assert generated, loud.output
    assert re.fullmatch(
        rf"Built \d+ pages \({generated[1]} generated, \d+ from site/docs and the "
        r"theme; "
        r"\d+ KPIs, data as of 2015-10-15\) in \d+\.\d s "
        r"\(dbt \d+\.\d s; checking input \d+\.\d s, planning .*, "
        r"publish \d+\.\d s\)\.",
        lines[0],
    ), lines[0]
