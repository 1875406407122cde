"""The Jinja environment (StrictUndefined) and the filters that write values into pages.

Figures and dates are formatted by generator.formats in the locale in force
(issue #14); this module makes them filters, escapes data for Markdown and
HTML (issue #24), and names in the site's language the words the models
and the input contract write in English.
"""

from __future__ import annotations

import html
import re
from dataclasses import fields
from decimal import Decimal
from pathlib import Path

from jinja2 import Environment, FileSystemBytecodeCache, PackageLoader, StrictUndefined
from markupsafe import Markup

from generator import i18n
from generator.formats import (
    clock,
    day,
    distinct_figure,
    moment,
    month,
    no_data_reason,
    number,
    percent,
    period_state,
    prose,
    seconds,
    shortfall,
    signed_change,
    signed_percent,
    status_label,
)
from generator.i18n import N_, gettext
from generator.privacy import mask_emails
from generator.site.contexts import PageContext

# The page templates (*.md.j2; partials start with `_`), shipped as package data.
TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"

UNIT_NAMES = {
    "count": N_("count"),
    "currency": N_("currency"),
    "rate": N_("rate"),
    "hours": N_("hours"),
    "days": N_("days"),
}
DIRECTIONS = {"higher": N_("higher"), "lower": N_("lower")}

# Words the models and the input contract write in English, shown in the
# site's language: channel ids (display_name), the overdue age buckets of
# rpt_overdue_mqls, the funnel stages and rates of rpt_funnel_plan_vs_actual,
# dbt test statuses and types.
CONTRACT_WORDS = (
    N_("Organic search"),
    N_("Paid search"),
    N_("Social"),
    N_("Email"),
    N_("Referral"),
    N_("Direct"),
    N_("Events"),
    N_("Other"),
)
AGE_BUCKETS = {
    "0-2 days": N_("0-2 days"),
    "3-7 days": N_("3-7 days"),
    "8-14 days": N_("8-14 days"),
    "15-30 days": N_("15-30 days"),
    "over 30 days": N_("over 30 days"),
}
FUNNEL_NAMES = (
    N_("Web sessions"),
    N_("Leads"),
    N_("MQLs"),
    N_("SQLs"),
    N_("Opportunities (marketing-sourced)"),
    N_("Proposals (marketing-sourced)"),
    N_("Customers (marketing-sourced)"),
    N_("Revenue (marketing-sourced)"),
    N_("Visit to lead"),
    N_("Lead to MQL (matured cohort)"),
    N_("MQL to SQL (matured cohort)"),
    N_("SQL to opportunity"),
    N_("Opportunity to proposal"),
    N_("Proposal to win"),
    # What an actual rate is (rpt_funnel_plan_vs_actual.rate_basis, issue #19).
    N_("matured cohort"),
    N_("period ratio"),
)
TEST_WORDS = {
    "pass": N_("pass"),
    "fail": N_("fail"),
    "warn": N_("warn"),
    "error": N_("error"),
    "skipped": N_("skipped"),
    "data test": N_("data test"),
    "unit test": N_("unit test"),
}

# Exactly the characters Python-Markdown (with the tables extension) lets a
# backslash escape: escaping any other character would show the backslash.
# `<`, `>` and `&` never reach this step raw: html.escape turns them into
# entities first.
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|])")
_IDENTIFIER = re.compile(r"[A-Za-z0-9_./-]+")


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


def display_name(identifier: str | None) -> str:
    """Return a channel or category id as readers write it: organic_search -> Organic search.

    The id stays in the data and the JSON; pages show words (issue #12), in
    the site's language when the id is one the input contract knows.
    """
    if identifier is None:
        return "–"
    words = str(identifier).replace("_", " ").strip().capitalize()
    return text(gettext(words))


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


def status_badge(status: str) -> str:
    """Return an inline HTML badge for a status (styled in extra.css)."""
    return f'<span class="sla-status sla-status--{status}">{status_label(status)}</span>'


def url(value: str) -> Markdown:
    """Return an address built by the project (a CRM link) for a Markdown link target.

    Brackets, angle brackets and spaces are percent-encoded, so no character
    of it can end the link or start markup.
    """
    encoded = str(value)
    for character, code in (
        ("(", "%28"),
        (")", "%29"),
        ("<", "%3C"),
        (">", "%3E"),
        (" ", "%20"),
        ('"', "%22"),
    ):
        encoded = encoded.replace(character, code)
    return Markdown(encoded)


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
        narrow = (
            path.removesuffix(".svg") + "-narrow" + ("-dark" if scheme == "dark" else "") + ".svg"
        )
        pictures.append(
            f'<picture class="sla-chart"><source media="(max-width: 600px)" '
            f'srcset="{html.escape(narrow, quote=True)}">'
            f'<img src="{html.escape(wide, quote=True)}#only-{scheme}" alt="{alt}" '
            f'class="sla-chart"></picture>'
        )
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


# Filters used as they are: their words are escaped by `finalize`, unless they
# return Markdown they made safe themselves (text, markdown, code, url).
_TEXT_FILTERS = {
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
}
# Formatting filters, wrapped by _formatted: formatted figures, badges, charts.
_MARKDOWN_FILTERS = {
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
}


def template_cache(folder: Path, *versions: str) -> FileSystemBytecodeCache:
    """Return a cache of compiled templates in folder, one subfolder per `versions`.

    Compiling the templates is a fifth of a text edit's time (issue #23).
    Jinja keys compiled code by template name and source only, not by the
    environment's options (trim_blocks, finalize, extensions), so the code
    and versions that set those options name the subfolder.
    """
    import hashlib

    import jinja2

    key = hashlib.blake2b("\0".join((jinja2.__version__, *versions)).encode(), digest_size=8)
    path = folder / key.hexdigest()
    path.mkdir(parents=True, exist_ok=True)
    return FileSystemBytecodeCache(str(path))


def make_environment(cache_dir: Path | None = None) -> Environment:
    """Return the Jinja environment for the page templates.

    Every value a template prints is escaped for Markdown and HTML unless it
    is Markdown already (issue #24): the formatting filters, the catalogs'
    sentences and `| markdown` (text from the repository) are; data is not.
    With a cache_dir (the build's work folder's), compiled templates are
    kept between builds.
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
        bytecode_cache=(
            template_cache(cache_dir, "pages", Path(__file__).read_text(encoding="utf-8"))
            if cache_dir
            else None
        ),
    )
    # Issue #14: every word of a template is a gettext message, looked up in
    # the locale in force when the page is rendered (generator.i18n.use).
    # Trimmed: a paragraph wrapped over several lines is one message.
    environment.policies["ext.i18n.trimmed"] = True
    # jinja2.ext.i18n adds this method to the environment when it loads, so
    # Environment's own annotations cannot know it.
    environment.install_gettext_callables(  # type: ignore[attr-defined]
        _catalog(i18n.gettext), _catalog(i18n.ngettext), newstyle=True
    )
    environment.filters.update(_TEXT_FILTERS)
    environment.filters.update(
        {name: _formatted(function) for name, function in _MARKDOWN_FILTERS.items()}
    )
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
            raise ConfigError(
                f"generator/site/templates/{name}:{error.lineno}: {error.message}"
            ) from error
    return len(names)


def render_page(environment: Environment, template: str, page: PageContext) -> str:
    """Render one page dataclass with its template."""
    context = {field.name: getattr(page, field.name) for field in fields(page)}
    return environment.get_template(template).render(**context)
