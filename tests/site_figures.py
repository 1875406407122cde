"""Every KPI figure and status a built site shows, read from its HTML and summary.json, and
found in the rpt_ tables of the same build (issue #19: the report lives in the models).

The pages are read as a reader sees them: a KPI's row or card (its link to the KPI
definitions page names it), the figure at the start of its cell, and the status badge
(`sla-status--<status>`). Each figure must be the rpt_ row's value, printed to the digits
the page shows; "no data" must be an rpt_ row with a no_data_reason; "≥" a lower bound.
Nothing here formats a value the way the generator does: the shown text is parsed back.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import date
from html.parser import HTMLParser
from pathlib import Path

import duckdb
from babel.numbers import parse_decimal

STATUS_CLASS = re.compile(r"sla-status--(\w+)")
KPI_LINK = re.compile(r"definitions(?:\.html|/)?#([a-z0-9_]+)$")
NUMBER = re.compile(r"\d[\d.,\u00a0\u202f]*")


@dataclass
class Cell:
    text: str = ""
    href: str | None = None
    statuses: list[str] = field(default_factory=list)


class _Rows(HTMLParser):
    """Table rows and KPI cards as lists of cells (text, first link, status badges)."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[list[Cell]] = []
        self.cards: list[Cell] = []
        self._row: list[Cell] | None = None
        self._cell: Cell | None = None
        self._card: Cell | None = None
        self._figure = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        classes = attrs.get("class") or ""
        if tag == "tr":
            self._row = []
        elif tag in ("td", "th") and self._row is not None:
            self._cell = Cell()
        elif tag == "li" and self._row is None:
            self._card = Cell()
        elif tag == "a" and attrs.get("href"):
            for target in (self._cell, self._card):
                if target is not None and target.href is None:
                    target.href = attrs["href"]
        if tag == "span":
            found = STATUS_CLASS.search(classes)
            for target in (self._cell, self._card):
                if found and target is not None:
                    target.statuses.append(found.group(1))
            if "sla-figure" in classes and self._card is not None:
                self._figure = True
                self._card.text = ""

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None and self._row is not None:
            self._cell.text = " ".join(self._cell.text.split())
            self._row.append(self._cell)
            self._cell = None
        elif tag == "tr" and self._row is not None:
            self.rows.append(self._row)
            self._row = None
        elif tag == "span" and self._figure:
            self._figure = False
        elif tag == "li" and self._card is not None:
            if self._card.href and self._card.statuses:
                self.cards.append(self._card)
            self._card = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.text += data
        elif self._card is not None and self._figure:
            self._card.text += data


def read_page(path: Path) -> _Rows:
    parser = _Rows()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


@dataclass(frozen=True)
class Shown:
    """One KPI figure and status as a page shows it."""

    page: str
    kpi_id: str
    figure: str
    status: str
    month: date | None = None
    agreement_id: str | None = None


def kpi_of(cell: Cell) -> str | None:
    match = KPI_LINK.search(cell.href or "")
    return match.group(1) if match else None


def shown_figures(
    site: Path, agreements: list[str], current: str, months: list[date]
) -> list[Shown]:
    """Return every KPI figure with its status on the Overview, the team pages, the
    agreement pages, History and Month by month."""
    found: list[Shown] = []
    overview = read_page(site / "index.html")
    for card in overview.cards:
        found.append(
            Shown(
                "index.html",
                kpi_of(card),
                card.text.strip(),
                card.statuses[0],
                agreement_id=current,
            )
        )
    pages = {
        "marketing.html": current,
        "handoff.html": current,
        "sales.html": current,
        "agreement.html": current,
        "index.html": current,
        **{f"agreements/{a}.html": a for a in agreements},
    }
    for page, agreement_id in pages.items():
        for row in read_page(site / page).rows:
            # The status is the row's badge (issue #20 put it right after the KPI).
            badges = [cell.statuses[0] for cell in row[1:] if cell.statuses]
            if len(row) >= 5 and kpi_of(row[0]) and badges:
                found.append(
                    Shown(page, kpi_of(row[0]), row[2].text, badges[0], agreement_id=agreement_id)
                )
    for row in read_page(site / "history.html").rows:
        if kpi_of(row[0]) and len(row) == len(agreements) + 1:
            for agreement_id, cell in zip(agreements, row[1:], strict=True):
                if cell.statuses:
                    found.append(
                        Shown(
                            "history.html",
                            kpi_of(row[0]),
                            cell.text.split(" / ")[0],
                            cell.statuses[0],
                            agreement_id=agreement_id,
                        )
                    )
    for row in read_page(site / "monthly.html").rows:
        if kpi_of(row[0]) and len(row) >= len(months) + 1:
            for month, cell in zip(months, row[1:], strict=False):
                if cell.statuses:
                    found.append(
                        Shown(
                            "monthly.html",
                            kpi_of(row[0]),
                            cell.text,
                            cell.statuses[0],
                            month=month,
                            agreement_id=current,
                        )
                    )
    return found


def _value(text: str, locale: str) -> tuple[float, float] | None:
    """Return the figure leading a cell and half its last shown digit (None: no number)."""
    match = NUMBER.search(text)
    if match is None or match.start() > 6:  # "≥ ", "R$ ", "$": a figure leads the cell
        return None
    digits = match.group(0).replace("\u00a0", "").replace("\u202f", "").rstrip(".,")
    value = float(parse_decimal(digits, locale=locale))
    separator = "," if locale.startswith("pt") else "."
    decimals = len(digits.rsplit(separator, 1)[1]) if separator in digits else 0
    half = 0.5 * 10**-decimals
    if text[match.end() :].lstrip().startswith("%"):
        return value / 100, half / 100
    return value, half


def check_against_models(
    database: Path, site: Path, locale: str, no_data_word: str
) -> dict[str, int]:
    """Find every KPI figure and status of the site and of summary.json in the rpt_ tables.

    Returns how many were checked per page; fails on the first one not found.
    """
    with duckdb.connect(str(database), read_only=True) as connection:

        def rows(query: str) -> list[dict]:
            cursor = connection.execute(query)
            names = [column[0] for column in cursor.description]
            return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]

        scorecard = {
            (r["agreement_id"], r["kpi_id"]): r
            for r in rows("select * from main.rpt_kpi_scorecard")
        }
        monthly = {
            (r["agreement_id"], r["kpi_id"], r["month_start_date"]): r
            for r in rows("select * from main.rpt_kpi_monthly")
        }
        agreements = rows("select * from main.rpt_agreements order by period_start_date")
    current = next((a for a in agreements if a["period_state"] == "in_progress"), agreements[-1])[
        "agreement_id"
    ]
    months = sorted({key[2] for key in monthly if key[0] == current})
    checked: dict[str, int] = {}
    for shown in shown_figures(site, [a["agreement_id"] for a in agreements], current, months):
        model = (
            monthly.get((shown.agreement_id, shown.kpi_id, shown.month))
            if shown.month
            else scorecard.get((shown.agreement_id, shown.kpi_id))
        )
        assert model is not None, f"{shown}: no rpt_ row"
        _check(shown, model, locale, no_data_word)
        checked[shown.page] = checked.get(shown.page, 0) + 1
    summary = json.loads((site / "summary.json").read_text(encoding="utf-8"))
    for entry in summary["kpis"]:
        model = scorecard[(summary["agreement_id"], entry["id"])]
        assert (
            entry["value"],
            entry["status"],
            entry["target"],
            entry["sample_size"],
            entry.get("reason"),
            entry["sales_sourced"],
            entry["all_sources"],
        ) == (
            model["actual"],
            model["status"],
            model["target"],
            model["sample_size"],
            model["no_data_reason"],
            model["actual_sales_sourced"],
            model["actual_all_sources"],
        ), entry["id"]
        checked["summary.json"] = checked.get("summary.json", 0) + 1
    return checked


def _check(shown: Shown, model: dict, locale: str, no_data_word: str) -> None:
    """Fail unless the shown figure and status are the rpt_ row's."""
    assert shown.status == model["status"], (shown, model["status"])
    text = shown.figure
    # "no data", a dash ("– / 41,605" in a month), or the status badge alone.
    if text.startswith((no_data_word, "–")) or (
        not NUMBER.search(text[:8] or "") and model["status"] == "no_data"
    ):
        assert model["actual"] is None, (shown, model["actual"])
        return
    figure = _value(text, locale)
    assert figure is not None, f"{shown}: no figure"
    value, half = figure
    assert model["actual"] is not None, (shown, "the model has no value")
    assert abs(value - model["actual"]) <= half + 1e-9, (shown, model["actual"])
    assert text.startswith("≥") == bool(model["is_lower_bound"]), (shown, model)
