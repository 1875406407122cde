"""The Jinja environment (StrictUndefined) and the filters that format values for pages."""

from __future__ import annotations

import html
import re
from dataclasses import fields
from datetime import date, datetime

from jinja2 import Environment, PackageLoader, StrictUndefined

STATUS_LABELS = {
    "on_track": "On track",
    "at_risk": "At risk",
    "behind": "Behind",
    "no_target": "No target",
    "no_data": "No data",
    "met": "Met",
    "missed": "Missed",
    "upcoming": "Upcoming",
    "not_started": "Not started",
    "too_few": "Too few to judge",
}
PERIOD_STATES = {"final": "Final", "in_progress": "In progress", "upcoming": "Upcoming"}

# Exactly the characters Python-Markdown (with the tables extension) lets a
# backslash escape: escaping any other character would show the backslash.
# `<`, `>` and `&` never reach this step raw: html.escape turns them into
# entities first.
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|])")


def text(value: object) -> str:
    """Return data text safe to put anywhere in Markdown: shown literally, never run.

    HTML is escaped first (so `<script>` is text), then every character that
    Markdown or its extensions interpret is backslash-escaped (so `**bold**`,
    `[link](javascript:...)` and `{: attr }` stay literal). Newlines become
    spaces so a value cannot break a table row or start a block.
    """
    if value is None:
        return "–"
    flat = " ".join(str(value).split())
    return _MARKDOWN_SPECIAL.sub(r"\\\1", html.escape(flat, quote=True))


def number(value: float | int | None, unit: str = "count") -> str:
    """Return a value formatted for its unit: 1,234 / $1,234 / 76.9% / 2.2 h / 39.5 days."""
    if value is None:
        return "–"
    value = float(value)
    if unit == "currency":
        return f"${value:,.0f}"
    if unit == "rate":
        return f"{value * 100:.1f}%"
    if unit == "hours":
        return f"{value:,.1f} h"
    if unit == "days":
        return f"{value:,.1f} days"
    return f"{value:,.0f}"


def prose(value: float | int | None, unit: str = "count") -> str:
    """Return a value as people write it in a sentence: 80%, 40 days, 12.5%, 2.5 h.

    Tables keep one decimal so columns line up; a sentence drops a ".0"
    ("at least 80%", not "at least 80.0%"; issue #12).
    """
    return re.sub(r"(\d)\.0(?=%| h| days|$)", r"\1", number(value, unit))


def shortfall(value: float | int | None, unit: str = "count") -> str:
    """Return how far a KPI is short, in its own unit (rates in percentage points)."""
    if value is None:
        return "–"
    if unit == "rate":
        return f"{abs(float(value)) * 100:.1f} pts"
    return number(abs(value), unit)


def percent(value: float | None, digits: int = 0) -> str:
    """Return a 0-1 fraction as a percentage."""
    if value is None:
        return "–"
    return f"{float(value) * 100:.{digits}f}%"


def signed_percent(value: float | None) -> str:
    """Return a growth rate with its sign: +12.5% or -3.0%."""
    if value is None:
        return "–"
    return f"{float(value) * 100:+.1f}%"


def display_name(identifier: str | None) -> str:
    """Return a channel or category id as readers write it: organic_search -> Organic search.

    The id stays in the data and the JSON; pages show words (issue #12).
    """
    if identifier is None:
        return "–"
    return text(str(identifier).replace("_", " ").strip().capitalize())


def status_label(status: str) -> str:
    """Return the human label of a status."""
    return STATUS_LABELS.get(status, status.replace("_", " ").capitalize())


def status_badge(status: str) -> str:
    """Return an inline HTML badge for a status (styled in extra.css)."""
    return f'<span class="sla-status sla-status--{status}">{status_label(status)}</span>'


def period_state(state: str) -> str:
    """Return the human label of a period state."""
    return PERIOD_STATES.get(state, state)


def day(value: date | datetime | None) -> str:
    """Return a date as 'Thu 15 Oct 2015'."""
    if value is None:
        return "–"
    return value.strftime("%a %-d %b %Y")


def clock(minutes: int) -> str:
    """Return minutes after midnight as HH:MM."""
    return f"{int(minutes) // 60:02d}:{int(minutes) % 60:02d}"


def chart(path: str, caption: str) -> str:
    """Return a chart as Markdown images: the light one, and its dark twin for dark mode.

    The theme shows `#only-light` images in the light scheme and `#only-dark`
    ones in the dark scheme (issue #12); the file names follow charts.dark_path.
    """
    dark = path.removesuffix(".svg") + "-dark.svg"
    return (f"![{caption}]({path}#only-light){{ .sla-chart }}"
            f"![{caption}]({dark}#only-dark){{ .sla-chart }}")


def make_environment() -> Environment:
    """Return the Jinja environment for the page templates."""
    environment = Environment(
        loader=PackageLoader("generator", "templates"),
        undefined=StrictUndefined,
        autoescape=False,  # Markdown, not HTML: data goes through the `text` filter
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.filters.update({
        "text": text,
        "number": number,
        "prose": prose,
        "display_name": display_name,
        "shortfall": shortfall,
        "percent": percent,
        "signed_percent": signed_percent,
        "status_label": status_label,
        "status_badge": status_badge,
        "period_state": period_state,
        "day": day,
        "clock": clock,
        "chart": chart,
    })
    return environment


def check_templates(environment: Environment) -> int:
    """Compile every page template (a syntax error names file and line); return how many."""
    from jinja2 import TemplateSyntaxError

    from generator.exceptions import ConfigError

    names = environment.list_templates(extensions=["j2"])
    for name in names:
        try:
            environment.get_template(name)
        except TemplateSyntaxError as error:
            raise ConfigError(f"generator/templates/{name}:{error.lineno}: "
                              f"{error.message}") from error
    return len(names)


def render_page(environment: Environment, template: str, page: object) -> str:
    """Render one page dataclass with its template."""
    context = {field.name: getattr(page, field.name) for field in fields(page)}
    return environment.get_template(template).render(**context)
