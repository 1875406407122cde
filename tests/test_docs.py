"""The documentation the README links (issue #22): every link resolves, and
the pages build as a site with the same MkDocs, strictly (a broken link
between pages fails the build)."""

from __future__ import annotations

import re
import subprocess
import sys

import yaml

from tests.conftest import ROOT

DOCS = ROOT / "docs"
LINK = re.compile(r"\]\(([^)#\s]+)(?:#[^)]*)?\)")


def _nav_pages(nav) -> list[str]:
    pages = []
    for entry in nav:
        for value in entry.values():
            pages += _nav_pages(value) if isinstance(value, list) else [value]
    return pages


def test_every_relative_link_of_the_readme_points_at_a_file():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    targets = [t for t in LINK.findall(readme) if not t.startswith(("http:", "https:"))]
    assert any(t.startswith("docs/") for t in targets)
    missing = [t for t in targets if not (ROOT / t).exists()]
    assert missing == []


def test_the_readme_is_a_quick_start_that_links_every_docs_page():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    # One screen before the first reference link; the two commands come first.
    assert readme.index("make demo") < readme.index("make test") < 800
    assert len(readme.splitlines()) <= 120
    pages = {path.name for path in DOCS.glob("*.md")} - {"index.md"}
    assert {name for name in pages if f"(docs/{name})" not in readme} == set()


def test_every_docs_page_is_in_the_nav_and_the_site_builds_strictly(tmp_path):
    config = yaml.load(
        (ROOT / "mkdocs.docs.yml").read_text(encoding="utf-8"), Loader=yaml.BaseLoader
    )
    pages = {path.name for path in DOCS.glob("*.md")}
    assert set(_nav_pages(config["nav"])) == pages
    out = tmp_path / "docs-site"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "mkdocs",
            "build",
            "--strict",
            "-f",
            "mkdocs.docs.yml",
            "-d",
            str(out),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    for page in pages:
        assert (out / page.replace(".md", ".html")).is_file(), page
