"""Charts as static SVG: Vega-Lite specs rendered at build time (no browser, no JS)."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from pathlib import Path
from typing import TypedDict

import vl_convert
from babel.dates import format_date, format_skeleton

from generator import i18n
from generator.formats import number, percent
from generator.i18n import gettext

SCHEMA = "https://vega.github.io/schema/vega-lite/v5.json"
# Every colour a chart uses, for the light scheme. Each has a twin in DARK:
# the dark SVG is the light one with these swapped (issue #12), so both say
# the same thing and the second costs no second render. Each colour is at
# least 3:1 against its background (WCAG 1.4.11, graphical objects); series
# differ by dash or mark as well as by colour.
COLORS = {"actual": "#3f51b5", "pace": "#616161", "target": "#c43e00"}
TEXT, AXIS, GRID = "#212121", "#616161", "#e0e0e0"
DARK = {
    TEXT: "#e0e0e0",
    AXIS: "#b0b0b0",
    GRID: "#3c4150",
    COLORS["actual"]: "#8c9eff",
    COLORS["target"]: "#ffab40",
}
BASE_CONFIG = {
    "font": "sans-serif",
    "background": None,  # the page's own background shows through, light or dark
    "view": {"stroke": None},
    "mark": {"color": COLORS["actual"]},
    "axis": {
        "labelFontSize": 11,
        "titleFontSize": 12,
        "gridColor": GRID,
        "labelColor": TEXT,
        "titleColor": TEXT,
        "domainColor": AXIS,
        "tickColor": AXIS,
    },
    "legend": {"orient": "top", "labelFontSize": 11, "title": None, "labelColor": TEXT},
    "title": {"color": TEXT},
    "text": {"color": TEXT},
}
_DARK_SWAP = re.compile("|".join(re.escape(c) for c in DARK), re.IGNORECASE)


def dark_twin(svg: str) -> str:
    """Return the dark-scheme version of a chart: each light colour swapped for its twin."""
    return _DARK_SWAP.sub(lambda match: DARK[match.group(0).lower()], svg)


def dark_path(path: str) -> str:
    """Return where a chart's dark twin is written: charts/x.svg -> charts/x-dark.svg."""
    return path.removesuffix(".svg") + "-dark.svg"


def _clean(rows: list[dict], keys: list[str]) -> list[dict]:
    """Return JSON-ready rows: dates as ISO text, numbers as floats."""
    cleaned = []
    for row in rows:
        item = {}
        for key in keys:
            value = row.get(key)
            if isinstance(value, date):
                value = value.isoformat()
            elif value is not None and not isinstance(value, (str, bool)):
                value = float(value)
            item[key] = value
        cleaned.append(item)
    return cleaned


_cache: dict = {"folder": None, "used": set()}


@contextmanager
def svg_cache(folder: Path) -> Iterator[None]:
    """Reuse the SVG of an identical chart spec from the last build (issue #10).

    Rendering a chart is most of the time a pages-only rebuild takes, and its
    data has not changed then. The cache is keyed by the whole spec, data
    included, so a changed number always draws a new chart; entries the build
    did not use are removed at the end.
    """
    folder.mkdir(parents=True, exist_ok=True)
    _cache.update(folder=folder, used=set())
    try:
        yield
        for path in folder.glob("*.svg"):
            if path.name not in _cache["used"]:
                path.unlink()
    finally:
        _cache.update(folder=None, used=set())


# The axis format of amounts: d3's currency format, whose symbol and its
# place come from the locale in force (format_locale below).
CURRENCY_FORMAT = "$,.0f"


def format_locale() -> dict:
    """Return d3's number locale for the site's locale and currency, from Babel's CLDR data.

    Vega formats axis numbers with d3-format: its locale (separators, the
    currency symbol before or after) is built here rather than named, since
    d3 ships no Thai locale.
    """
    symbols = i18n.current().babel.number_symbols["latn"]
    # The symbol and its place (฿1, R$ 1, 1 €), as the pages write amounts.
    prefix, _, suffix = number(1, "currency").partition("1")
    currency = [prefix, suffix]
    return {
        "decimal": symbols["decimal"],
        "thousands": symbols["group"],
        "grouping": [3],
        "currency": currency,
        "percent": symbols["percentSign"],
        "minus": "-",
    }


def time_format_locale() -> dict:
    """Return d3's time locale (month and weekday names) from Babel's CLDR data."""
    cldr = i18n.current().babel

    def names(kind: str, width: str, order: list) -> list[str]:
        return [cldr.__getattribute__(kind)["format"][width][key] for key in order]

    return {
        "dateTime": "%x, %X",
        "date": "%-d/%-m/%Y",
        "time": "%H:%M:%S",
        "periods": [
            cldr.day_periods["format"]["abbreviated"].get("am", "AM"),
            cldr.day_periods["format"]["abbreviated"].get("pm", "PM"),
        ],
        "days": names("days", "wide", [6, 0, 1, 2, 3, 4, 5]),
        "shortDays": names("days", "abbreviated", [6, 0, 1, 2, 3, 4, 5]),
        "months": names("months", "wide", list(range(1, 13))),
        "shortMonths": names("months", "abbreviated", list(range(1, 13))),
    }


class Chart(str):
    """A chart's SVG, with its narrow twin for phones (issue #20).

    Scaled down to a 390 px screen, a 640 px chart's 11 px labels shrink to
    about 6 px; the twin is drawn NARROW_WIDTH wide with the same type, so
    its text stays at least 10 px there.
    """

    narrow: str = ""


WIDE_WIDTH = 640
NARROW_WIDTH = 290


def narrow_path(path: str) -> str:
    """Return where a chart's narrow twin is written: charts/x.svg -> charts/x-narrow.svg."""
    return path.removesuffix(".svg") + "-narrow.svg"


NARROW_MAX = 380
"""The narrow twin's whole width: shown 358 px wide on a 390 px phone, 11 px text stays 10."""


def _svg(spec: dict) -> Chart:
    spec = {"$schema": SCHEMA, "config": BASE_CONFIG, "width": WIDE_WIDTH, "height": 240, **spec}
    chart = Chart(_render(spec))
    # On a phone a legend lists its entries one under the other.
    narrow_spec = {
        **spec,
        "width": NARROW_WIDTH,
        "config": {
            **spec["config"],
            "legend": {**spec["config"].get("legend", {}), "direction": "vertical"},
        },
    }
    narrow = _render(narrow_spec)
    # Axis labels and legends come on top of the plot's width: a chart with long
    # labels (the funnel's stages) gets a narrower plot, so the whole stays narrow.
    overflow = _width(narrow) - NARROW_MAX
    if overflow > 0:
        narrow = _render({**narrow_spec, "width": max(NARROW_WIDTH - overflow, 120)})
    chart.narrow = narrow
    return chart


def _width(svg: str) -> float:
    found = re.search(r'<svg[^>]*\swidth="([\d.]+)', svg)
    return float(found.group(1)) if found else 0.0


class _Locales(TypedDict):
    """vl_convert's locale arguments, passed by name and hashed into the cache key."""

    format_locale: dict
    time_format_locale: dict


def _render(spec: dict) -> str:
    locales: _Locales = {
        "format_locale": format_locale(),
        "time_format_locale": time_format_locale(),
    }
    folder = _cache["folder"]
    if folder is None:
        return vl_convert.vegalite_to_svg(spec, **locales)
    key = hashlib.blake2b(
        json.dumps([spec, locales], sort_keys=True).encode(), digest_size=16
    ).hexdigest()
    path = folder / f"{key}.svg"
    _cache["used"].add(path.name)
    if path.is_file():
        return path.read_text(encoding="utf-8")
    svg = vl_convert.vegalite_to_svg(spec, **locales)
    path.write_text(svg, encoding="utf-8")
    return svg


def revenue_pace(
    rows: list[dict], goal: float, projected: float | None = None, period_end: date | None = None
) -> str:
    """Return cumulative revenue to date against the pace curve of the revenue target.

    With `projected` and `period_end`, a dotted line runs from the last day of
    data to the projected revenue at the period's end (issue #12).
    """
    series, data = _revenue_series(rows, projected, period_end)
    return _svg(
        {
            "data": {"values": data},
            "layer": [
                {
                    "mark": {"type": "line", "strokeWidth": 2.5},
                    "encoding": {
                        "x": {"field": "date", "type": "temporal", "title": None},
                        "y": {
                            "field": "revenue",
                            "type": "quantitative",
                            "title": gettext("New-business revenue"),
                            "axis": {"format": CURRENCY_FORMAT},
                        },
                        # Colour and dash on one legend: each series is told by its line.
                        "color": {
                            "field": "series",
                            "type": "nominal",
                            "scale": {
                                "domain": series,
                                "range": [COLORS["actual"], COLORS["pace"], COLORS["actual"]][
                                    : len(series)
                                ],
                            },
                        },
                        "strokeDash": {
                            "field": "series",
                            "type": "nominal",
                            "scale": {
                                "domain": series,
                                "range": [[1, 0], [6, 4], [1, 3]][: len(series)],
                            },
                        },
                    },
                },
                *_target_rule("y", float(goal), gettext("Goal")),
            ],
        }
    )


def _revenue_series(
    rows: list[dict], projected: float | None, period_end: date | None
) -> tuple[list[str], list[dict]]:
    """Return the revenue chart's series names and its points: to date, pace, projected."""
    to_date, pace, ahead = (
        gettext("Revenue to date"),
        gettext("Pace to goal"),
        gettext("Projected"),
    )
    series = [to_date, pace]
    data = []
    last = None
    for row in _clean(rows, ["calendar_date", "cumulative_revenue", "pace_revenue"]):
        data.append({"date": row["calendar_date"], "series": pace, "revenue": row["pace_revenue"]})
        if row["cumulative_revenue"] is not None:
            last = {"date": row["calendar_date"], "revenue": row["cumulative_revenue"]}
            data.append({**last, "series": to_date})
    if projected is not None and period_end is not None and last is not None:
        series.append(ahead)
        data += [
            {**last, "series": ahead},
            {"date": period_end.isoformat(), "series": ahead, "revenue": float(projected)},
        ]
    return series, data


def _weeks(rows: list[dict], field: str, first: date | None, last: date | None) -> list[dict]:
    """Return one point per week, labelled by its own Monday, partial weeks said so.

    A week is partial when the period starts or the data ends inside it:
    drawn as a whole week, its few days would look like a collapse.
    """
    weeks = []
    cldr = i18n.current().babel
    for row in rows:
        start = row["week_start_date"]
        days = 7
        if first is not None and last is not None:
            days = (min(start + timedelta(days=6), last) - max(start, first)).days + 1
        value = row.get(field)
        weeks.append(
            {
                "week": week_label(start, cldr),
                "value": (None if value is None else float(value)),
                "part": _full_week()
                if days >= 7
                else gettext("Part week (%(days)s of 7 days)") % {"days": days},
            }
        )
    return weeks


def week_label(start: date, cldr) -> str:
    """Return a week's label, its Monday: '12 Oct' (English, as the dates), '12 ต.ค.'."""
    if cldr.language == "en":
        return format_date(start, "d MMM", locale=cldr)
    return format_skeleton("MMMd", start, locale=cldr)


def _full_week() -> str:
    return gettext("Whole week")


def _week_axis(weeks: list[dict]) -> dict:
    return {
        "field": "week",
        "type": "ordinal",
        "sort": None,
        "title": gettext("Week starting (Monday)"),
        "axis": {"labelAngle": -45 if len(weeks) > 12 else 0},
    }


def weekly_bars(
    rows: list[dict],
    field: str,
    title: str,
    axis_format: str = ",.0f",
    first: date | None = None,
    last: date | None = None,
) -> str:
    """Return one bar per local week of a weekly measure; a partial week is pale."""
    weeks = _weeks(rows, field, first, last)
    parts = list(dict.fromkeys([_full_week(), *(w["part"] for w in weeks)]))
    return _svg(
        {
            "data": {"values": weeks},
            "mark": {"type": "bar", "color": COLORS["actual"], "stroke": COLORS["actual"]},
            "encoding": {
                "x": _week_axis(weeks),
                "y": {
                    "field": "value",
                    "type": "quantitative",
                    "title": title,
                    "axis": {"format": axis_format},
                },
                "fillOpacity": {
                    "field": "part",
                    "type": "nominal",
                    "scale": {"domain": parts, "range": [1, *[0.25] * (len(parts) - 1)]},
                    "legend": None if len(parts) == 1 else {"title": None},
                },
            },
        }
    )


def weekly_rate(
    rows: list[dict],
    field: str,
    title: str,
    target: float | None,
    first: date | None = None,
    last: date | None = None,
) -> str:
    """Return a weekly rate as a line, with the target as a labelled rule."""
    weeks = _weeks(rows, field, first, last)
    parts = list(dict.fromkeys([_full_week(), *(w["part"] for w in weeks)]))
    layers: list[dict] = [
        {
            "mark": {"type": "line", "color": COLORS["actual"]},
            "encoding": {
                "x": _week_axis(weeks),
                "y": {
                    "field": "value",
                    "type": "quantitative",
                    "title": title,
                    "axis": {"format": ".0%"},
                    "scale": {"domain": [0, 1]},
                },
            },
        },
        {
            "mark": {"type": "point", "color": COLORS["actual"], "size": 50},
            "encoding": {
                "x": _week_axis(weeks),
                "y": {"field": "value", "type": "quantitative"},
                # Partial weeks: an open circle (shape and fill, not colour).
                "shape": {
                    "field": "part",
                    "type": "nominal",
                    "scale": {
                        "domain": parts,
                        "range": ["circle", *["diamond"] * (len(parts) - 1)],
                    },
                    "legend": None if len(parts) == 1 else {"title": None},
                },
                "fill": {
                    "field": "part",
                    "type": "nominal",
                    "scale": {
                        "domain": parts,
                        "range": [COLORS["actual"], *["transparent"] * (len(parts) - 1)],
                    },
                    "legend": None,
                },
            },
        },
    ]
    if target is not None:
        layers += _target_rule(
            "y", float(target), gettext("Target %(target)s") % {"target": percent(target)}
        )
    return _svg({"data": {"values": weeks}, "layer": layers})


def _target_rule(channel: str, value: float, label: str) -> list[dict]:
    """Return a dashed target rule with its label written beside it (not colour alone)."""
    return [
        {
            "data": {"values": [{"target": value}]},
            "mark": {
                "type": "rule",
                "color": COLORS["target"],
                "strokeDash": [4, 3],
                "strokeWidth": 2,
            },
            "encoding": {channel: {"field": "target", "type": "quantitative"}},
        },
        {
            "data": {"values": [{"target": value, "label": label}]},
            "mark": (
                {
                    "type": "text",
                    "align": "right",
                    "dy": -6,
                    "x": "width",
                    "color": COLORS["target"],
                    "fontWeight": "bold",
                }
                if channel == "y"
                else {
                    "type": "text",
                    "align": "left",
                    "dx": 4,
                    "y": 0,
                    "baseline": "top",
                    "color": COLORS["target"],
                    "fontWeight": "bold",
                }
            ),
            "encoding": {
                channel: {"field": "target", "type": "quantitative"},
                "text": {"field": "label"},
            },
        },
    ]


def funnel_attainment(rows: list[dict]) -> str:
    """Return actual volume as a share of planned-to-date volume per funnel stage."""
    data = []
    for row in rows:
        planned = row.get("planned_to_date")
        if planned and row.get("actual") is not None:
            data.append(
                {
                    "stage": f"{row['stage_order']}. {gettext(row['stage_name'])}",
                    "attainment": float(row["actual"]) / float(planned),
                }
            )
    return _svg(
        {
            "height": 220,
            "data": {"values": data},
            "layer": [
                {
                    "mark": {"type": "bar", "color": COLORS["actual"]},
                    "encoding": {
                        "y": {"field": "stage", "type": "nominal", "sort": None, "title": None},
                        "x": {
                            "field": "attainment",
                            "type": "quantitative",
                            "title": gettext("Actual / planned to date"),
                            "axis": {"format": ".0%"},
                        },
                    },
                },
                *_target_rule("x", 1.0, gettext("Plan to date")),
            ],
        }
    )


def monthly_actual_vs_target(rows: list[dict], title: str) -> str:
    """Return one bar per month (actual) with the month's target as a labelled tick.

    The month in progress is labelled "to date" and drawn pale: a part
    month beside whole ones is not a drop (issue #12).
    """
    data = _monthly_points(rows)
    parts = list(dict.fromkeys([gettext("Whole month"), *(d["part"] for d in data if "part" in d)]))
    x = {
        "field": "month",
        "type": "ordinal",
        "sort": None,
        "title": None,
        "axis": {"labelAngle": 0},
    }
    return _svg(
        {
            "data": {"values": data},
            "layer": [
                {
                    "transform": [{"filter": "datum.series == 'Actual'"}],
                    "mark": {
                        "type": "bar",
                        "color": COLORS["actual"],
                        "stroke": COLORS["actual"],
                        "width": {"band": 0.6},
                    },
                    "encoding": {
                        "x": x,
                        "y": {"field": "value", "type": "quantitative", "title": title},
                        "fillOpacity": {
                            "field": "part",
                            "type": "nominal",
                            "scale": {"domain": parts, "range": [1, 0.25][: len(parts)]},
                            "legend": None if len(parts) == 1 else {"title": None},
                        },
                    },
                },
                {
                    "transform": [{"filter": "datum.series == 'Target'"}],
                    "mark": {"type": "tick", "color": COLORS["target"], "thickness": 3, "size": 40},
                    "encoding": {"x": x, "y": {"field": "value", "type": "quantitative"}},
                },
                _last_target_label(x),
            ],
        }
    )


def _monthly_points(rows: list[dict]) -> list[dict]:
    """Return the monthly chart's points: each month's actual and its target."""
    data = []
    for row in rows:
        month = format_skeleton("yMMM", row["month_start_date"], locale=i18n.current().babel)
        partial = row.get("month_state") == "current"
        if partial:
            month += " " + gettext("(to date)")
        if row["actual"] is not None:
            data.append(
                {
                    "month": month,
                    "series": "Actual",
                    "value": float(row["actual"]),
                    "part": gettext("Month to date") if partial else gettext("Whole month"),
                }
            )
        if row["month_target"] is not None:
            data.append(
                {
                    "month": month,
                    "series": "Target",
                    "order": len(data),
                    "value": float(row["month_target"]),
                }
            )
    return data


def _last_target_label(x: dict) -> dict:
    """Return the layer that writes "target" once, above the last month's tick."""
    return {
        # Named once, over the last month (usually still to come, so no
        # bar behind the word): the tick is the month's target.
        "transform": [
            {"filter": "datum.series == 'Target'"},
            {
                "window": [{"op": "row_number", "as": "n"}],
                "sort": [{"field": "order", "order": "descending"}],
            },
            {"filter": "datum.n == 1"},
        ],
        "mark": {"type": "text", "color": COLORS["target"], "dy": -9, "fontWeight": "bold"},
        "encoding": {
            "x": x,
            "y": {"field": "value", "type": "quantitative"},
            "text": {"value": gettext("target")},
        },
    }


def sparkline(values: list[float | None], targets: list[float | None], label: str) -> str:
    """Return a small month-by-month line of a KPI against its monthly target (Overview cards).

    Built without Vega: a few dozen bytes of SVG per card. The line is the
    actual, the dashed line the target; `label` is its accessible name.
    """
    width, height, pad = 120, 32, 3
    points = [v for v in [*values, *targets] if v is not None]
    if len([v for v in values if v is not None]) < 2 or not points:
        return ""
    low, high = min(0.0, *points), max(points)
    span = (high - low) or 1.0
    step = (width - 2 * pad) / max(len(values) - 1, 1)

    def path(series: list[float | None]) -> str:
        parts, pen = [], "M"
        for index, value in enumerate(series):
            if value is None:
                pen = "M"
                continue
            x = pad + index * step
            y = height - pad - (value - low) / span * (height - 2 * pad)
            parts.append(f"{pen}{x:.1f},{y:.1f}")
            pen = "L"
        return " ".join(parts)

    target_path = path(targets)
    return (
        f'<svg class="sla-spark" viewBox="0 0 {width} {height}" width="{width}" '
        f'height="{height}" role="img" aria-label="{label}">'
        + (f'<path class="sla-spark__target" d="{target_path}"/>' if target_path else "")
        + f'<path class="sla-spark__actual" d="{path(values)}"/></svg>'
    )
