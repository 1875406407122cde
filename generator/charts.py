"""Charts as static SVG: Vega-Lite specs rendered at build time (no browser, no JS)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import vl_convert

SCHEMA = "https://vega.github.io/schema/vega-lite/v5.json"
COLORS = {"actual": "#3f51b5", "pace": "#9e9e9e", "target": "#e65100"}
BASE_CONFIG = {
    "font": "sans-serif",
    "view": {"stroke": None},
    "axis": {"labelFontSize": 11, "titleFontSize": 12, "gridColor": "#eeeeee"},
    "legend": {"orient": "top", "labelFontSize": 11, "title": None},
}


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


def _svg(spec: dict) -> str:
    spec = {"$schema": SCHEMA, "config": BASE_CONFIG, "width": 640, "height": 240, **spec}
    folder = _cache["folder"]
    if folder is None:
        return vl_convert.vegalite_to_svg(spec)
    key = hashlib.blake2b(json.dumps(spec, sort_keys=True).encode(), digest_size=16).hexdigest()
    path = folder / f"{key}.svg"
    _cache["used"].add(path.name)
    if path.is_file():
        return path.read_text(encoding="utf-8")
    svg = vl_convert.vegalite_to_svg(spec)
    path.write_text(svg, encoding="utf-8")
    return svg


def revenue_pace(rows: list[dict], goal: float) -> str:
    """Return cumulative revenue to date against the pace curve of the revenue target."""
    data = []
    for row in _clean(rows, ["calendar_date", "cumulative_revenue", "pace_revenue"]):
        data.append({"date": row["calendar_date"], "series": "Pace to goal",
                     "revenue": row["pace_revenue"]})
        if row["cumulative_revenue"] is not None:
            data.append({"date": row["calendar_date"], "series": "Revenue to date",
                         "revenue": row["cumulative_revenue"]})
    return _svg({
        "data": {"values": data},
        "layer": [
            {
                "mark": {"type": "line", "strokeWidth": 2.5},
                "encoding": {
                    "x": {"field": "date", "type": "temporal", "title": None},
                    "y": {"field": "revenue", "type": "quantitative",
                          "title": "New-business revenue", "axis": {"format": "$,.0f"}},
                    "color": {"field": "series", "type": "nominal",
                              "scale": {"range": [COLORS["actual"], COLORS["pace"]],
                                        "domain": ["Revenue to date", "Pace to goal"]}},
                    "strokeDash": {"field": "series", "type": "nominal",
                                   "scale": {"domain": ["Revenue to date",
                                                        "Pace to goal"],
                                             "range": [[1, 0], [6, 4]]},
                                   "legend": None},
                },
            },
            {
                "data": {"values": [{"goal": float(goal)}]},
                "mark": {"type": "rule", "color": COLORS["target"], "strokeDash": [2, 2]},
                "encoding": {"y": {"field": "goal", "type": "quantitative"}},
            },
        ],
    })


def weekly_bars(rows: list[dict], field: str, title: str, axis_format: str = ",.0f") -> str:
    """Return one bar per local week of a weekly measure."""
    return _svg({
        "data": {"values": _clean(rows, ["week_start_date", field])},
        "mark": {"type": "bar", "color": COLORS["actual"]},
        "encoding": {
            "x": {"field": "week_start_date", "type": "temporal", "timeUnit": "yearmonthdate",
                  "title": "Week starting", "axis": {"format": "%d %b"}},
            "y": {"field": field, "type": "quantitative", "title": title,
                  "axis": {"format": axis_format}},
        },
    })


def weekly_rate(rows: list[dict], field: str, title: str, target: float | None) -> str:
    """Return a weekly rate as a line, with the target as a rule."""
    layers: list[dict] = [{
        "mark": {"type": "line", "point": True, "color": COLORS["actual"]},
        "encoding": {
            "x": {"field": "week_start_date", "type": "temporal", "title": "Week starting",
                  "axis": {"format": "%d %b"}},
            "y": {"field": field, "type": "quantitative", "title": title,
                  "axis": {"format": ".0%"}, "scale": {"domain": [0, 1]}},
        },
    }]
    if target is not None:
        layers.append({
            "data": {"values": [{"target": float(target)}]},
            "mark": {"type": "rule", "color": COLORS["target"], "strokeDash": [4, 3]},
            "encoding": {"y": {"field": "target", "type": "quantitative"}},
        })
    return _svg({"data": {"values": _clean(rows, ["week_start_date", field])},
                 "layer": layers})


def funnel_attainment(rows: list[dict]) -> str:
    """Return actual volume as a share of planned-to-date volume per funnel stage."""
    data = []
    for row in rows:
        planned = row.get("planned_to_date")
        if planned and row.get("actual") is not None:
            data.append({"stage": f"{row['stage_order']}. {row['stage_name']}",
                         "attainment": float(row["actual"]) / float(planned)})
    return _svg({
        "height": 220,
        "data": {"values": data},
        "layer": [
            {
                "mark": {"type": "bar", "color": COLORS["actual"]},
                "encoding": {
                    "y": {"field": "stage", "type": "nominal", "sort": None, "title": None},
                    "x": {"field": "attainment", "type": "quantitative",
                          "title": "Actual / planned to date", "axis": {"format": ".0%"}},
                },
            },
            {
                "data": {"values": [{"x": 1.0}]},
                "mark": {"type": "rule", "color": COLORS["target"], "strokeDash": [4, 3]},
                "encoding": {"x": {"field": "x", "type": "quantitative"}},
            },
        ],
    })


def monthly_actual_vs_target(rows: list[dict], title: str) -> str:
    """Return one bar per month (actual) with the month's target as a tick."""
    data = []
    for row in rows:
        month = row["month_start_date"].isoformat()
        if row["actual"] is not None:
            data.append({"month": month, "series": "Actual", "value": float(row["actual"])})
        if row["month_target"] is not None:
            data.append({"month": month, "series": "Target",
                         "value": float(row["month_target"])})
    return _svg({
        "data": {"values": data},
        "layer": [
            {
                "transform": [{"filter": "datum.series == 'Actual'"}],
                "mark": {"type": "bar", "color": COLORS["actual"], "width": {"band": 0.6}},
                "encoding": {
                    "x": {"field": "month", "type": "ordinal", "timeUnit": "yearmonth",
                          "title": None, "axis": {"format": "%b %Y", "labelAngle": 0}},
                    "y": {"field": "value", "type": "quantitative", "title": title},
                },
            },
            {
                "transform": [{"filter": "datum.series == 'Target'"}],
                "mark": {"type": "tick", "color": COLORS["target"], "thickness": 3,
                         "size": 40},
                "encoding": {
                    "x": {"field": "month", "type": "ordinal", "timeUnit": "yearmonth"},
                    "y": {"field": "value", "type": "quantitative"},
                },
            },
        ],
    })
