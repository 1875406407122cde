"""Render the agreement texts the team writes, with live figures beside each commitment.

An agreement text is Markdown in `site/agreements/<agreement_id>.md`. It may
reference live figures with these functions:

- `{{ kpi("mqls") }}`: the actual to date, the target (and pace) and the status,
  labelled with the KPI's title; `{{ kpi("opportunities", "proposals") }}`
  shows one figure for each, for a sentence with several commitments;
- `{{ actual("mqls") }}`, `{{ target("mqls") }}`, `{{ expected("mqls") }}`,
  `{{ status("mqls") }}`: one part of it;
- `{{ term("first_touch_business_hours") }}`: a term of the agreement itself, by
  its column name in `seeds/reference/sla_agreements.csv` (plus the computed
  `period_days` and `days_left`).

A reference to an unknown KPI or term fails the build with the file, the line
and the closest known name; `check_agreement_texts` does so before dbt runs.
The text is rendered in a sandbox: it can format figures, nothing else.
Figures in sentences (target(), expected(), term()) are rounded as people
write them: "80%", "40 days" (issue #12).

The text is the team's own, in whatever language it writes; the figures
inserted into it are formatted in the site's locale, or in the agreement's
own when its text starts with a front matter that says so (issue #14):

    ---
    locale: pt_BR
    currency: BRL
    ---
"""

from __future__ import annotations

import csv
import difflib
import html
import re
import sys
from pathlib import Path

import yaml
from jinja2 import FunctionLoader, StrictUndefined, TemplateError, TemplateSyntaxError
from jinja2.sandbox import SandboxedEnvironment

from generator import i18n
from generator.exceptions import ConfigError
from generator.formats import clock, day, no_data_reason, number, prose
from generator.i18n import gettext
from generator.report.kpi_views import KpiView
from generator.site.render import status_badge, text

AGREEMENTS_DIR = Path("site") / "agreements"
_CALL = re.compile(r"\b(kpi|actual|target|expected|status|term)\(([^)]*)\)")
_NAME = re.compile(r"[\"']([^\"']*)[\"']")

AGREEMENTS_SEED = Path("seeds") / "reference" / "sla_agreements.csv"

# term() name = the sla_agreements.csv column -> (rpt_agreements column, format).
# tests/test_agreement_text.py checks these names against the seed's header.
SEED_TERMS = {
    "agreement_id": ("agreement_id", "text"),
    "title": ("title", "text"),
    "starts_on": ("period_start_date", "date"),
    "ends_on": ("period_end_date", "date"),
    "revenue_goal": ("revenue_goal", "currency"),
    "marketing_revenue_share": ("marketing_revenue_share", "rate"),
    "average_deal_size": ("average_deal_size", "currency"),
    "visit_to_lead": ("visit_to_lead_rate", "rate"),
    "lead_to_mql": ("lead_to_mql_rate", "rate"),
    "mql_to_sql": ("mql_to_sql_rate", "rate"),
    "sql_to_opportunity": ("sql_to_opportunity_rate", "rate"),
    "opportunity_to_proposal": ("opportunity_to_proposal_rate", "rate"),
    "proposal_to_win": ("proposal_to_win_rate", "rate"),
    "first_touch_business_hours": ("first_touch_business_hours", "count"),
    "min_touch_attempts": ("min_touch_attempts", "count"),
    "touch_window_days": ("touch_window_days", "count"),
    "timezone": ("time_zone", "text"),
    "business_day_start": ("business_day_start_minute", "clock"),
    "business_day_end": ("business_day_end_minute", "clock"),
    "conversion_window_days": ("conversion_window_days", "count"),
    "min_sample": ("min_sample", "count"),
}
# Computed from the period and the as-of date, so not columns of the seed.
COMPUTED_TERMS = {"period_days": ("period_days", "count"), "days_left": ("days_left", "count")}
TERMS = {**SEED_TERMS, **COMPUTED_TERMS}
AGREEMENT_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")


def agreement_text_path(project_dir: Path, agreement_id: str) -> Path:
    """Return where the text of an agreement lives.

    The id names a file and a page (agreements/<id>.md), so it must be a
    plain name: `../README` would read a file from outside the folder.
    """
    if not AGREEMENT_ID.match(str(agreement_id)):
        raise ConfigError(
            f"sla_agreements.csv: agreement_id {agreement_id!r} must start with "
            "a letter or digit and hold only letters, digits, '.', '_' and '-' "
            "(64 at most): it names the agreement's text file and page"
        )
    return project_dir / AGREEMENTS_DIR / f"{agreement_id}.md"


def render_agreement_text(project_dir: Path, agreement: dict, kpis: list[KpiView]) -> str:
    """Return the agreement's Markdown with every live reference filled in."""
    path = agreement_text_path(project_dir, agreement["agreement_id"])
    relative = path.relative_to(project_dir).as_posix()
    if not path.is_file():
        raise ConfigError(
            f"{relative}: missing: every agreement in sla_agreements needs its "
            f"text (agreement {agreement['agreement_id']!r})"
        )
    settings, source, offset = split_front_matter(relative, path.read_text(encoding="utf-8"))
    by_id = {kpi.kpi_id: kpi for kpi in kpis}
    check_references(relative, source, by_id, offset)
    with i18n.use(agreement_locale(relative, settings)):
        return _render(path, relative, source, offset, agreement, by_id)


def split_front_matter(relative: str, source: str) -> tuple[dict, str, int]:
    """Return the text's front matter (locale, currency), its body and the body's first line - 1.

    The body keeps the file's line numbers in errors: the offset is added.
    """
    match = re.match(r"---[ \t]*\n(.*?)\n---[ \t]*\n", source, re.DOTALL)
    if not match:
        return {}, source, 0
    try:
        settings = yaml.safe_load(match.group(1)) or {}
    except yaml.YAMLError as error:
        raise ConfigError(f"{relative}: front matter is not YAML: {error}") from error
    unknown = (
        sorted(set(settings) - {"locale", "currency"})
        if isinstance(settings, dict)
        else ["(not a mapping)"]
    )
    if unknown:
        raise ConfigError(
            f"{relative}: front matter: only locale and currency can be set, "
            f"not {', '.join(map(str, unknown))}"
        )
    return settings, source[match.end() :], match.group(0).count("\n")


def agreement_locale(relative: str, settings: dict) -> i18n.SiteLocale:
    """Return the locale of an agreement's figures: its front matter's, else the site's."""
    site = i18n.current()
    if not settings:
        return site
    return i18n.site_locale(
        settings.get("locale") or site.code,
        settings.get("currency") or site.currency,
        f"{relative}: front matter",
    )


def _render(
    path: Path, relative: str, source: str, offset: int, agreement: dict, by_id: dict[str, KpiView]
) -> str:
    """Return the body with every live reference filled in, in the locale in force."""

    def lookup(kpi_id: str) -> KpiView:
        return by_id[kpi_id]

    functions = {
        "kpi": lambda *kpi_ids: " ".join(inline_figure(lookup(kpi_id)) for kpi_id in kpi_ids),
        "actual": lambda kpi_id: lookup(kpi_id).figure,
        "target": lambda kpi_id: prose(lookup(kpi_id).target, lookup(kpi_id).unit),
        "expected": lambda kpi_id: prose(lookup(kpi_id).expected_to_date, lookup(kpi_id).unit),
        "status": lambda kpi_id: status_badge(lookup(kpi_id).status),
        "term": lambda name: _term(agreement, name),
    }
    # Blank lines stand for the front matter, so errors name the file's own lines.
    loader = FunctionLoader(lambda name: ("\n" * offset + source, str(path), lambda: True))
    environment = SandboxedEnvironment(
        loader=loader, undefined=StrictUndefined, autoescape=False, keep_trailing_newline=True
    )
    try:
        template = environment.get_template(relative)
        return template.render(**functions)[offset:]
    except TemplateSyntaxError as error:
        raise ConfigError(f"{relative}:{error.lineno}: {error.message}") from error
    except TemplateError as error:
        raise ConfigError(f"{relative}:{_template_line(template.filename)}: {error}") from error


def inline_figure(kpi: KpiView) -> str:
    """Return the live figure shown beside a commitment, saying which KPI it is."""
    when = gettext("final") if kpi.period_state == "final" else gettext("to date")
    if kpi.no_data_reason:
        # Issue #9: an input the team lacks is said, never shown as a 0.
        return (
            f'<span class="sla-live">{text(kpi.title)}: <strong>{kpi.figure}</strong> '
            f"({html.escape(no_data_reason(kpi.no_data_reason))}) "
            f"{status_badge(kpi.status)}</span>"
        )
    if kpi.matures_on is not None:
        when = gettext("so far")  # issue #19: maturing, not no data
    parts = [f"{text(kpi.title)}: <strong>{kpi.figure}</strong> {when}"]
    noun = (
        (kpi.spec.text("maturing_noun") if kpi.matures_on is not None else "")
        or kpi.sample_noun
        or gettext("cases")
    )
    if kpi.sample_size is not None:
        parts.append(f"{number(kpi.sample_size)} {noun}")
    if kpi.matures_on is not None:
        parts.append(gettext("matures on %(day)s") % {"day": day(kpi.matures_on)})
    if kpi.provisional_until is not None:
        parts.append(gettext("provisional until %(day)s") % {"day": day(kpi.provisional_until)})
    if kpi.target is not None:
        if kpi.is_paced and kpi.status not in ("met", "missed", "not_started"):
            parts.append(gettext("pace %(pace)s") % {"pace": prose(kpi.expected_to_date, kpi.unit)})
        parts.append(gettext("target %(target)s") % {"target": prose(kpi.target, kpi.unit)})
    return f'<span class="sla-live">{" · ".join(parts)} {status_badge(kpi.status)}</span>'


def check_references(relative: str, source: str, kpi_ids: set[str] | dict, offset: int = 0) -> None:
    """Fail on the first reference to an unknown KPI or term, naming file, line and a fix."""
    for line_number, line in enumerate(source.splitlines(), start=offset + 1):
        for function, arguments in _CALL.findall(line):
            names = _NAME.findall(arguments)
            if function != "kpi":
                names = names[:1]
            for name in names:
                _check_name(relative, line_number, function, name, kpi_ids)


def _check_name(
    relative: str, line_number: int, function: str, name: str, kpi_ids: set[str] | dict
) -> None:
    known = TERMS if function == "term" else kpi_ids
    if name in known:
        return
    what = "term" if function == "term" else "KPI"
    close = difflib.get_close_matches(name, list(known), n=1, cutoff=0.6)
    hint = f"did you mean {close[0]}?" if close else f"known {what}s: {', '.join(sorted(known))}"
    raise ConfigError(f"{relative}:{line_number}: unknown {what} {name!r} in {function}(); {hint}")


def check_agreement_texts(project_dir: Path, kpi_ids: set[str]) -> int:
    """Check every agreement text (syntax and references) before dbt runs; return how many.

    Each agreement in sla_agreements.csv needs its text, and every kpi(),
    actual(), ... and term() must name a known KPI or term: a typo fails in
    well under a second instead of after the dbt build (issue #10).
    """
    seed = project_dir / AGREEMENTS_SEED
    with seed.open(newline="", encoding="utf-8") as handle:
        agreement_ids = [row["agreement_id"] for row in csv.DictReader(handle)]
    environment = SandboxedEnvironment(undefined=StrictUndefined, autoescape=False)
    for agreement_id in agreement_ids:
        path = agreement_text_path(project_dir, agreement_id)
        relative = path.relative_to(project_dir).as_posix()
        if not path.is_file():
            raise ConfigError(
                f"{relative}: missing: every agreement in sla_agreements needs "
                f"its text (agreement {agreement_id!r})"
            )
        settings, source, offset = split_front_matter(relative, path.read_text(encoding="utf-8"))
        agreement_locale(relative, settings)  # an unknown locale fails before dbt too
        try:
            environment.parse(source)
        except TemplateSyntaxError as error:
            raise ConfigError(f"{relative}:{error.lineno + offset}: {error.message}") from error
        check_references(relative, source, kpi_ids, offset)
    return len(agreement_ids)


def _term(agreement: dict, name: str) -> str:
    column, kind = TERMS[name]
    value = agreement[column]
    if kind == "text":
        return str(value)
    if kind == "clock":
        return clock(value)
    if kind == "date":
        return day(value)  # in the agreement's locale: Wed 1 Jul 2015, 1 ก.ค. 2015
    return prose(value, kind)


def _template_line(filename: str | None) -> int | str:
    """Return the template line of the error being handled (Jinja maps tracebacks)."""
    trace = sys.exc_info()[2]
    line: int | str = "?"
    while trace is not None:
        if filename and trace.tb_frame.f_code.co_filename == filename:
            line = trace.tb_lineno
        trace = trace.tb_next
    return line
