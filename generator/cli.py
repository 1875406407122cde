"""The `sla-report` command line. Commands are thin; their work is imported lazily."""

from __future__ import annotations

import functools
import logging
import re
import shlex
import sys
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import click

# Light (no dbt): the notify options need its list of formats.
from generator.commands.notify import DEFAULT_WEBHOOK_VARIABLE, FORMATS
from generator.inputs.source_tables import SOURCES
from generator.settings.settings_file import SETTING_NAMES

log = logging.getLogger(__name__)


def _set_verbosity(ctx: click.Context, param: click.Parameter, value: bool) -> None:
    """Record -v/--quiet wherever it is given (before or after the command)."""
    if not value:
        return
    root = ctx.find_root()
    root.meta["sla_report.verbosity"] = "verbose" if param.name == "verbose" else "quiet"
    _configure_logging(root.meta["sla_report.verbosity"])


def _configure_logging(verbosity: str) -> None:
    level = {"verbose": logging.INFO, "quiet": logging.ERROR}.get(verbosity, logging.WARNING)
    logging.basicConfig(
        level=level, format="%(levelname)s %(name)s: %(message)s", stream=sys.stderr, force=True
    )


def verbosity_options(command: Callable) -> Callable:
    """Add -v/--verbose and -q/--quiet to a command (the group accepts them too)."""
    command = click.option(
        "-q",
        "--quiet",
        is_flag=True,
        expose_value=False,
        is_eager=True,
        callback=_set_verbosity,
        help="Print errors only.",
    )(command)
    return click.option(
        "-v",
        "--verbose",
        is_flag=True,
        expose_value=False,
        is_eager=True,
        callback=_set_verbosity,
        help="Log every step.",
    )(command)


def is_quiet() -> bool:
    """Return whether --quiet was given."""
    context = click.get_current_context(silent=True)
    return context is not None and context.find_root().meta.get("sla_report.verbosity") == "quiet"


def say(message: str) -> None:
    """Print a progress or result line unless --quiet was given."""
    if not is_quiet():
        click.echo(message)


def project_dir_option(command: Callable) -> Callable:
    """Add --project-dir (default: the current directory) to a command."""
    return click.option(
        "--project-dir",
        "project_dir",
        type=click.Path(file_okay=False),
        callback=_not_empty,
        help="The SLA Report project (dbt_project.yml, seeds, site/). "
        "Default: the current directory.",
    )(command)


@click.group()
@click.version_option(package_name="sla-report")
@verbosity_options
def cli() -> None:
    """Build the Sales & Marketing SLA report from CRM data.

    Run it inside the project folder (the one with dbt_project.yml), or pass
    --project-dir. -v/--verbose and -q/--quiet work before or after any command.

    Exit codes: 0 built; 1 internal error; 2 usage; 3 bad configuration or
    input; 4 data tests failed; 5 the site failed to build; 6 another build
    of the same site is running; 7 the CRM's API did not answer a pull.
    """
    context = click.get_current_context()
    _configure_logging(context.meta.get("sla_report.verbosity", "normal"))


def serve_hint(project: Path, given: list[str]) -> str:
    """Return a command that previews this site exactly as it was built.

    `given` is the build's one-run options (one_run_options): the preview
    repeats them, and reads sla-report.yml for everything else, as the build
    did. `sla-report` is not on PATH after `make demo` (it lives in
    .venv/bin), so the hint names `make serve` when nothing was given and
    otherwise the path of the running executable.
    """
    if not given and (project / "Makefile").is_file() and Path.cwd() == project:
        return "make serve"
    executable = Path(sys.argv[0])
    program = (
        shlex.quote(str(executable.resolve()))
        if executable.name == "sla-report" and executable.exists()
        else f"{shlex.quote(sys.executable)} -m generator"
    )
    parts = [program, "serve"]
    if Path.cwd() != project:
        parts += ["--project-dir", shlex.quote(str(project))]
    return " ".join(parts + [shlex.quote(part) for part in given])


def one_run_options(**given: str | None) -> list[str]:
    """Return the settings given on the command line as arguments to repeat.

    Folders become absolute, so the hint works from wherever it is run.
    """
    arguments: list[str] = []
    for name, value in given.items():
        if value is None:
            continue
        if name in ("data", "out"):
            value = str(Path(value).resolve())
        arguments += [f"--{name.replace('_', '-')}", value]
    return arguments


# Issue #24: a value the command cannot use is a usage error (exit 2) here,
# before anything runs; an empty value is usually an unset variable in a script.


def _not_empty(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """Refuse an empty value: `--out ""` is a mistake, not "the default"."""
    if value is not None and not str(value).strip():
        raise click.BadParameter(
            "must not be empty (leave the option out for the default)", ctx, param
        )
    return value


def _web_address(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """Accept an http(s) address: it becomes a link in a chat message."""
    if value and not re.fullmatch(r"https?://[^\s<>|]+", value):
        raise click.BadParameter(f"{value!r} is not an http:// or https:// address", ctx, param)
    return value or None


def _memory_limit(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """Accept DuckDB's sizes ('8GB', '500MB', '8GiB') or a share of RAM ('50%')."""
    from generator.settings.settings_file import is_memory_limit

    if value is not None and not is_memory_limit(value):
        raise click.BadParameter(f"{value!r} is not a size like 8GB, 500MB or 50%", ctx, param)
    return value


@dataclass(frozen=True)
class BuildOptions:
    """The options `build` and `serve` share, as given on the command line."""

    data: str | None
    source: str | None
    as_of: str | None
    out: str | None
    full: bool
    memory_limit: str | None
    locale: str | None
    currency: str | None
    unit_tests: bool
    target: str | None
    project_dir: str | None

    def make_config(self):
        """Return the validated build configuration these options ask for."""
        from generator.commands.configure import make_config

        return make_config(
            data=self.data,
            as_of=self.as_of,
            out=self.out,
            project_dir=self.project_dir,
            source=self.source and self.source.lower(),
            unit_tests=self.unit_tests,
            memory_limit=self.memory_limit,
            target=self.target,
            locale=self.locale,
            currency=self.currency,
        )


# The options `build` and `serve` share, in the order --help lists them.
_BUILD_OPTIONS = (
    click.option(
        "--data",
        "data",
        callback=_not_empty,
        type=click.Path(file_okay=False),
        help="Folder of raw CSV/Parquet files. Default: `data:` in sla-report.yml, "
        "else the committed demo data.",
    ),
    click.option(
        "--source",
        "source",
        type=click.Choice(SOURCES, case_sensitive=False),
        help="The system the --data files come from: our input contract, a "
        "Salesforce export or landing, HubSpot as Fivetran lands it. "
        "Default: `source:` in sla-report.yml, then in crm_source.yml, else "
        "contract.",
    ),
    click.option(
        "--as-of",
        "as_of",
        callback=_not_empty,
        metavar="DATE",
        help="Evaluate as of the end of this local day (YYYY-MM-DD, or 'latest' "
        "for the last complete day). Default: `as_of:` in sla-report.yml, else "
        "2015-10-15 for the demo and the last complete local day for "
        "--data; a day that has not ended is refused.",
    ),
    click.option(
        "--out",
        "out",
        callback=_not_empty,
        type=click.Path(file_okay=False),
        help="Folder of the published site. Default: `out:` in sla-report.yml, else "
        "build/site in the project.",
    ),
    click.option("--full", is_flag=True, help="Rebuild everything, even what has not changed."),
    click.option(
        "--memory-limit",
        "memory_limit",
        metavar="SIZE",
        callback=_memory_limit,
        help="DuckDB's memory limit ('8GB', '50%'); beyond it, big joins and "
        "sorts spill to disk. Default: `memory_limit:` in sla-report.yml, "
        "else SLA_REPORT_DUCKDB_MEMORY_LIMIT, else 80% of RAM.",
    ),
    click.option(
        "--locale",
        "locale",
        callback=_not_empty,
        metavar="LOCALE",
        help="The site's language and number/date formats: en, th, pt_BR. "
        "Default: `locale:` in sla-report.yml, else en.",
    ),
    click.option(
        "--currency",
        "currency",
        callback=_not_empty,
        metavar="CODE",
        help="ISO 4217 code of the amounts in the data (USD, THB, BRL); "
        "nothing is converted. Default: `currency:` in sla-report.yml, "
        "else USD.",
    ),
    click.option(
        "--unit-tests",
        "unit_tests",
        is_flag=True,
        help="Also run the dbt unit tests (make test and CI do; site builds "
        "run every data test but skip them).",
    ),
    click.option(
        "--target",
        "target",
        metavar="NAME",
        callback=_not_empty,
        help="The profiles.yml target the models run on: duckdb (embedded, "
        "the default), postgres, spark or your own. A warehouse target "
        "reads its raw schema (fill it with `sla-report load`). "
        "Default: SLA_REPORT_TARGET, then `target:` in sla-report.yml, "
        "else duckdb.",
    ),
)


def build_options(command: Callable) -> Callable:
    """Add the options shared by `build` and `serve`, declared once; the command
    receives them as one BuildOptions, its first argument."""

    @functools.wraps(command)
    def run(**values):
        shared = {name: values.pop(name) for name in BuildOptions.__dataclass_fields__}
        return command(BuildOptions(**shared), **values)

    # The command's own options stay; the shared ones are added after them.
    run.__click_params__ = list(getattr(command, "__click_params__", []))  # type: ignore[attr-defined]
    for option in reversed(_BUILD_OPTIONS):
        run = option(run)
    return project_dir_option(run)


def _run_build(configure: Callable, full: bool):
    """Make the config and run one build; an unexpected exception is a clean internal error.

    Returns (config, summary, progress): progress holds every stage's time,
    including the input check that runs before the build proper.
    """
    from generator.commands.build import build_report
    from generator.exceptions import InternalError, SlaReportError
    from generator.progress import Progress

    progress = Progress("quiet" if is_quiet() else "auto")
    try:
        # Inside the try: the input pre-check runs in make_config, and
        # whatever it meets must end in a message, never a traceback (issue #11).
        with progress.stage("checking input"):
            config = configure()
        return config, build_report(config, full=full, report=say, progress=progress), progress
    except SlaReportError:
        raise
    except Exception as error:  # a bug: say so plainly, keep the traceback for -v
        log.debug("internal error", exc_info=True)
        raise InternalError(
            f"internal error: {type(error).__name__}: {error} "
            "(run with -v for the traceback); nothing was published"
        ) from error


@cli.command()
@build_options
@verbosity_options
def build(options: BuildOptions) -> None:
    """Build the report: dbt models, generated pages, strict MkDocs build.

    Only what changed is rebuilt: edited pages, texts or templates are
    re-rendered from the last good warehouse without dbt; an edited model is
    rebuilt with everything downstream of it and their tests; anything else
    (seeds, macros, vars, raw data) rebuilds everything. --full forces that.
    The previous site in --out is replaced only when every step succeeded.

    On a terminal a status line shows the stage, its counts and the time; in
    a log (CI) each stage prints one line with its duration; --quiet prints
    only the final line and errors.

    Example: sla-report build --data exports/2015-10-15 --as-of 2015-10-15
    (a Salesforce export: sla-report build --source salesforce --data exports/sfdc;
    a PostgreSQL warehouse: sla-report build --target postgres;
    in Thai with amounts in baht: sla-report build --locale th --currency THB)
    """
    import time

    started = time.perf_counter()
    config, summary, progress = _run_build(options.make_config, options.full)
    index = summary.out_dir / "index.html"
    for line in summary.quality.lines() if summary.quality else []:
        say(line)
    # The whole command's time: the input check runs before the build proper.
    click.echo(
        f"Built {summary.pages} pages ({summary.generated_pages} generated, "
        f"{summary.pages - summary.generated_pages} from site/docs and the theme; "
        f"{summary.kpis} KPIs, "
        "data as of "
        f"{config.as_of.isoformat()}) in {time.perf_counter() - started:.1f} s "
        f"(dbt {summary.dbt_seconds:.1f} s; {progress.summary()})."
    )
    say(f"Site: {summary.out_dir}")
    given = one_run_options(
        data=options.data,
        source=options.source,
        as_of=options.as_of,
        out=options.out,
        target=options.target,
        memory_limit=options.memory_limit,
        locale=options.locale,
        currency=options.currency,
    )
    say(f"Open {index.as_uri()} in a browser, or run: {serve_hint(config.project_dir, given)}")


@cli.command()
@build_options
@click.option(
    "--port",
    default=8000,
    show_default=True,
    type=click.IntRange(0, 65535),
    help="Port on 127.0.0.1 (0: any free port).",
)
@click.option(
    "--no-watch", is_flag=True, help="Serve the last built site as it is: no build, no reload."
)
@verbosity_options
def serve(options: BuildOptions, port: int, no_watch: bool) -> None:
    """Live preview on http://127.0.0.1:PORT/: build, serve, rebuild on save (Ctrl-C stops).

    Watches models/, macros/, seeds/, data-tests/, site/, mkdocs.yml, the page
    templates and the --data folder. Every save rebuilds only what changed
    and the open page reloads by itself. A change that breaks the build shows
    its message, file and line in the browser above the last good site;
    fixing the file recovers without a restart. The reload script is added
    while serving only: the built site never contains it.

    Example: sla-report serve --port 8001
    """
    from generator.commands.serve import Preview

    config = options.make_config()  # a bad option or folder stops here, before serving
    if no_watch and not (config.out_dir / "index.html").is_file():
        from generator.exceptions import ConfigError

        raise ConfigError(f"{config.out_dir}: no built site; run `sla-report build` first")
    preview = Preview(
        options.make_config, port=port, full=options.full, watch=not no_watch, report=say
    )
    preview.run()


# `sla-report dev`: the name Evidence and Observable give their live preview.
cli.add_command(serve, "dev")


@cli.command("settings")
@click.option(
    "--get",
    "name",
    type=click.Choice(SETTING_NAMES),
    help="Print one setting's value only (empty when unset; out: the folder "
    "the build writes), for scripts and the Makefile.",
)
@project_dir_option
@verbosity_options
def settings_command(name: str | None, project_dir: str | None) -> None:
    """Show the project's settings (sla-report.yml at its root), checked.

    A command-line option overrides a setting for one run; an unknown key or
    a bad value stops every command with the file, the key and what was
    expected (exit 3). See docs/settings.md.

    Example: sla-report settings --get out
    """
    import dataclasses

    from generator.settings.project import find_project
    from generator.settings.settings_file import SETTINGS_FILE, read_settings

    root = find_project(project_dir)
    settings = read_settings(root)
    values = dataclasses.asdict(settings)
    values["out"] = settings.out or root / "build" / "site"
    if name:
        value = values[name]
        click.echo("" if value is None else value)
        return
    say(
        f"{settings.path or root / SETTINGS_FILE}"
        f"{'' if settings.path else ' (none: every setting is its default)'}"
    )
    for key in SETTING_NAMES:
        value = values[key]
        if isinstance(value, dict):
            value = ", ".join(f"{k}={v}" for k, v in value.items() if v is not None) or None
        click.echo(f"{key}: {'(default)' if value is None else value}")


@cli.command()
@click.option(
    "--target",
    "target",
    metavar="NAME",
    callback=_not_empty,
    help="The profiles.yml target to load into (postgres, spark or your own). "
    "Default: SLA_REPORT_TARGET, then `target:` in sla-report.yml.",
)
@click.option(
    "--data",
    "data",
    type=click.Path(file_okay=False),
    callback=_not_empty,
    help="Folder of raw CSV/Parquet files. Default: `data:` in sla-report.yml, else the "
    "demo's raw tables.",
)
@click.option(
    "--source",
    "source",
    type=click.Choice(SOURCES, case_sensitive=False),
    help="The layout of the --data files (as for build). Default: `source:` in "
    "sla-report.yml, then in crm_source.yml, else contract.",
)
@project_dir_option
@verbosity_options
def load(target: str | None, data: str | None, source: str | None, project_dir: str | None) -> None:
    """Load raw files into a warehouse's raw schema, every column as text.

    The files are checked as `build --data` checks them; existing tables of
    the same names are replaced, and each table's row count in the warehouse
    must equal its file's. Then build from the warehouse:

    Example: sla-report load --target postgres --data exports/2015-10-15 &&
    sla-report build --target postgres
    """
    import time

    from generator.commands.load import files_to_load, load_files
    from generator.settings.profiles import resolve_target
    from generator.settings.project import find_project
    from generator.settings.settings_file import read_settings

    started = time.perf_counter()
    root = find_project(project_dir)
    settings = read_settings(root).overridden(data=data, source=source and source.lower())
    chosen = resolve_target(root, target, settings.target)
    if not chosen.is_warehouse:
        from generator.exceptions import ConfigError

        raise ConfigError(
            f"target {chosen.name} is embedded DuckDB, which reads raw files "
            "directly: sla-report build --data DIR (load is for warehouses, "
            "e.g. --target postgres)"
        )
    files, schemas, renames = files_to_load(root, settings.data, settings.source)
    loaded = load_files(root, chosen, files, schemas, renames)
    for table in loaded:
        say(f"{table.relation}: {table.rows:,} rows from {table.source_file.name}")
    click.echo(
        f"Loaded {len(loaded)} tables ({sum(t.rows for t in loaded):,} rows) into "
        f"{chosen.name} (schema {', '.join(sorted(set(schemas.values())))}) in "
        f"{time.perf_counter() - started:.1f} s."
    )
    say(f"Next: sla-report build --target {chosen.name}")


@cli.command()
@click.argument("system", type=click.Choice(["hubspot", "salesforce"], case_sensitive=False))
@click.option(
    "--since",
    metavar="DATE",
    callback=_not_empty,
    help="Fetch records modified since this day (UTC), merged into the stored "
    "tables. Default: since the last good pull.",
)
@click.option("--full", is_flag=True, help="Fetch everything and replace the stored tables.")
@click.option(
    "--data",
    "data",
    type=click.Path(file_okay=False),
    callback=_not_empty,
    help="The folder to write. Default: pull.data in crm_source.yml.",
)
@project_dir_option
@verbosity_options
def pull(
    system: str, since: str | None, full: bool, data: str | None, project_dir: str | None
) -> None:
    """Fetch the CRM's records through its API into the data folder, as Parquet.

    Only records changed since the last good pull are fetched, merged by id;
    deleted ones are removed. The folder is replaced only when the whole
    pull succeeded. The token comes from the environment variable named in
    crm_source.yml (pull.hubspot.token_env, default HUBSPOT_ACCESS_TOKEN;
    pull.salesforce.token_env, default SALESFORCE_ACCESS_TOKEN). Exit 3: a
    rejected token or bad settings; exit 7: the CRM did not answer.

    Example: sla-report pull hubspot && sla-report build --source hubspot --data crm-data
    """
    from generator.commands.pull import pull_command

    pull_command(system.lower(), since, full, data, project_dir, say, click.echo)


MAX_DEMO_SCALE = 10_000  # about 55M leads: past that the generator runs out of memory


def _demo_scale(ctx: click.Context, param: click.Parameter, value: float) -> float:
    """Accept a finite scale above 0 and at most MAX_DEMO_SCALE (issue #24: -1 overflowed)."""
    if not 0 < value <= MAX_DEMO_SCALE:  # also false for nan
        raise click.BadParameter(
            f"{value} is not a number above 0 and at most {MAX_DEMO_SCALE:,}", ctx, param
        )
    return value


@cli.command("demo-data")
@click.argument("out", type=click.Path(file_okay=False))
@click.option(
    "--scale",
    default=1.0,
    show_default=True,
    type=float,
    callback=_demo_scale,
    help="Multiply every volume (1 = a few thousand leads; at most 10,000).",
)
@click.option("--seed", default=2015, show_default=True, help="Random seed.")
@verbosity_options
def demo_data(out: str, scale: float, seed: int) -> None:
    """Write the deterministic demo raw tables (the 2015 reset story) as CSV files.

    Example: sla-report demo-data /tmp/big --scale 20
    """
    from generator.commands.demo_data import write_demo_data

    counts = write_demo_data(Path(out), seed=seed, scale=scale)
    say(", ".join(f"{table}: {rows:,}" for table, rows in counts.items()))


@cli.command()
@click.option(
    "--out",
    "out",
    type=click.Path(file_okay=False),
    callback=_not_empty,
    help="The built site whose summary.json to announce. Default: `out:` in sla-report.yml, "
    "else build/site in the project.",
)
@click.option(
    "--summary",
    "summary_path",
    type=click.Path(dir_okay=False),
    callback=_not_empty,
    help="A summary.json to announce instead of --out's.",
)
@click.option(
    "--format",
    "chat",
    type=click.Choice(FORMATS),
    help="The chat's payload format. Default: notify.format in sla-report.yml, "
    "else from the webhook's address (hooks.slack.com, *.webhook.office.com, "
    "chat.googleapis.com), else slack.",
)
@click.option(
    "--webhook-env",
    "webhook_env",
    metavar="NAME",
    callback=_not_empty,
    help="The environment variable holding the webhook's address (in CI, a "
    "repository secret). The address is never read from a file or printed. "
    f"Default: notify.webhook_env in sla-report.yml, else "
    f"{DEFAULT_WEBHOOK_VARIABLE}.",
)
@click.option(
    "--site-url",
    "site_url",
    envvar="SLA_REPORT_PAGES_URL",
    metavar="URL",
    callback=_web_address,
    help="The published report, linked from the notice. Default: "
    "SLA_REPORT_PAGES_URL, else notify.site_url in sla-report.yml.",
)
@click.option(
    "--timeout",
    "timeout",
    default=10.0,
    show_default=True,
    type=click.FloatRange(0.1, 120),
    metavar="SECONDS",
    help="How long one attempt may take; a timeout or a 5xx is tried 3 times.",
)
@click.option(
    "--digest/--no-digest",
    default=None,
    help="Add the weekly digest (team verdicts, week over week). Default: when the "
    "summary is as of a Sunday, the build read on Monday morning.",
)
@click.option("--dry-run", is_flag=True, help="Print the payload instead of posting it.")
@project_dir_option
@verbosity_options
def notify(
    out: str | None,
    summary_path: str | None,
    chat: str | None,
    webhook_env: str | None,
    site_url: str | None,
    timeout: float,
    digest: bool | None,
    dry_run: bool,
    project_dir: str | None,
) -> None:
    """Post the night's news (summary.json) to a Slack, Teams or Google Chat webhook.

    Status changes, commitments that fell behind pace, new hand-off breaches
    and MQLs due today per rep (counts only), and the weekly digest on
    Mondays. Nothing new: nothing is posted. Exit 7 when the webhook does not
    take the notice; the published site is never affected.

    Example: SLA_REPORT_WEBHOOK_URL=https://hooks.slack.com/... sla-report notify
    """
    import json

    from generator.commands.notify import compose, payload, post, read_summary, webhook_chat
    from generator.exceptions import ConfigError
    from generator.settings.environment import read_named
    from generator.settings.project import find_project
    from generator.settings.settings_file import ProjectSettings, read_settings

    try:
        root = find_project(project_dir)
    except ConfigError:
        # A --summary from elsewhere (the published one, in CI) needs no
        # project; inside one, its sla-report.yml still gives the defaults.
        if not summary_path or project_dir:
            raise
        root = None
    settings = (read_settings(root) if root else ProjectSettings()).overridden(out=out)
    if summary_path:
        path = Path(summary_path)
    else:
        assert root is not None  # without --summary, a missing project raised above
        path = (settings.out or root / "build" / "site") / "summary.json"
    message = compose(read_summary(path), site_url or settings.notify.site_url, digest)
    webhook_env = webhook_env or settings.notify.webhook_env or DEFAULT_WEBHOOK_VARIABLE
    url = read_named(webhook_env) or ""
    chat = chat or settings.notify.format or webhook_chat(url, webhook_env, required=not dry_run)
    if dry_run:
        click.echo(json.dumps(payload(message, chat), indent=2, ensure_ascii=False))
        return
    if message.is_empty:
        say("Nothing new to post: no status changed, no new breach, nothing due today.")
        return
    status = post(url, payload(message, chat), timeout=timeout)
    say(f"Posted to {chat} (HTTP {status}): {', '.join(s.heading for s in message.sections)}.")


@cli.group()
@verbosity_options
def agreement() -> None:
    """Start the next agreement period, or reset the one in force.

    Example: sla-report agreement new --from 2015-h2 --starts 2016-01-01 --ends 2016-06-30
    """


@agreement.command("new")
@click.option("--from", "from_id", required=True, help="Agreement to copy terms and text from.")
@click.option("--starts", required=True, metavar="DATE", help="First day of the new period.")
@click.option("--ends", required=True, metavar="DATE", help="Last day of the new period.")
@click.option("--revenue-goal", help="New revenue goal, written as given (default: copied).")
@click.option(
    "--id", "new_id", callback=_not_empty, help="Id of the new agreement (default: the start date)."
)
@project_dir_option
@verbosity_options
def agreement_new(
    from_id: str,
    starts: str,
    ends: str,
    revenue_goal: str | None,
    new_id: str | None,
    project_dir: str | None,
) -> None:
    """Add an agreement period copied from another, with its text to edit.

    Example: sla-report agreement new --from 2015-h2 --starts 2016-01-01 --ends 2016-06-30
    """
    from generator.commands.agreement import create_agreement, parse_date
    from generator.settings.project import find_project

    root = find_project(project_dir)
    created = create_agreement(
        root,
        from_id,
        parse_date(starts, "--starts"),
        parse_date(ends, "--ends"),
        new_id,
        revenue_goal,
    )
    _report_agreement(root, created)


@agreement.command("reset")
@click.argument("agreement_id")
@click.option(
    "--on",
    "on",
    required=True,
    metavar="DATE",
    help="First day of the new agreement; the old one ends the day before.",
)
@click.option("--revenue-goal", help="Revenue goal of the new period, written as given.")
@click.option(
    "--id", "new_id", callback=_not_empty, help="Id of the new agreement (default: the --on date)."
)
@project_dir_option
@verbosity_options
def agreement_reset(
    agreement_id: str,
    on: str,
    revenue_goal: str | None,
    new_id: str | None,
    project_dir: str | None,
) -> None:
    """End an agreement early and start a new one from --on to its old end.

    Every KPI, target and pace is then split at the boundary.

    Example: sla-report agreement reset 2015-h2 --on 2015-10-01 --revenue-goal 900000
    """
    from generator.commands.agreement import parse_date, reset_agreement
    from generator.settings.project import find_project

    root = find_project(project_dir)
    created = reset_agreement(root, agreement_id, parse_date(on, "--on"), new_id, revenue_goal)
    _report_agreement(root, created)


def _report_agreement(root: Path, created) -> None:
    if created.ended_early:
        say(f"{created.ended_early} now ends on {created.starts_on - timedelta(days=1)}.")
    say(f"Added agreement {created.agreement_id}: {created.starts_on} to {created.ends_on}.")
    if created.gap_days_before:
        say(f"Note: {created.gap_days_before} days without an agreement before it.")
    say(f"Edit its text: {created.text_path.relative_to(root)}")


def main() -> None:
    """Run the CLI."""
    cli(prog_name="sla-report")
