"""The Jinja environment (StrictUndefined) and the filters that format values for pages.

Numbers, amounts, percentages, durations and dates are formatted by Babel
from CLDR data in the locale in force (generator.i18n, issue #14): the
same filter writes `$1,234` on an English site, `฿1,234` on a Thai one and
`R$ 1.234` on a Brazilian one. Words go through gettext.
"""

from __future__ import annotations

import html
import math
import re
from dataclasses import fields
from datetime import date, datetime
from decimal import Decimal

from babel.dates import format_date, format_skeleton, format_time
from babel.numbers import format_currency, format_decimal, format_percent
from babel.units import format_unit
from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup

from generator import i18n
from generator.i18n import N_, gettext
from generator.privacy import mask_emails

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
PERIOD_STATES = {"final": N_("Final"), "in_progress": N_("In progress"),
                 "upcoming": N_("Upcoming")}

UNIT_NAMES = {"count": N_("count"), "currency": N_("currency"), "rate": N_("rate"),
              "hours": N_("hours"), "days": N_("days")}
DIRECTIONS = {"higher": N_("higher"), "lower": N_("lower")}

# Words the models and the input contract write in English, shown in the
# site's language: channel ids (display_name), the overdue age buckets of
# rpt_overdue_mqls, the funnel stages and rates of rpt_funnel_plan_vs_actual,
# dbt test statuses and types.
CONTRACT_WORDS = (
    N_("Organic search"), N_("Paid search"), N_("Social"), N_("Email"), N_("Referral"),
    N_("Direct"), N_("Events"), N_("Other"),
)
AGE_BUCKETS = {"0-2 days": N_("0-2 days"), "3-7 days": N_("3-7 days"),
               "8-14 days": N_("8-14 days"), "15-30 days": N_("15-30 days"),
               "over 30 days": N_("over 30 days")}
FUNNEL_NAMES = (
    N_("Web sessions"), N_("Leads"), N_("MQLs"), N_("SQLs"),
    N_("Opportunities (marketing-sourced)"), N_("Proposals (marketing-sourced)"),
    N_("Customers (marketing-sourced)"), N_("Revenue (marketing-sourced)"),
    N_("Visit to lead"), N_("Lead to MQL (matured cohort)"), N_("MQL to SQL (matured cohort)"),
    N_("SQL to opportunity"), N_("Opportunity to proposal"), N_("Proposal to win"),
    # What an actual rate is (rpt_funnel_plan_vs_actual.rate_basis, issue #19).
    N_("matured cohort"), N_("period ratio"),
)
TEST_WORDS = {"pass": N_("pass"), "fail": N_("fail"), "warn": N_("warn"),
              "error": N_("error"), "skipped": N_("skipped"), "data test": N_("data test"),
              "unit test": N_("unit test")}
# The inputs a KPI can lack (macros/inputs.sql): "needs lead activities".
NEEDS = (N_("leads"), N_("lead activities"), N_("opportunities"), N_("a revenue ledger"),
         N_("web sessions"), N_("the team list"), N_("SQL dates"), N_("acceptance dates"),
         N_("proposal dates"), N_("disqualification dates"))
# Why a computed rate is no data all the same (the KPI models, issue #19).
NO_DATA_REASONS = (N_("the data holds only MQLs"), N_("no lost deals recorded"),
                   N_("the period began less than a week before the as-of day"),
                   N_("no deal amounts recorded"))

# Exactly the characters Python-Markdown (with the tables extension) lets a
# backslash escape: escaping any other character would show the backslash.
# `<`, `>` and `&` never reach this step raw: html.escape turns them into
# entities first.
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|])")
_IDENTIFIER = re.compile(r"[A-Za-z0-9_./-]+")

# A locale may name its own CLDR date pattern for `day`; the others use
# CLDR's medium date (1 ก.ค. 2015, 1 de jul. de 2015). English keeps the
# weekday it has always shown ("Thu 15 Oct 2015"): readers plan by weekday.
DAY_PATTERNS = {"en": "EEE d MMM y"}
# CLDR unit names of the duration units (short forms: 2.4 hr, 2,4 h, 2.4 ชม.).
DURATION_UNITS = {"hours": "duration-hour", "days": "duration-day"}


class Markdown(str):
    """Text that is Markdown already: written by the project, or data escaped by `text`.

    The page templates escape every value they print unless it is one of
    these (issue #24), as an HTML template engine escapes everything but
    Markup: a data value that reaches a page through a path nobody thought of
    (a new column, an id in a link) is shown as text, never run. `%` escapes
    its arguments the same way, so a translated sentence with a company name
    in it stays safe.
    """

    __slots__ = ()

    def __mod__(self, arguments: object) -> Markdown:
        if isinstance(arguments, dict):
            arguments = {key: escaped(value) for key, value in arguments.items()}
        elif isinstance(arguments, tuple):
            arguments = tuple(escaped(value) for value in arguments)
        else:
            arguments = escaped(arguments)
        return Markdown(str.__mod__(self, arguments))


def text(value: object) -> Markdown:
    """Return data text safe to put anywhere in Markdown: shown literally, never run.

    HTML is escaped first (so `<script>` is text), then every character that
    Markdown or its extensions interpret is backslash-escaped (so `**bold**`,
    `[link](javascript:...)` and `{: attr }` stay literal). Newlines become
    spaces so a value cannot break a table row or start a block. Text that is
    Markdown already is returned as it is, so escaping twice changes nothing.
    """
    if isinstance(value, Markdown):
        return value
    if value is None:
        return Markdown("–")
    flat = " ".join(mask_emails(str(value)).split())
    return Markdown(_MARKDOWN_SPECIAL.sub(r"\\\1", html.escape(flat, quote=True)))


def escaped(value: object) -> object:
    """Return a value ready to print on a page: numbers and Markdown as they are, text escaped.

    The page templates' `finalize`: every `{{ ... }}` goes through it.
    """
    if isinstance(value, (Markdown, Markup)):
        return value
    if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
        return value  # digits, a sign and a point never form markup
    return text(value)


def markdown(value: str) -> Markdown:
    """Mark text the project wrote as Markdown: an agreement text, a KPI definition, SQL.

    Only for text from the repository (the team's own files and code), never
    for a value from the CRM data.
    """
    return Markdown(value)


def code(value: object) -> Markdown:
    """Return an identifier (a dbt node, a model path) as an inline code span.

    Anything but letters, digits and `_ . / -` is shown as escaped text
    instead: a backtick or a pipe could otherwise end the span or the table cell.
    """
    if value is not None and _IDENTIFIER.fullmatch(str(value)):
        return Markdown(f"`{value}`")
    return text(value)


def _fraction(pattern: str, digits: str) -> str:
    """Return a CLDR number pattern with its fraction replaced: '¤#,##0.00' -> '¤#,##0'."""
    return ";".join(re.sub(r"0(?:\.[0#]+)?(?=[^0#.]*$)", "0" + digits, part, count=1)
                    for part in pattern.split(";"))


def _format(value: float, unit: str, digits: str) -> str:
    """Return value in the current locale; digits is the fraction ('', '.0' or '.#')."""
    locale = i18n.current()
    cldr = locale.babel
    if unit == "currency":
        # Whole units: the amounts are plans and bookings, not invoices.
        pattern = _fraction(cldr.currency_formats["standard"].pattern, "")
        return format_currency(value, locale.currency, format=pattern, locale=cldr,
                               currency_digits=False)
    if unit == "rate":
        return format_percent(value, _fraction(cldr.percent_formats[None].pattern, digits),
                              locale=cldr)
    if unit in DURATION_UNITS:
        return format_unit(value, DURATION_UNITS[unit], "short", format="#,##0" + digits,
                           locale=cldr)
    return format_decimal(value, "#,##0", locale=cldr)


def number(value: float | int | None, unit: str = "count") -> str:
    """Return a value formatted for its unit: 1,234 / $1,234 / 76.9% / 2.2 hr / 39.5 days."""
    if value is None:
        return "–"
    return _format(float(value), unit, ".0")


def distinct_figure(value: float | int | None, target: float | int | None,
                    unit: str = "count") -> str:
    """Return a value as tables print it, with as many more decimals as it takes never to
    print a value that differs from its target as the target itself (issue #19).

    36.996% against a 37% target prints "36.996%", not "37.0%": a missed
    target must not read as met. Equal values, counts and a missing target
    print as `number` does.
    """
    shown = number(value, unit)
    if value is None or target is None or unit == "count" \
            or math.isclose(float(value), float(target), rel_tol=1e-12, abs_tol=1e-12) \
            or shown != number(target, unit):
        return shown
    for digits in ((".00",) if unit == "currency" else (".00", ".000", ".0000")):
        def write(figure: float, digits: str = digits) -> str:
            return _amount(figure, digits) if unit == "currency" \
                else _format(figure, unit, digits)
        shown = write(float(value))
        if shown != write(float(target)):
            break
    return shown


def _amount(value: float, digits: str) -> str:
    """Return an amount with cents: only where whole units would hide a difference."""
    locale = i18n.current()
    cldr = locale.babel
    pattern = _fraction(cldr.currency_formats["standard"].pattern, digits)
    return format_currency(value, locale.currency, format=pattern, locale=cldr,
                           currency_digits=False)


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
        points = format_decimal(abs(float(value)) * 100,
                                "#,##0.0" if abs(float(value)) >= 0.0005 else "#,##0.0##",
                                locale=i18n.current().babel)
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
    return format_percent(float(value), _fraction(cldr.percent_formats[None].pattern, fraction),
                          locale=cldr)


def signed_percent(value: float | None) -> str:
    """Return a growth rate with its sign: +12.5% or -3.0%."""
    if value is None:
        return "–"
    cldr = i18n.current().babel
    pattern = _fraction(cldr.percent_formats[None].pattern, ".0")
    shown = format_percent(abs(float(value)), pattern, locale=cldr)
    sign = cldr.number_symbols["latn"]["minusSign" if float(value) < 0 else "plusSign"]
    return sign + shown


def display_name(identifier: str | None) -> str:
    """Return a channel or category id as readers write it: organic_search -> Organic search.

    The id stays in the data and the JSON; pages show words (issue #12), in
    the site's language when the id is one the input contract knows.
    """
    if identifier is None:
        return "–"
    words = str(identifier).replace("_", " ").strip().capitalize()
    return text(gettext(words))


def status_label(status: str) -> str:
    """Return the human label of a status."""
    label = STATUS_LABELS.get(status)
    return gettext(label) if label else status.replace("_", " ").capitalize()


def unit_name(unit: str) -> str:
    """Return the name of a KPI unit in the site's language."""
    return gettext(UNIT_NAMES[unit]) if unit in UNIT_NAMES else text(unit)


def direction_name(direction: str) -> str:
    """Return which way is better for a KPI, in the site's language."""
    return gettext(DIRECTIONS[direction]) if direction in DIRECTIONS else text(direction)


def known_words(value: str | None) -> str:
    """Return a word the models write (a funnel stage, an age bucket) in the site's language.

    Anything the catalog does not know (a stage renamed in the SQL) is shown
    as written, escaped.
    """
    return text(None if value is None else gettext(str(value)))


def test_word(value: str) -> str:
    """Return a dbt test status or type in the site's language."""
    return gettext(TEST_WORDS[value]) if value in TEST_WORDS else text(value)


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
        parts.append(options[0] if len(options) == 1 else gettext("%(first)s or %(last)s") % {
            "first": ", ".join(options[:-1]), "last": options[-1]})
    joined = parts[0] if len(parts) == 1 else gettext("%(first)s and %(last)s") % {
        "first": ", ".join(parts[:-1]), "last": parts[-1]}
    return gettext("needs %(inputs)s") % {"inputs": joined}


def decimal(value: float) -> str:
    """Return a figure with one decimal in the site's locale: 2,345.6 / 2.345,6."""
    return format_decimal(float(value), "#,##0.0", locale=i18n.current().babel)


def seconds(value: float) -> str:
    """Return a duration in seconds with one decimal, in the site's locale: 12.3."""
    return format_decimal(float(value), "#,##0.0", locale=i18n.current().babel)


def status_badge(status: str) -> str:
    """Return an inline HTML badge for a status (styled in extra.css)."""
    return f'<span class="sla-status sla-status--{status}">{status_label(status)}</span>'


def period_state(state: str) -> str:
    """Return the human label of a period state."""
    label = PERIOD_STATES.get(state)
    return gettext(label) if label else state


def day(value: date | datetime | None) -> str:
    """Return a date in the site's locale: 'Thu 15 Oct 2015', '15 ต.ค. 2015', '15 de out. de 2015'.
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
        "day": day(value), "time": format_time(value, "short", locale=locale.babel)}


def url(value: str) -> Markdown:
    """Return an address built by the project (a CRM link) for a Markdown link target.

    Brackets, angle brackets and spaces are percent-encoded, so no character
    of it can end the link or start markup.
    """
    encoded = str(value)
    for character, code in (("(", "%28"), (")", "%29"), ("<", "%3C"), (">", "%3E"),
                            (" ", "%20"), ('"', "%22")):
        encoded = encoded.replace(character, code)
    return Markdown(encoded)


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


def chart(path: str, caption: str) -> str:
    """Return a chart as two pictures: the light one, and its dark twin for dark mode.

    The theme shows `#only-light` images in the light scheme and `#only-dark`
    ones in the dark scheme (issue #12); on a phone each picture takes its
    narrow twin, whose text stays readable (issue #20). The file names
    follow charts.dark_path and charts.narrow_path.
    """
    alt = html.escape(caption, quote=True)
    pictures = []
    for scheme, wide in (("light", path), ("dark", path.removesuffix(".svg") + "-dark.svg")):
        narrow = (path.removesuffix(".svg") + "-narrow"
                  + ("-dark" if scheme == "dark" else "") + ".svg")
        pictures.append(
            f'<picture class="sla-chart"><source media="(max-width: 600px)" '
            f'srcset="{html.escape(narrow, quote=True)}">'
            f'<img src="{html.escape(wide, quote=True)}#only-{scheme}" alt="{alt}" '
            f'class="sla-chart"></picture>')
    return "".join(pictures)


def _formatted(function):
    """Return a filter whose result is Markdown: formatted figures, badges, charts."""

    def formatted(*arguments, **options) -> Markdown:
        return Markdown(function(*arguments, **options))

    formatted.__doc__ = function.__doc__
    return formatted


def _catalog(function):
    """Return i18n's gettext or ngettext returning Markdown: the catalogs are ours.

    Jinja's newstyle gettext fills a translation's placeholders with `%`,
    which Markdown escapes (data in a sentence stays text).
    """

    def translated(*arguments) -> Markdown:
        return Markdown(function(*arguments))

    return translated


def make_environment() -> Environment:
    """Return the Jinja environment for the page templates.

    Every value a template prints is escaped for Markdown and HTML unless it
    is Markdown already (issue #24): the formatting filters, the catalogs'
    sentences and `| markdown` (text from the repository) are; data is not.
    """
    environment = Environment(
        loader=PackageLoader("generator.site", "templates"),
        undefined=StrictUndefined,
        # Markdown, not HTML: Jinja's HTML autoescape would not stop `[x](javascript:)`;
        # `finalize` escapes for both.
        autoescape=False,
        finalize=escaped,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        extensions=["jinja2.ext.i18n"],
    )
    # Issue #14: every word of a template is a gettext message, looked up in
    # the locale in force when the page is rendered (generator.i18n.use).
    # Trimmed: a paragraph wrapped over several lines is one message.
    environment.policies["ext.i18n.trimmed"] = True
    environment.install_gettext_callables(_catalog(i18n.gettext), _catalog(i18n.ngettext),
                                          newstyle=True)
    environment.filters.update({
        "text": text,
        "markdown": markdown,
        "code": code,
        "url": url,
        "display_name": display_name,
        "status_label": status_label,
        "unit_name": unit_name,
        "age_bucket": known_words,
        "funnel_name": known_words,
        "test_status": test_word,
        "test_type": test_word,
        "no_data_reason": no_data_reason,
        "direction_name": direction_name,
        "period_state": period_state,
    })
    environment.filters.update({name: _formatted(function) for name, function in {
        "number": number,
        "distinct_figure": distinct_figure,
        "prose": prose,
        "shortfall": shortfall,
        "percent": percent,
        "signed_percent": signed_percent,
        "signed_change": signed_change,
        "status_badge": status_badge,
        "seconds": seconds,
        "day": day,
        "moment": moment,
        "month": month,
        "clock": clock,
        "chart": chart,
    }.items()})
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
            raise ConfigError(f"generator/site/templates/{name}:{error.lineno}: "
                              f"{error.message}") from error
    return len(names)


def render_page(environment: Environment, template: str, page: object) -> str:
    """Render one page dataclass with its template."""
    context = {field.name: getattr(page, field.name) for field in fields(page)}
    return environment.get_template(template).render(**context)
