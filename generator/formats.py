"""Figures and dates written in the site's language: numbers, amounts, rates, durations,
statuses and days, formatted by Babel from CLDR data in the locale in force
(generator.i18n, issue #14).

The same function writes `$1,234` on an English site, `฿1,234` on a Thai one
and `R$ 1.234` on a Brazilian one. Pages (generator.site.render registers
these as filters), summary.json and the build's messages all print figures
through here, so they never disagree. Each returns plain text; escaping for
Markdown is the site's job (generator.site.render).
"""

from __future__ import annotations

import math
import re
from datetime import date, datetime

from babel.dates import format_date, format_skeleton, format_time
from babel.numbers import format_currency, format_decimal, format_percent
from babel.units import format_unit

from generator import i18n
from generator.i18n import N_, gettext

STATUS_LABELS = {
    "on_track": N_("On track"),
    "at_risk": N_("At risk"),
    "behind": N_("Behind"),
    "no_target": N_("No target"),
    "no_data": N_("No data"),
    "met": N_("Met"),
    "missed": N_("Missed"),
    "upcoming": N_("Upcoming"),
    "not_started": N_("Not started"),
    "too_few": N_("Too few to judge"),
    "maturing": N_("Maturing"),
}


PERIOD_STATES = {"final": N_("Final"), "in_progress": N_("In progress"), "upcoming": N_("Upcoming")}


# The inputs a KPI can lack (macros/inputs.sql): "needs lead activities".
NEEDS = (
    N_("leads"),
    N_("lead activities"),
    N_("opportunities"),
    N_("a revenue ledger"),
    N_("web sessions"),
    N_("the team list"),
    N_("SQL dates"),
    N_("acceptance dates"),
    N_("proposal dates"),
    N_("disqualification dates"),
)


# Why a computed rate is no data all the same (the KPI models, issue #19).
NO_DATA_REASONS = (
    N_("the data holds only MQLs"),
    N_("no lost deals recorded"),
    N_("the period began less than a week before the as-of day"),
    N_("no deal amounts recorded"),
)


# A locale may name its own CLDR date pattern for `day`; the others use
# CLDR's medium date (1 ก.ค. 2015, 1 de jul. de 2015). English keeps the
# weekday it has always shown ("Thu 15 Oct 2015"): readers plan by weekday.
DAY_PATTERNS = {"en": "EEE d MMM y"}


# CLDR unit names of the duration units (short forms: 2.4 hr, 2,4 h, 2.4 ชม.).
DURATION_UNITS = {"hours": "duration-hour", "days": "duration-day"}


def _fraction(pattern: str, digits: str) -> str:
    """Return a CLDR number pattern with its fraction replaced: '¤#,##0.00' -> '¤#,##0'."""
    return ";".join(
        re.sub(r"0(?:\.[0#]+)?(?=[^0#.]*$)", "0" + digits, part, count=1)
        for part in pattern.split(";")
    )


def _format(value: float, unit: str, digits: str) -> str:
    """Return value in the current locale; digits is the fraction ('', '.0' or '.#')."""
    locale = i18n.current()
    cldr = locale.babel
    if unit == "currency":
        # Whole units: the amounts are plans and bookings, not invoices.
        pattern = _fraction(cldr.currency_formats["standard"].pattern, "")
        return format_currency(
            value, locale.currency, format=pattern, locale=cldr, currency_digits=False
        )
    if unit == "rate":
        return format_percent(
            value, _fraction(cldr.percent_formats[None].pattern, digits), locale=cldr
        )
    if unit in DURATION_UNITS:
        return format_unit(
            value, DURATION_UNITS[unit], "short", format="#,##0" + digits, locale=cldr
        )
    return format_decimal(value, "#,##0", locale=cldr)


def number(value: float | int | None, unit: str = "count") -> str:
    """Return a value formatted for its unit: 1,234 / $1,234 / 76.9% / 2.2 hr / 39.5 days."""
    if value is None:
        return "–"
    return _format(float(value), unit, ".0")


def distinct_figure(
    value: float | int | None, target: float | int | None, unit: str = "count"
) -> str:
    """Return a value as tables print it, with as many more decimals as it takes never to
    print a value that differs from its target as the target itself (issue #19).

    36.996% against a 37% target prints "36.996%", not "37.0%": a missed
    target must not read as met. Equal values, counts and a missing target
    print as `number` does.
    """
    shown = number(value, unit)
    if (
        value is None
        or target is None
        or unit == "count"
        or math.isclose(float(value), float(target), rel_tol=1e-12, abs_tol=1e-12)
        or shown != number(target, unit)
    ):
        return shown
    for digits in (".00",) if unit == "currency" else (".00", ".000", ".0000"):

        def write(figure: float, digits: str = digits) -> str:
            return _amount(figure, digits) if unit == "currency" else _format(figure, unit, digits)

        shown = write(float(value))
        if shown != write(float(target)):
            break
    return shown


def _amount(value: float, digits: str) -> str:
    """Return an amount with cents: only where whole units would hide a difference."""
    locale = i18n.current()
    cldr = locale.babel
    pattern = _fraction(cldr.currency_formats["standard"].pattern, digits)
    return format_currency(
        value, locale.currency, format=pattern, locale=cldr, currency_digits=False
    )


def prose(value: float | int | None, unit: str = "count") -> str:
    """Return a value as people write it in a sentence: 80%, 40 days, 12.5%, 2.5 hr.

    Tables keep one decimal so columns line up; a sentence drops a ".0"
    ("at least 80%", not "at least 80.0%"; issue #12).
    """
    if value is None:
        return "–"
    return _format(float(value), unit, ".#")


def shortfall(value: float | int | None, unit: str = "count") -> str:
    """Return how far a KPI is short, in its own unit (rates in percentage points)."""
    if value is None:
        return "–"
    if unit == "rate":
        # A shortfall under 0.05 points is still one (issue #19): never "0.0 pts".
        points = format_decimal(
            abs(float(value)) * 100,
            "#,##0.0" if abs(float(value)) >= 0.0005 else "#,##0.0##",
            locale=i18n.current().babel,
        )
        return gettext("%(points)s pts") % {"points": points}
    return number(abs(value), unit)


def signed_change(value: float | int | None, unit: str = "count") -> str:
    """Return a change with its sign, in the KPI's unit (rates in points): +71, −2.4 pts.

    Zero is "±0" (issue #20: week over week, "no change" is news too).
    """
    if value is None:
        return "–"
    cldr = i18n.current().babel
    if float(value) == 0:
        return "±" + (shortfall(0, unit) if unit == "rate" else number(0, unit))
    sign = cldr.number_symbols["latn"]["minusSign" if float(value) < 0 else "plusSign"]
    return sign + shortfall(value, unit)


def percent(value: float | None, digits: int = 0) -> str:
    """Return a 0-1 fraction as a percentage."""
    if value is None:
        return "–"
    cldr = i18n.current().babel
    fraction = "." + "0" * digits if digits else ""
    return format_percent(
        float(value), _fraction(cldr.percent_formats[None].pattern, fraction), locale=cldr
    )


def signed_percent(value: float | None) -> str:
    """Return a growth rate with its sign: +12.5% or -3.0%."""
    if value is None:
        return "–"
    cldr = i18n.current().babel
    pattern = _fraction(cldr.percent_formats[None].pattern, ".0")
    shown = format_percent(abs(float(value)), pattern, locale=cldr)
    sign = cldr.number_symbols["latn"]["minusSign" if float(value) < 0 else "plusSign"]
    return sign + shown


def status_label(status: str) -> str:
    """Return the human label of a status."""
    label = STATUS_LABELS.get(status)
    return gettext(label) if label else status.replace("_", " ").capitalize()


def no_data_reason(reason: str) -> str:
    """Return why a KPI has no data in the site's language: 'needs lead activities'.

    The models write the reason in English (macros/inputs.sql; summary.json
    keeps it so): "needs A and B", where each part may be "X, Y or Z" (any
    one of them would do); each input it names is a catalog entry.
    """
    if not reason.startswith("needs "):
        return gettext(reason)
    parts = []
    for part in reason.removeprefix("needs ").split(" and "):
        options = [gettext(o) for o in re.split(r", | or ", part)]
        parts.append(
            options[0]
            if len(options) == 1
            else gettext("%(first)s or %(last)s")
            % {"first": ", ".join(options[:-1]), "last": options[-1]}
        )
    joined = (
        parts[0]
        if len(parts) == 1
        else gettext("%(first)s and %(last)s") % {"first": ", ".join(parts[:-1]), "last": parts[-1]}
    )
    return gettext("needs %(inputs)s") % {"inputs": joined}


def decimal(value: float) -> str:
    """Return a figure with one decimal in the site's locale: 2,345.6 / 2.345,6."""
    return format_decimal(float(value), "#,##0.0", locale=i18n.current().babel)


def seconds(value: float) -> str:
    """Return a duration in seconds with one decimal, in the site's locale: 12.3."""
    return format_decimal(float(value), "#,##0.0", locale=i18n.current().babel)


def period_state(state: str) -> str:
    """Return the human label of a period state."""
    label = PERIOD_STATES.get(state)
    return gettext(label) if label else state


def day(value: date | datetime | None) -> str:
    """Return a date in the site's locale.

    'Thu 15 Oct 2015', '15 ต.ค. 2015', '15 de out. de 2015'.
    """
    if value is None:
        return "–"
    locale = i18n.current()
    return format_date(value, DAY_PATTERNS.get(locale.code, "medium"), locale=locale.babel)


def moment(value: datetime | None) -> str:
    """Return a local date and time in the site's locale: 'Thu 15 Oct 2015, 14:27'."""
    if value is None:
        return "–"
    locale = i18n.current()
    return gettext("%(day)s, %(time)s") % {
        "day": day(value),
        "time": format_time(value, "short", locale=locale.babel),
    }


def month(value: date | datetime | None, width: str = "short") -> str:
    """Return a month as a column or row label: 'Oct' (short) or 'October 2015' (long)."""
    if value is None:
        return "–"
    cldr = i18n.current().babel
    if width == "short":
        return format_date(value, "LLL", locale=cldr)
    return format_skeleton("yMMMM", value, locale=cldr)


def clock(minutes: int) -> str:
    """Return minutes after midnight as HH:MM."""
    return f"{int(minutes) // 60:02d}:{int(minutes) % 60:02d}"
