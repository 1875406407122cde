"""One build: dbt -> report models -> Markdown + SVG -> MkDocs -> published folder."""

from __future__ import annotations

import dataclasses
import logging
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from generator.dbt.changes import load_last_good, make_fingerprint, plan_build, state_dir
from generator.dbt.runner import last_good_build, run_dbt_build
from generator.dbt.warehouse import open_warehouse
from generator.formats import day, moment
from generator.i18n import SOURCE_LOCALE, SiteLocale, gettext, use
from generator.lock import build_lock
from generator.progress import DbtProgress, Progress
from generator.report.data import agreement_in_force, load_report_data, test_results
from generator.report.history import (
    as_closed,
    definition_hashes,
    merge_history,
    read_history,
    restatements,
    write_history,
)
from generator.report.kpi_views import kpi_views
from generator.report.kpis import discover_kpis
from generator.report.quality import QualityReport, check_quality, load_quality, site_stamp
from generator.report.summary import make_summary, read_previous, write_summary
from generator.report.terms import changes_of, record_term_changes
from generator.settings.build_config import BuildConfig
from generator.settings.project import declared_kpis, mkdocs_config, project_kpi_models
from generator.settings.project import project_vars as read_project_vars
from generator.site.agreement_text import (
    agreement_text_path,
    check_agreement_texts,
    render_agreement_text,
)
from generator.site.charts import svg_cache
from generator.site.mkdocs import build_site, publish, stage_docs, theme_words, write_mkdocs_config
from generator.site.pages import SiteInput, plan_site
from generator.site.render import check_templates, make_environment, render_page

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class BuildSummary:
    """What a finished build reports."""

    out_dir: Path
    pages: int
    kpis: int
    dbt_seconds: float
    total_seconds: float
    mode: str = "full"
    """What was rebuilt: 'full', 'models' or 'pages' (see generator/dbt/changes.py)."""
    quality: QualityReport | None = None
    """What the input lost, printed after the build (issue #11)."""
    timings: tuple[tuple[str, float], ...] = ()
    """(stage, seconds) in order: what the final line reports (issue #8)."""
    generated_pages: int = 0
    """Of `pages`, those generated from the report models; the rest are site/docs pages."""


def build_report(
    config: BuildConfig,
    full: bool = False,
    report: Callable[[str], None] | None = None,
    progress: Progress | None = None,
) -> BuildSummary:
    """Build what changed; publish to config.out_dir only if every step succeeded.

    report receives the one-line decision (what changed, what is rebuilt);
    progress shows and times the stages (silent by default).
    """
    with build_lock(config.work_dir):
        return _build(config, full, report or log.info, progress or Progress("quiet"))


def template_cache_dir(config: BuildConfig) -> Path:
    """Return the work folder's cache of compiled page and theme templates (issue #23)."""
    return config.work_dir / "templates"


def check_templates_and_texts(config: BuildConfig, project_vars: dict, environment) -> None:
    """Compile the page templates and check the agreement texts (syntax, KPI names) before dbt."""
    kpi_ids = declared_kpis(config.site_root, project_kpi_models(project_vars))
    check_templates(environment)  # compiled once: rendering reuses them
    check_agreement_texts(config.site_root, kpi_ids)


def _build(
    config: BuildConfig, full: bool, report: Callable[[str], None], progress: Progress
) -> BuildSummary:
    started = time.perf_counter()
    with progress.stage("planning"):
        project_vars = read_project_vars(config.site_root)
        environment = make_environment(template_cache_dir(config))
        check_templates_and_texts(config, project_vars, environment)
        # Read first: an unreadable record of closed periods stops the build before dbt.
        previous_history = read_history(config.out_dir)
        last = load_last_good(config)
        fingerprint = make_fingerprint(config, last.fingerprint if last else None)
        rebuild = plan_build(config, fingerprint, last, full)
    report(rebuild.describe())
    # plan_build plans "pages" only from a last good build.
    if rebuild.mode == "pages" and last is not None:
        dbt_build = last_good_build(last)
    else:
        with progress.stage("dbt"):
            dbt_build = run_dbt_build(
                config, rebuild, fingerprint, last, on_event=DbtProgress(progress)
            )
    return _generate(
        config,
        project_vars,
        environment,
        previous_history,
        dbt_build,
        rebuild.mode,
        progress,
        started,
    )


def _generate(
    config: BuildConfig,
    project_vars: dict,
    environment,
    previous_history,
    dbt_build,
    mode: str,
    progress: Progress,
    started: float,
) -> BuildSummary:
    """Read the report models, write pages and charts, run MkDocs and publish."""
    with progress.stage("reading results"):
        data, quality, definitions = _read_results(config, project_vars, dbt_build)
    # Issue #14: pages, charts and the theme's words in the site's language.
    language = SiteLocale(config.locale, config.currency)
    warn_untranslated(definitions, language)
    with progress.stage("pages and charts"), use(language):
        plan, history, data = _plan_pages(
            config, project_vars, data, definitions, dbt_build, previous_history
        )
        files = {
            path: render_page(environment, template, page) for path, template, page in plan.pages
        }
        files.update(plan.charts)
        files.update(plan.downloads)
        # Issue #20: counts that agree with the final line's.
        progress.update(f"{len(plan.pages)} generated pages, {len(plan.charts)} chart files")
    built_dir = _run_mkdocs(config, files, plan.nav_children, quality, data, language, progress)
    _publish(config, built_dir, data, definitions, history, progress)
    pages = sum(1 for _ in config.out_dir.rglob("*.html"))
    summary = BuildSummary(
        out_dir=config.out_dir,
        pages=pages,
        kpis=len(definitions),
        dbt_seconds=dbt_build.seconds,
        total_seconds=time.perf_counter() - started,
        mode=mode,
        quality=quality,
        timings=tuple(progress.timings),
        generated_pages=len(plan.pages),
    )
    log.info(
        "built %d pages, %d KPIs in %.1f s (dbt %.1f s) -> %s",
        summary.pages,
        summary.kpis,
        summary.total_seconds,
        summary.dbt_seconds,
        summary.out_dir,
    )
    return summary


def _run_mkdocs(
    config: BuildConfig,
    files,
    nav_children,
    quality,
    data,
    language: SiteLocale,
    progress: Progress,
) -> Path:
    """Stage the pages and build the site with MkDocs; return the folder it was built in."""
    docs_dir = config.work_dir / "docs"
    built_dir = config.work_dir / "site"
    with progress.stage("MkDocs"), use(language):
        if built_dir.exists():
            shutil.rmtree(built_dir)
        stage_docs(config.site_root, docs_dir, files)
        mkdocs_config = write_mkdocs_config(
            config.site_root,
            docs_dir,
            built_dir,
            # Issue #20: the header's dates in the site's locale.
            {
                "data_as_of": day(config.as_of),
                "built_at": f"{moment(config.built_at.replace(tzinfo=None))} UTC",
                **site_stamp(quality, agreement_in_force(data.agreements)["time_zone"]),
                **theme_words(),
            },
            config.work_dir / "mkdocs.yml",
            nav_children,
        )
        build_site(mkdocs_config, template_cache_dir(config))
    return built_dir


def _publish(
    config: BuildConfig, built_dir: Path, data, definitions, history, progress: Progress
) -> None:
    """Write summary.json and the history beside the built site, then publish it."""
    # summary.json is read by programs and chat notices: English words, the
    # data's own currency, whatever the site's language.
    with progress.stage("publish"), use(SiteLocale(SOURCE_LOCALE, config.currency)):
        current = agreement_in_force(data.agreements)
        write_summary(
            built_dir,
            make_summary(
                current,
                kpi_views(data, definitions, current["agreement_id"]),
                config.as_of.isoformat(),
                config.built_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
                read_previous(config.out_dir),
                changes_of(history, current["agreement_id"]),
                {
                    name: [
                        row
                        for row in getattr(data, name)
                        if row["agreement_id"] == current["agreement_id"]
                    ]
                    for name in ("teams", "reps", "breach_queue")
                },
            ),
        )
        write_history(built_dir, history)
        publish(built_dir, config.out_dir)


def warn_untranslated(definitions, language: SiteLocale) -> list[str]:
    """Warn, naming them, about KPI words meta.kpi has no text for in the site's language.

    They are shown in the default language: the site stays complete, and the
    warning says which `translations.<locale>` entries to add.
    """
    if language.code == SOURCE_LOCALE:
        return []
    missing = [
        f"{definition.kpi_id}.{name}"
        for definition in definitions
        for name in definition.missing_translations(language.code)
    ]
    if missing:
        log.warning(
            "locale %s: no meta.kpi translation for %s; shown in the default "
            "language (add translations: {%s: {...}} to meta.kpi)",
            language.code,
            ", ".join(missing),
            language.code,
        )
    return missing


def _read_results(config: BuildConfig, project_vars: dict, dbt_build):
    """Return the report data, the input's quality report and the KPI definitions."""
    site_extra = mkdocs_config(config.site_root).get("extra") or {}
    definitions = discover_kpis(
        dbt_build.manifest,
        project_kpi_models(project_vars),
        str(site_extra.get("repository_url") or ""),
    )
    with open_warehouse(config, dbt_build.manifest) as warehouse:
        data = load_report_data(warehouse)
        quality = load_quality(warehouse, config.as_of)
    check_quality(quality, project_vars)
    # Issue #19: the models say which KPIs have no data and why; the build
    # only repeats it, once per KPI.
    # Issue #20: printed once each, as one plain sentence (cli.build prints
    # the quality lines).
    current = agreement_in_force(data.agreements)["agreement_id"]
    sentences = [
        f"{row['kpi_title']} has no data: {row['no_data_reason']}."
        for row in data.scorecard
        if row["agreement_id"] == current and row["status"] == "no_data" and row["no_data_reason"]
    ]
    sentences += [row["detail"] for row in data.warnings]
    quality = dataclasses.replace(quality, warnings=sentences)
    return data, quality, definitions


def defining_vars(config: BuildConfig, project_vars: dict) -> dict:
    """Return the vars that define the KPIs: the project's, and the attribution in force.

    crm_source.yml's `attribution:` (issue #19) changes what marketing-sourced
    means, so a closed period recomputed under another rule says "Definition
    changed".
    """
    if config.attribution is None:
        return project_vars
    return {**project_vars, "attribution": config.attribution}


def _plan_pages(
    config: BuildConfig, project_vars: dict, data, definitions, dbt_build, previous_history
):
    """Return the site plan, the record of closed periods and the data as closed.

    Closed periods show the figures they were recorded with (issue #7), so
    the data returned is what every page and summary.json must use.
    """
    built_at = config.built_at.strftime("%Y-%m-%dT%H:%M:%SZ")
    # Final periods keep the figures they closed with (issue #7): record them,
    # then show the record everywhere, and today's figures beside it where they differ.
    history = merge_history(
        previous_history,
        data.agreements,
        {
            a["agreement_id"]: kpi_views(data, definitions, a["agreement_id"])
            for a in data.agreements
            if a["period_state"] == "final"
        },
        definition_hashes(dbt_build.manifest, definitions, defining_vars(config, project_vars)),
        built_at,
        config.as_of.isoformat(),
    )
    # Issue #20: a target or term edited while its period runs leaves a trace.
    history = record_term_changes(
        history, previous_history, data.agreements, data.scorecard, built_at
    )
    data = as_closed(data, history)

    bodies = _agreement_bodies(config, data, definitions)
    raw_source = _raw_source(config)
    with svg_cache(state_dir(config) / "charts"):
        plan = plan_site(
            SiteInput(
                data=data,
                definitions=definitions,
                agreement_bodies=bodies,
                thresholds=(
                    project_vars["status_on_track_min"],
                    project_vars["status_at_risk_min"],
                ),
                raw_source=raw_source,
                tests=test_results(dbt_build.results),
                dbt_seconds=dbt_build.seconds,
                restated=restatements(history, data.agreements),
                crm_links=config.crm_links,
                term_changes=history.get("term_changes", []),
            )
        )
    return plan, history, data


def _agreement_bodies(config: BuildConfig, data, definitions) -> dict[str, tuple[str, str]]:
    """Return each agreement's text, rendered, with its path in the site's sources."""
    bodies = {}
    for agreement in data.agreements:
        agreement_id = agreement["agreement_id"]
        body = render_agreement_text(
            config.site_root, agreement, kpi_views(data, definitions, agreement_id)
        )
        path = agreement_text_path(config.site_root, agreement_id)
        bodies[agreement_id] = (path.relative_to(config.site_root).as_posix(), body)
    return bodies


def _raw_source(config: BuildConfig) -> str:
    """Return the words that name where this build's raw data came from."""
    if config.data_dir:
        return gettext("the files in %(folder)s/") % {"folder": config.data_dir.name}
    if config.target.is_warehouse:
        # A warehouse's or a team's own dbt project's tables (issue #22), never the demo's.
        return gettext("the raw tables of the dbt target %(target)s") % {
            "target": config.target.name
        }
    return gettext("the demo seeds (seeds/raw)")
