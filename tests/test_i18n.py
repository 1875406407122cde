"""The team's own language and currency (issue #14).

The catalogs are checked against a fresh extraction (Babel reads babel.cfg,
as `pybabel extract` does), the Thai and Brazilian catalogs must be
complete, and the demo is built in Thai (baht) and Brazilian Portuguese
(reais): no English phrase of our own may be left on a Thai page, and every
figure must be the English build's figure in the other locale's format.
"""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

from generator import i18n
from generator.commands.build import build_report
from generator.commands.configure import make_config
from generator.formats import day, number, prose
from tests.conftest import ROOT, copy_work_folder, html_tables, page_text

LOCALE_DIR = ROOT / "generator" / "locale"
CATALOGS = {
    code: LOCALE_DIR / code / "LC_MESSAGES" / "messages.po" for code in i18n.CATALOG_LOCALES
}

# English words of our own UI that must not survive on a Thai page. Data
# (agreement titles, lost reasons, company names) and the team's own texts
# are theirs, so only the generated data pages are read.
ENGLISH_UI = [
    "behind pace",
    "behind target",
    "over target",
    "Data as of",
    "latest event",
    "built at",
    "On track",
    "At risk",
    "Behind",
    "No data",
    "no data",
    "Pace to date",
    "Still needed",
    "Every commitment",
    "Revenue against the goal",
    "Read the agreement",
    "days left",
    "Month by month",
    "KPI definitions",
    "Plan vs actual",
    "Data quality",
    "Lead hand-off",
    "Overview",
    "History",
    "Target",
    "Owner",
    "Actual",
    "Status",
    "By channel",
    "By rep",
    "Why deals were lost",
    "Largest wins",
    "Lead velocity",
    "Quarantined rows",
    "Warnings",
    "Week starting",
    "Whole week",
    "Part week",
    "Pace to goal",
    "Revenue to date",
    "Projected",
    "to date",
    "all sources",
    "matured",
    "lower bound",
    "Switch to",
    "demo seeds",
    "the files in",
]
DATA_PAGES = [
    "index.html",
    "marketing.html",
    "handoff.html",
    "sales.html",
    "monthly.html",
    "plan-vs-actual.html",
    "history.html",
    "data-quality.html",
]


def extracted_messages() -> set[str]:
    """Return every message the generator writes, extracted as pybabel does (babel.cfg)."""
    with (ROOT / "babel.cfg").open(encoding="utf-8") as handle:
        method_map, options_map = parse_mapping_cfg(handle)
    found = set()
    for _filename, _lineno, message, _comments, _context in extract_from_dir(
        str(ROOT), method_map, options_map
    ):
        found.add(message if isinstance(message, str) else message[0])
    return found


def read_catalog(path: Path):
    with path.open("rb") as handle:
        return read_po(handle)


def test_every_message_the_generator_writes_is_in_the_template_and_every_catalog():
    messages = extracted_messages()
    assert len(messages) > 300  # the extraction really read the templates and code
    assert "Behind pace or target" in messages and "On track" in messages
    for path in [LOCALE_DIR / "messages.pot", *CATALOGS.values()]:
        catalog = read_catalog(path)
        known = {message.id for message in catalog if message.id}
        missing = sorted(messages - known)
        assert not missing, (
            f"{path.relative_to(ROOT)} lacks {missing[:10]}: run pybabel "
            "extract -F babel.cfg and update the catalogs"
        )
        stale = sorted(known - messages)
        assert not stale, f"{path.relative_to(ROOT)} has messages no code writes: {stale[:10]}"
    print(f"{len(messages)} messages, in messages.pot and {', '.join(CATALOGS)}")


@pytest.mark.parametrize("code", i18n.CATALOG_LOCALES)
def test_the_thai_and_brazilian_catalogs_are_complete_and_well_formed(code):
    catalog = read_catalog(CATALOGS[code])
    messages = [message for message in catalog if message.id]
    untranslated = [message.id for message in messages if not message.string]
    fuzzy = [message.id for message in messages if message.fuzzy]
    assert not untranslated, f"{code}: untranslated: {untranslated[:10]}"
    assert not fuzzy, f"{code}: fuzzy (unchecked) entries: {fuzzy[:10]}"
    # Every placeholder of the English text is in the translation, and no other.
    placeholder = re.compile(r"%\(\w+\)s|%%")
    wrong = [
        message.id
        for message in messages
        if sorted(placeholder.findall(message.id)) != sorted(placeholder.findall(message.string))
    ]
    assert not wrong, f"{code}: placeholders differ: {wrong[:5]}"
    # And Babel's own checks (python-format) find nothing.
    problems = [(message.id, [str(e) for e in errors]) for message, errors in catalog.check()]
    assert not problems, problems[:5]
    # The build's in-memory compilation gives the translation, not the English.
    assert i18n.catalog(code).gettext("Behind pace or target") != "Behind pace or target"


def test_numbers_amounts_and_dates_follow_the_locale():
    july = date(2015, 7, 1)
    cases = {
        ("th", "THB"): ("฿1,234,567", "76.9%", "1 ก.ค. 2015", "2.4 ชม.", "40 วัน"),
        ("pt_BR", "BRL"): ("R$\xa01.234.567", "76,9%", "1 de jul. de 2015", "2,4 h", "40 dias"),
        ("en", "USD"): ("$1,234,567", "76.9%", "Wed 1 Jul 2015", "2.4 hr", "40 days"),
    }
    for (code, currency), expected in cases.items():
        with i18n.use(i18n.site_locale(code, currency)):
            shown = (
                number(1234567.4, "currency"),
                number(0.7689, "rate"),
                day(july),
                number(2.3714, "hours"),
                prose(40, "days"),
            )
        assert shown == expected, (code, shown)


def test_an_unknown_locale_or_currency_is_a_clear_error():
    from generator.exceptions import ConfigError

    with pytest.raises(ConfigError, match="locale 'xx_YY' is not a locale"):
        i18n.site_locale("xx_YY", "USD")
    with pytest.raises(ConfigError, match="currency 'BAHT' is not an ISO 4217 code"):
        i18n.site_locale("th", "BAHT")


def visible_text(path: Path) -> str:
    """The visible text of a page, text nodes kept apart by a space."""
    return page_text(path, " ")


@pytest.fixture(scope="module")
def localized_sites(tmp_path_factory, demo_site, plain_build) -> dict[str, Path]:
    """Build the demo in Thai (baht) and Brazilian Portuguese (reais).

    From the English build's database (copy_work_folder): a language changes
    the pages, not what dbt builds, so the builds re-render without dbt.
    """
    sites = {}
    for code, currency in (("th", "THB"), ("pt_BR", "BRL")):
        out = tmp_path_factory.mktemp(code) / "site"
        copy_work_folder(plain_build, out)
        summary = build_report(make_config(out=str(out), locale=code, currency=currency))
        print(f"{code}: built {summary.pages} pages in {summary.total_seconds:.1f} s")
        sites[code] = out
    return sites


def test_a_thai_site_has_no_english_ui_phrase_left(localized_sites):
    site = localized_sites["th"]
    pages = [site / name for name in DATA_PAGES] + sorted((site / "reps").glob("*.html"))
    assert len(pages) > len(DATA_PAGES)
    left = {}
    for page in pages:
        text = visible_text(page)
        assert re.search("[\u0e00-\u0e7f]", text), page.name  # Thai text is there
        found = [phrase for phrase in ENGLISH_UI if re.search(rf"\b{re.escape(phrase)}\b", text)]
        if found:
            left[page.name] = found
    assert not left, f"English UI phrases on Thai pages: {left}"
    index = (site / "index.html").read_text(encoding="utf-8")
    assert '<html lang="th"' in index
    assert "ข้อมูล ณ วันที่" in index and "ภาพรวม" in index  # stamp and navigation
    # The static page in Thai (site/docs/about.th.md), and no other language's copy.
    assert "ความเป็นส่วนตัว" in visible_text(site / "about.html")
    assert not list(site.rglob("about.*.html"))
    # KPI titles and definitions from meta.kpi translations.
    definitions = visible_text(site / "definitions.html")
    assert "MQL ที่ส่งมอบ" in definitions and "ลีดที่ผ่านการคัดกรองจากการตลาดที่ส่งมอบในรอบ" in definitions
    for chart in sorted((site / "charts").glob("weekly-*.svg")):
        svg = chart.read_text(encoding="utf-8")
        assert "Week starting" not in svg and "สัปดาห์ที่เริ่ม" in svg, chart.name


def _figures(site: Path) -> dict[str, str]:
    """Return KPI id -> the actual printed in the first KPI table of the Sales page."""
    table = next(t for t in html_tables(site / "sales.html") if len(t[0]) >= 5)
    return {row[0][1].rsplit("#", 1)[1]: row[2][0] for row in table[1:]}


def _parse(shown: str, decimal: str, group: str) -> float:
    """Return the first figure of a cell ('฿823,550', 'R$ 1.234,5', '275 of 309 ...')."""
    figure = re.match(r"\D*?(\d[\d" + re.escape(decimal + group) + "]*)", shown).group(1)
    return float(figure.replace(group, "").replace(decimal, ".").rstrip("."))


def test_every_figure_is_the_english_builds_figure_in_the_locales_format(
    localized_sites, demo_site
):
    english = json.loads((demo_site / "summary.json").read_text(encoding="utf-8"))
    values = {kpi["id"]: kpi for kpi in english["kpis"]}
    for code, symbol, decimal, group in (("th", "฿", ".", ","), ("pt_BR", "R$", ",", ".")):
        shown = _figures(localized_sites[code])
        assert shown, code
        for kpi_id, text in shown.items():
            kpi = values[kpi_id]
            if kpi["value"] is None:
                continue
            value = _parse(text, decimal, group)
            expected = kpi["value"] * (100 if kpi["unit"] == "rate" else 1)
            assert value == pytest.approx(
                expected, abs=0.05 + 1e-9 if kpi["unit"] in ("rate", "hours", "days") else 0.5
            ), (code, kpi_id, text)
            if kpi["unit"] == "currency":
                assert text.startswith(symbol), (code, kpi_id, text)
        # summary.json keeps English words and the data's own currency, as
        # English writes it (CLDR: THB823,550, R$823,550).
        summary = json.loads((localized_sites[code] / "summary.json").read_text("utf-8"))
        assert {k["id"]: (k["value"], k["status"]) for k in summary["kpis"]} == {
            k["id"]: (k["value"], k["status"]) for k in english["kpis"]
        }
        in_english = {"th": "THB", "pt_BR": "R$"}[code]
        assert f"New revenue {in_english}" in summary["headline"]
        assert "KPIs behind or at risk" in summary["headline"]


def test_brazilian_pages_use_brazilian_words_and_reais(localized_sites):
    site = localized_sites["pt_BR"]
    index = visible_text(site / "index.html")
    assert "Receita contra a meta" in index and "Dados de" in index
    assert re.search(r"R\$\s\d{1,3}(\.\d{3})+", index)  # \xa0, spaced by visible_text
    # Material's own interface in its pt-BR language (which marks pages lang="pt").
    assert "Pular para conteúdo" in index
    assert '<html lang="pt"' in (site / "index.html").read_text(encoding="utf-8")
    monthly = visible_text(site / "monthly.html")
    assert "Mês a mês" in monthly and re.search(r"\b(julho|agosto|setembro) de 2015\b", monthly)


def test_a_kpi_without_a_translation_falls_back_with_a_warning_naming_it(caplog):
    from generator.commands.build import warn_untranslated
    from generator.report.kpis import KpiDefinition

    spec = dict(
        section="sales",
        unit="count",
        direction="higher",
        pacing="cumulative",
        definition="",
        model="m",
        model_path="m.sql",
        raw_sql="",
        compiled_sql="",
    )
    done = KpiDefinition(
        kpi_id="a",
        title="Deals",
        owner="sales",
        noun="deals",
        sample_noun="",
        translations={"th": {"title": "ดีล", "owner": "ฝ่ายขาย", "noun": "ดีล"}},
        **spec,
    )
    partial = KpiDefinition(
        kpi_id="b",
        title="Calls",
        owner="sales",
        noun="calls",
        sample_noun="",
        translations={"th": {"title": "การโทร"}},
        **spec,
    )
    with caplog.at_level("WARNING"):
        missing = warn_untranslated([done, partial], i18n.site_locale("th", "THB"))
    assert missing == ["b.owner", "b.noun"]
    assert "b.owner, b.noun" in caplog.text
    with i18n.use(i18n.site_locale("th", "THB")):
        assert partial.text("title") == "การโทร" and partial.text("owner") == "sales"


def test_an_agreement_text_can_set_the_locale_of_its_figures(tmp_path):
    from generator.exceptions import ConfigError
    from generator.site.agreement_text import agreement_locale, split_front_matter

    settings, body, offset = split_front_matter(
        "a.md", "---\nlocale: pt_BR\ncurrency: BRL\n---\n## Meta\n{{ target('mqls') }}\n"
    )
    assert settings == {"locale": "pt_BR", "currency": "BRL"} and offset == 4
    assert body.startswith("## Meta")
    with i18n.use(agreement_locale("a.md", settings)):
        assert number(1500, "currency") == "R$\xa01.500"
    with pytest.raises(ConfigError, match="only locale and currency"):
        split_front_matter("a.md", "---\ntitle: x\n---\nbody\n")


# A code point the Unicode standard leaves unassigned in the Thai block: any
# font draws it as the missing-glyph box, so a Thai letter drawn the same way
# has no glyph either.
UNASSIGNED_THAI = "\u0e5d"
SCREENSHOT = ROOT / "build" / "screenshots" / "th-overview.png"


def test_the_thai_overview_renders_every_thai_letter_with_a_real_glyph(chromium, localized_sites):
    from tests.browser import serve

    with serve(localized_sites["th"]) as url:
        context = chromium.new_context(viewport={"width": 1280, "height": 900})
        page = context.new_page()
        page.goto(f"{url}/index.html")
        page.wait_for_load_state("networkidle")
        SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOT), full_page=False)
        # Each Thai letter on the page, drawn in the page's own font stack,
        # against the missing-glyph box drawn the same way.
        result = page.evaluate(
            """(unassigned) => {
            const font = getComputedStyle(document.querySelector('.md-typeset')).fontFamily;
            const letters = [...new Set(document.body.innerText.match(/[\u0e01-\u0e2e]/g))];
            const canvas = document.createElement('canvas');
            canvas.width = 40; canvas.height = 40;
            const ctx = canvas.getContext('2d', {willReadFrequently: true});
            const draw = (ch) => {
                ctx.clearRect(0, 0, 40, 40);
                ctx.font = `28px ${font}`;
                ctx.fillText(ch, 4, 30);
                return Array.from(ctx.getImageData(0, 0, 40, 40).data).join(',');
            };
            const box = draw(unassigned[0]);
            return {font, letters, boxes: letters.filter((ch) => draw(ch) === box),
                    // Controls: another missing code point is the same box, a
                    // Latin letter is not, so the comparison can tell them apart.
                    control_box: draw(unassigned[1]) === box, control_latin: draw('A') === box};
        }""",
            [UNASSIGNED_THAI, "\u0e7f"],
        )
        context.close()
    assert "Noto Sans Thai" in result["font"] and "Leelawadee UI" in result["font"]
    assert len(result["letters"]) >= 20, result["letters"]  # the page really is Thai
    assert result["control_box"] and not result["control_latin"]
    assert result["boxes"] == [], f"drawn as missing-glyph boxes: {result['boxes']}"
    print(
        f"Thai Overview screenshot: {SCREENSHOT} ({len(result['letters'])} Thai letters, "
        "none a missing-glyph box)"
    )


def test_every_catalog_is_packaged():
    """`pip install .` (make demo) ships each catalog: its folder is a declared package."""
    import tomllib

    settings = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    packages = settings["tool"]["setuptools"]["packages"]
    data = settings["tool"]["setuptools"]["package-data"]
    for path in sorted(LOCALE_DIR.glob("*/LC_MESSAGES/messages.po")):
        package = "generator.locale." + path.parent.parent.name + ".LC_MESSAGES"
        assert package in packages and data.get(package) == ["*.po"], package
    assert "generator.locale" in packages and data["generator.locale"] == ["messages.pot"]
