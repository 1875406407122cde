"""The `sla-report` command line. Commands are thin; their work is imported lazily."""

from __future__ import annotations

import logging
import sys
from datetime import timedelta
from pathlib import Path

import click

log = logging.getLogger(__name__)


@click.group()
@click.version_option(package_name="sla-report")
@click.option("-v", "--verbose", is_flag=True, help="Log every step.")
def cli(verbose: bool) -> None:
    """Build the Sales & Marketing SLA report from CRM data.

    Exit codes: 0 built; 1 internal error; 2 usage; 3 bad configuration or
    input; 4 data tests failed; 5 the site failed to build; 6 another build
    of the same site is running.
    """
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING,
                        format="%(levelname)s %(name)s: %(message)s", stream=sys.stderr)


@cli.command()
@click.option("--data", "data", type=click.Path(file_okay=False),
              help="Folder of raw CSV/Parquet files. Default: the committed demo data.")
@click.option("--as-of", "as_of", metavar="DATE",
              help="Evaluate as of the end of this local day (YYYY-MM-DD, or 'latest' for "
                   "the last complete day). Default: 2015-10-15 for the demo, the last "
                   "complete local day for --data; a day that has not ended is refused.")
@click.option("--out", "out", type=click.Path(file_okay=False),
              help="Folder of the published site. Default: build/site.")
@click.option("--project-dir", "project_dir", type=click.Path(file_okay=False, exists=True),
              help="The SLA Report project (dbt_project.yml, seeds, site/). "
                   "Default: this repository.")
def build(data: str | None, as_of: str | None, out: str | None,
          project_dir: str | None) -> None:
    """Build the report: dbt models, generated pages, strict MkDocs build.

    The previous site in --out is replaced only when every step succeeded.

    Example: sla-report build --data exports/2015-10-15 --as-of 2015-10-15
    """
    from generator.build import build_report
    from generator.config import make_config
    from generator.exceptions import InternalError, SlaReportError

    config = make_config(data=data, as_of=as_of, out=out,
                         project_dir=Path(project_dir) if project_dir else None)
    try:
        summary = build_report(config)
    except SlaReportError:
        raise
    except Exception as error:  # a bug: say so plainly, keep the traceback for -v
        log.debug("internal error", exc_info=True)
        raise InternalError(f"internal error: {type(error).__name__}: {error} "
                            "(run with -v for the traceback); nothing was published") from error
    index = summary.out_dir / "index.html"
    click.echo(f"Built {summary.pages} pages ({summary.kpis} KPIs, data as of "
               f"{config.as_of.isoformat()}) in {summary.total_seconds:.1f} s "
               f"(dbt {summary.dbt_seconds:.1f} s).")
    click.echo(f"Site: {summary.out_dir}")
    click.echo(f"Open {index.as_uri()} in a browser, or run: sla-report serve")


@cli.command()
@click.option("--out", "out", type=click.Path(file_okay=False),
              help="Folder of the built site. Default: build/site.")
@click.option("--port", default=8000, show_default=True, help="Port on 127.0.0.1.")
def serve(out: str | None, port: int) -> None:
    """Preview the built site on http://127.0.0.1:PORT/ (Ctrl-C to stop).

    Example: sla-report serve --port 8001
    """
    import functools
    import http.server

    from generator.config import project_root
    from generator.exceptions import ConfigError

    folder = Path(out) if out else project_root() / "build" / "site"
    if not (folder / "index.html").is_file():
        raise ConfigError(f"{folder}: no built site; run `sla-report build` first")
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(folder))
    with http.server.ThreadingHTTPServer(("127.0.0.1", port), handler) as server:
        click.echo(f"Serving {folder} on http://127.0.0.1:{port}/")
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            pass


@cli.command("demo-data")
@click.argument("out", type=click.Path(file_okay=False))
@click.option("--scale", default=1.0, show_default=True,
              help="Multiply every volume (1 = a few thousand leads).")
@click.option("--seed", default=2015, show_default=True, help="Random seed.")
def demo_data(out: str, scale: float, seed: int) -> None:
    """Write the deterministic demo raw tables (the 2015 reset story) as CSV files.

    Example: sla-report demo-data /tmp/big --scale 20
    """
    from generator.demo_data import write_demo_data

    counts = write_demo_data(Path(out), seed=seed, scale=scale)
    click.echo(", ".join(f"{table}: {rows:,}" for table, rows in counts.items()))


@cli.group()
def agreement() -> None:
    """Start the next agreement period, or reset the one in force.

    Example: sla-report agreement new --from 2015-h2 --starts 2016-01-01 --ends 2016-06-30
    """


@agreement.command("new")
@click.option("--from", "from_id", required=True, help="Agreement to copy terms and text from.")
@click.option("--starts", required=True, metavar="DATE", help="First day of the new period.")
@click.option("--ends", required=True, metavar="DATE", help="Last day of the new period.")
@click.option("--revenue-goal", type=float, help="New revenue goal (default: copied).")
@click.option("--id", "new_id", help="Id of the new agreement (default: the start date).")
@click.option("--project-dir", type=click.Path(file_okay=False, exists=True),
              help="The SLA Report project. Default: this repository.")
def agreement_new(from_id: str, starts: str, ends: str, revenue_goal: float | None,
                  new_id: str | None, project_dir: str | None) -> None:
    """Add an agreement period copied from another, with its text to edit.

    Example: sla-report agreement new --from 2015-h2 --starts 2016-01-01 --ends 2016-06-30
    """
    from generator.agreements import create_agreement, parse_date
    from generator.config import project_root

    root = Path(project_dir) if project_dir else project_root()
    created = create_agreement(root, from_id, parse_date(starts, "--starts"),
                               parse_date(ends, "--ends"), new_id, revenue_goal)
    _report_agreement(root, created)


@agreement.command("reset")
@click.argument("agreement_id")
@click.option("--on", "on", required=True, metavar="DATE",
              help="First day of the new agreement; the old one ends the day before.")
@click.option("--revenue-goal", type=float, help="Revenue goal of the new period.")
@click.option("--id", "new_id", help="Id of the new agreement (default: the --on date).")
@click.option("--project-dir", type=click.Path(file_okay=False, exists=True),
              help="The SLA Report project. Default: this repository.")
def agreement_reset(agreement_id: str, on: str, revenue_goal: float | None,
                    new_id: str | None, project_dir: str | None) -> None:
    """End an agreement early and start a new one from --on to its old end.

    Every KPI, target and pace is then split at the boundary.

    Example: sla-report agreement reset 2015-h2 --on 2015-10-01 --revenue-goal 900000
    """
    from generator.agreements import parse_date, reset_agreement
    from generator.config import project_root

    root = Path(project_dir) if project_dir else project_root()
    created = reset_agreement(root, agreement_id, parse_date(on, "--on"), new_id,
                              revenue_goal)
    _report_agreement(root, created)


def _report_agreement(root: Path, created) -> None:
    if created.ended_early:
        click.echo(f"{created.ended_early} now ends on "
                   f"{created.starts_on - timedelta(days=1)}.")
    click.echo(f"Added agreement {created.agreement_id}: {created.starts_on} to "
               f"{created.ends_on}.")
    if created.gap_days_before:
        click.echo(f"Note: {created.gap_days_before} days without an agreement before it.")
    click.echo(f"Edit its text: {created.text_path.relative_to(root)}")


def main() -> None:
    """Run the CLI."""
    cli(prog_name="sla-report")
