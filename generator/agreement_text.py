"""Render the agreement texts the team writes, with live figures beside each commitment.

An agreement text is Markdown in `site/agreements/<agreement_id>.md`. It may
reference live figures with these functions:

- `{{ kpi("mqls") }}`: the actual to date, the target (and pace) and the status;
- `{{ actual("mqls") }}`, `{{ target("mqls") }}`, `{{ expected("mqls") }}`,
  `{{ status("mqls") }}`: one part of it;
- `{{ term("first_touch_business_hours") }}`: a term of the agreement itself.

A reference to an unknown KPI or term fails the build with the file and line.
The text is rendered in a sandbox: it can format figures, nothing else.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from jinja2 import FileSystemLoader, StrictUndefined, TemplateError, TemplateSyntaxError
from jinja2.sandbox import SandboxedEnvironment

from generator.exceptions import ConfigError
from generator.pages import KpiView
from generator.render import number, status_badge

AGREEMENTS_DIR = Path("site") / "agreements"
KPI_FUNCTIONS = ("kpi", "actual", "target", "expected", "status")
_CALL = re.compile(r"\b(kpi|actual|target|expected|status|term)\(\s*[\"']([^\"']*)[\"']")

TERM_UNITS = {
    "revenue_goal": "currency", "marketing_revenue_share": "rate",
    "average_deal_size": "currency", "visit_to_lead_rate": "rate", "lead_to_mql_rate": "rate",
    "mql_to_sql_rate": "rate", "sql_to_opportunity_rate": "rate",
    "opportunity_to_proposal_rate": "rate", "proposal_to_win_rate": "rate",
    "first_touch_business_hours": "count", "min_touch_attempts": "count",
    "touch_window_days": "count", "period_days": "count", "days_left": "count",
}
TERM_TEXT = {"title", "time_zone", "period_start_date", "period_end_date"}


def agreement_text_path(project_dir: Path, agreement_id: str) -> Path:
    """Return where the text of an agreement lives."""
    return project_dir / AGREEMENTS_DIR / f"{agreement_id}.md"


def render_agreement_text(project_dir: Path, agreement: dict, kpis: list[KpiView]) -> str:
    """Return the agreement's Markdown with every live reference filled in."""
    path = agreement_text_path(project_dir, agreement["agreement_id"])
    relative = path.relative_to(project_dir).as_posix()
    if not path.is_file():
        raise ConfigError(f"{relative}: missing: every agreement in sla_agreements needs its "
                          f"text (agreement {agreement['agreement_id']!r})")
    source = path.read_text(encoding="utf-8")
    by_id = {kpi.kpi_id: kpi for kpi in kpis}
    _check_references(relative, source, by_id)

    def lookup(kpi_id: str) -> KpiView:
        return by_id[kpi_id]

    functions = {
        "kpi": lambda kpi_id: inline_figure(lookup(kpi_id)),
        "actual": lambda kpi_id: lookup(kpi_id).figure,
        "target": lambda kpi_id: number(lookup(kpi_id).target, lookup(kpi_id).unit),
        "expected": lambda kpi_id: number(lookup(kpi_id).expected_to_date, lookup(kpi_id).unit),
        "status": lambda kpi_id: status_badge(lookup(kpi_id).status),
        "term": lambda name: _term(agreement, name),
    }
    environment = SandboxedEnvironment(loader=FileSystemLoader(str(project_dir)),
                                       undefined=StrictUndefined, autoescape=False,
                                       keep_trailing_newline=True)
    try:
        template = environment.get_template(relative)
        return template.render(**functions)
    except TemplateSyntaxError as error:
        raise ConfigError(f"{relative}:{error.lineno}: {error.message}") from error
    except TemplateError as error:
        raise ConfigError(f"{relative}:{_template_line(template.filename)}: {error}") from error


def inline_figure(kpi: KpiView) -> str:
    """Return the live figure shown beside a commitment."""
    when = "final" if kpi.period_state == "final" else "to date"
    parts = [f"<strong>{kpi.figure}</strong> {when}"]
    if kpi.sample_size is not None:
        parts.append(f"{number(kpi.sample_size)} {kpi.sample_noun or 'cases'}")
    if kpi.target is not None:
        if kpi.is_paced and kpi.status not in ("met", "missed", "not_started"):
            parts.append(f"pace {number(kpi.expected_to_date, kpi.unit)}")
        parts.append(f"target {number(kpi.target, kpi.unit)}")
    return f'<span class="sla-live">{" · ".join(parts)} {status_badge(kpi.status)}</span>'


def _check_references(relative: str, source: str, kpis: dict[str, KpiView]) -> None:
    """Fail on the first reference to an unknown KPI or term, naming file and line."""
    for line_number, line in enumerate(source.splitlines(), start=1):
        for function, name in _CALL.findall(line):
            if function == "term":
                if name not in TERM_UNITS and name not in TERM_TEXT:
                    known = ", ".join(sorted([*TERM_UNITS, *TERM_TEXT]))
                    raise ConfigError(f"{relative}:{line_number}: unknown term {name!r} "
                                      f"in {function}(); known terms: {known}")
            elif name not in kpis:
                raise ConfigError(f"{relative}:{line_number}: unknown KPI {name!r} in "
                                  f"{function}(); known KPIs: {', '.join(sorted(kpis))}")


def _term(agreement: dict, name: str) -> str:
    if name in TERM_TEXT:
        return str(agreement[name])
    return number(agreement[name], TERM_UNITS[name])


def _template_line(filename: str | None) -> int | str:
    """Return the template line of the error being handled (Jinja maps tracebacks)."""
    trace = sys.exc_info()[2]
    line: int | str = "?"
    while trace is not None:
        if filename and trace.tb_frame.f_code.co_filename == filename:
            line = trace.tb_lineno
        trace = trace.tb_next
    return line
