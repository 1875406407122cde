"""The formatting filters and, above all, that data text can never become markup."""

from __future__ import annotations

import html

import markdown
import pytest
from jinja2 import UndefinedError

from generator import formats
from generator.site import render

EXTENSIONS = [
    "abbr",
    "admonition",
    "attr_list",
    "md_in_html",
    "tables",
    "toc",
    "pymdownx.details",
    "pymdownx.superfences",
]


def to_html(source: str) -> str:
    return markdown.markdown(source, extensions=EXTENSIONS)


@pytest.mark.parametrize(
    "hostile",
    [
        "<script>alert(1)</script>",
        "**bold** and _em_",
        "[link](javascript:alert(1))",
        "{{ x }} {% if %}",
        "{: .evil onclick=alert(1) }",
        "# heading",
        "a | b | c",
        "`code`",
        '--8<-- "/etc/passwd"',
        "![img](http://example.com/x.png)",
        "Ampersand & <b>bold</b>",
    ],
)
def test_data_text_renders_as_literal_text(hostile):
    escaped = render.text(hostile)
    rendered = to_html(f"| Company |\n|---|\n| {escaped} |\n\nAfter: {escaped}")
    # What a reader sees is exactly the original text, HTML-escaped once.
    assert html.escape(hostile, quote=False) in rendered.replace("&quot;", '"')
    for tag in ("<script", "<strong", "<em", "<a ", "<img", "<h1", "<code", "<b>"):
        assert tag not in rendered


def test_text_keeps_thai_emoji_and_right_to_left_text():
    for value in ["บริษัท ไทย จำกัด", "Rocket 🚀 Labs", "شركة الأفق"]:
        assert value in to_html(render.text(value))


def test_text_folds_newlines_so_a_value_cannot_break_a_table():
    assert "\n" not in render.text("line one\n| x |\nline two")


@pytest.mark.parametrize(
    ("value", "unit", "shown"),
    [
        (1234.4, "count", "1,234"),
        (1234567.89, "currency", "$1,234,568"),
        (0.62677, "rate", "62.7%"),
        (2.3714, "hours", "2.4 hr"),  # CLDR's short unit (issue #14)
        (39.5, "days", "39.5 days"),
        (None, "rate", "–"),
    ],
)
def test_number_formats_each_unit(value, unit, shown):
    assert formats.number(value, unit) == shown


def test_shortfall_of_a_rate_is_in_percentage_points():
    assert formats.shortfall(-0.173, "rate") == "17.3 pts"
    assert formats.shortfall(-84135.2, "currency") == "$84,135"


def test_status_badge_has_a_text_label_not_only_a_colour():
    assert ">Behind<" in render.status_badge("behind")
    assert "sla-status--behind" in render.status_badge("behind")


def test_templates_fail_on_an_undefined_variable():
    environment = render.make_environment()
    with pytest.raises(UndefinedError):
        environment.from_string("{{ nowhere }}").render()
