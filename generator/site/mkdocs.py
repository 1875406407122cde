"""Stage the docs, build them with MkDocs strictly, and publish the site atomically.

Departure from STYLE.md §13 (which writes generated Markdown into
site/docs/reports/): we stage site/docs plus the generated pages in a scratch
folder instead, so a failed or concurrent build never leaves half-written
files among the sources, and the published folder is only ever swapped whole.
"""

from __future__ import annotations

import json
import logging
import os
import re
import shutil
from pathlib import Path

import yaml

from generator import i18n
from generator.exceptions import SiteBuildError
from generator.i18n import N_, gettext
from generator.settings.project import mkdocs_config

log = logging.getLogger(__name__)


# A static page in another language: site/docs/about.th.md is about.md on a Thai site.
_LOCALIZED_PAGE = re.compile(r"^(?P<stem>.+)\.(?P<locale>[a-z]{2,3}(?:_[A-Z]{2})?)\.md$")


def stage_docs(project_dir: Path, docs_dir: Path, files: dict[str, str]) -> None:
    """Copy the static docs into docs_dir and write the generated files over them.

    A page's version in the site's language (`about.th.md`) takes the place of
    the page (`about.md`); the other languages' versions are left out (issue #14).
    """
    if docs_dir.exists():
        shutil.rmtree(docs_dir)
    shutil.copytree(project_dir / "site" / "docs", docs_dir)
    code = i18n.current().code
    for path in sorted(docs_dir.rglob("*.md")):
        match = _LOCALIZED_PAGE.match(path.name)
        if not match:
            continue
        if match["locale"] == code:
            os.replace(path, path.with_name(f"{match['stem']}.md"))
        else:
            path.unlink()
    for relative, content in files.items():
        path = docs_dir / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content, encoding="utf-8")


# The words of mkdocs.yml and of the theme override (site/overrides/main.html),
# translated per build (issue #14). The nav titles and the site's name are
# mkdocs.yml's own; a team that renames one gets its own words, untranslated.
NAV_TITLES = (
    N_("Overview"),
    N_("Agreement"),
    N_("Marketing"),
    N_("Lead hand-off"),
    N_("Sales"),
    N_("Month by month"),
    N_("Plan vs actual"),
    N_("History"),
    N_("KPI definitions"),
    N_("Data quality"),
    N_("About the data"),
    N_("Change a KPI"),
)
SITE_WORDS = (
    N_("Sales & Marketing SLA"),
    N_("The Sales & Marketing Service Level Agreement and live progress against it."),
    N_("Switch to light mode"),
    N_("Switch to dark mode"),
    N_("Switch to the system's mode"),
)
THEME_WORDS = {
    "data_as_of": N_("Data as of"),
    "latest_event": N_("latest event"),
    "built_at": N_("built at"),
    "incomplete_input": N_("Incomplete input"),
    "open_data_quality": N_("Open Data quality"),
}


def theme_words() -> dict:
    """Return the words site/overrides/main.html writes, in the locale in force."""
    return {"sla_words": {key: gettext(word) for key, word in THEME_WORDS.items()}}


def _localize(config: dict, project_dir: Path) -> None:
    """Put mkdocs.yml's words and the theme's language into the locale in force."""
    locale = i18n.current()
    config["theme"]["language"] = locale.theme_language
    for key in ("site_name", "site_description"):
        if config.get(key):
            config[key] = gettext(config[key])
    for palette in config["theme"].get("palette") or []:
        toggle = palette.get("toggle") or {}
        if toggle.get("name"):
            toggle["name"] = gettext(toggle["name"])
    config["nav"] = [
        {gettext(title): target for title, target in entry.items()}
        if isinstance(entry, dict)
        else entry
        for entry in config.get("nav", [])
    ]
    # Abbreviations (MQL, SQL, ...) in the site's language where the project has them.
    for extension in config["markdown_extensions"]:
        if isinstance(extension, dict) and "pymdownx.snippets" in extension:
            options = extension["pymdownx.snippets"]
            localized = []
            for name in options.get("auto_append", []):
                stem, dot, suffix = name.rpartition(".")
                candidate = f"{stem}.{locale.code}{dot}{suffix}"
                found = any(
                    (project_dir / base / candidate).is_file()
                    for base in options.get("base_path", [])
                )
                localized.append(candidate if found else name)
            options["auto_append"] = localized


def write_mkdocs_config(
    project_dir: Path,
    docs_dir: Path,
    site_dir: Path,
    extra: dict,
    config_path: Path,
    nav_children: dict[str, list] | None = None,
) -> Path:
    """Write the effective mkdocs.yml: the project's, with this build's folders and stamp.

    nav_children nests generated pages (one per rep, one per agreement) under
    the nav entry of a page: `- Lead hand-off: handoff.md` becomes a section
    whose first entry, "Lead hand-off overview", is handoff.md (one label,
    one page: several entries called "Overview" told readers nothing, issue #12).
    """
    config = mkdocs_config(project_dir)
    _localize(config, project_dir)
    children = nav_children or {}
    for entry in config.get("nav", []):
        for title, target in list(entry.items()):
            if isinstance(target, str) and children.get(target):
                entry[title] = [
                    {gettext("%(section)s overview") % {"section": title}: target},
                    *children[target],
                ]
    config["docs_dir"] = str(docs_dir)
    config["site_dir"] = str(site_dir)
    config["theme"]["custom_dir"] = str(project_dir / config["theme"]["custom_dir"])
    config["watch"] = [str(project_dir / path) for path in config.get("watch", [])]
    config["extra"] = {**(config.get("extra") or {}), **extra}
    for extension in config["markdown_extensions"]:
        if isinstance(extension, dict) and "pymdownx.snippets" in extension:
            options = extension["pymdownx.snippets"]
            options["base_path"] = [str(project_dir / path) for path in options["base_path"]]
    # MkDocs' own dumper's counterpart: a `!!python/name:` setting loaded as a
    # function is written back as one, and MkDocs' loader reads it again.
    config_path.write_text(
        yaml.dump(config, Dumper=yaml.Dumper, sort_keys=False, allow_unicode=True), encoding="utf-8"
    )
    return config_path


class _WarningCounter(logging.Handler):
    """Keep every MkDocs warning so a strict failure can say what it was."""

    def __init__(self) -> None:
        super().__init__(level=logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def build_site(config_path: Path, cache_dir: Path | None = None) -> None:
    """Run the MkDocs build strictly; raise SiteBuildError listing every warning.

    With a cache_dir, the theme's compiled templates are kept there between builds.
    """
    from mkdocs.commands.build import build
    from mkdocs.config import load_config
    from mkdocs.exceptions import Abort, MkDocsException

    counter = _WarningCounter()
    mkdocs_logger = logging.getLogger("mkdocs")
    mkdocs_logger.addHandler(counter)
    try:
        # Not quiet: quiet mode would hide the warnings that strict mode counts.
        config = load_config(config_file=str(config_path), strict=True)
        if cache_dir is not None:
            _cache_theme_templates(config, cache_dir)
        build(config)
    except (Abort, MkDocsException, OSError) as error:
        details = "\n".join(f"  - {message}" for message in counter.messages)
        raise SiteBuildError(
            f"MkDocs could not build the site strictly: {error}"
            + (f"\n{details}" if details else "")
        ) from error
    finally:
        mkdocs_logger.removeHandler(counter)


def _cache_theme_templates(config, cache_dir: Path) -> None:
    """Give every Jinja environment of the theme a cache of compiled templates (issue #23).

    MkDocs compiles Material's 60 templates afresh in every build: a sixth of
    an agreement-text edit. The environment is MkDocs' (Theme.get_env), keyed
    by the MkDocs and Material versions that set its options.
    """
    from importlib import metadata

    from generator.site.render import template_cache

    cache = template_cache(
        cache_dir, "theme", metadata.version("mkdocs"), metadata.version("mkdocs-material")
    )
    theme = config.theme
    make_env = theme.get_env

    def get_env():
        env = make_env()
        env.bytecode_cache = cache
        return env

    theme.get_env = get_env


SITE_MARKER = ".sla-report-site"
"""The manifest in every site we publish: the files we wrote, and nothing else may be there."""
MANIFEST_FORMAT = "sla-report site manifest 1"
# What `make previous-summary` puts in --out before the nightly build (the
# published record, fetched): a folder holding only these is ours to fill.
PUBLISHED_RECORDS = {"summary.json", "history.json"}


def _files_in(folder: Path) -> set[str]:
    return {
        path.relative_to(folder).as_posix()
        for path in folder.rglob("*")
        if path.is_file() or path.is_symlink()
    }


def _manifest(folder: Path) -> set[str] | None:
    """Return the files the manifest lists; None for a marker of an older release.

    Releases before issue #24 wrote one line of text: such a site is still
    ours, but its files are unknown.
    """
    text = (folder / SITE_MARKER).read_text(encoding="utf-8", errors="replace")
    try:
        manifest = json.loads(text)
    except ValueError:
        return None
    if not isinstance(manifest, dict) or manifest.get("format") != MANIFEST_FORMAT:
        return None
    return {str(name) for name in manifest.get("files", [])}


def check_out_dir(out_dir: Path) -> None:
    """Raise ConfigError unless out_dir is missing, empty, or exactly a site we published.

    `--out` is replaced whole, so a folder holding anything this tool did not
    write there (notes, another site, a file added to a published site) is
    refused and nothing in it is touched (issues #11 and #24).
    """
    from generator.exceptions import ConfigError

    if not out_dir.exists():
        return
    if not out_dir.is_dir():
        raise ConfigError(f"--out {out_dir}: is a file, not a folder")
    # Only the top level of a folder that is not ours is looked at: `--out /`
    # must be refused, not walked.
    entries = list(out_dir.iterdir())
    if all(entry.name in PUBLISHED_RECORDS and entry.is_file() for entry in entries):
        return  # empty, or only the record `make previous-summary` fetched
    if (out_dir / SITE_MARKER).is_file():
        listed = _manifest(out_dir)
        foreign = [] if listed is None else sorted(_files_in(out_dir) - listed - {SITE_MARKER})
        if not foreign:
            return
        shown = ", ".join(foreign[:3]) + (
            f" and {len(foreign) - 3} more" if len(foreign) > 3 else ""
        )
        raise ConfigError(
            f"--out {out_dir}: {shown} {'is' if len(foreign) == 1 else 'are'} "
            "not part of the site sla-report published there; the build would "
            "delete them. Move them out, or choose an empty or new folder. "
            "Nothing was changed."
        )
    raise ConfigError(
        f"--out {out_dir}: the folder holds files that are not a site built "
        f"by sla-report (no {SITE_MARKER} manifest); the build would replace "
        "them. Choose an empty or new folder. Nothing was changed."
    )


def write_manifest(built_dir: Path) -> None:
    """List every file of the built site in its marker, so the next build knows them."""
    files = sorted(_files_in(built_dir) - {SITE_MARKER})
    (built_dir / SITE_MARKER).write_text(
        json.dumps(
            {
                "format": MANIFEST_FORMAT,
                "note": "Built by sla-report. `sla-report build --out` replaces this folder whole, "
                "and only while it holds nothing but these files.",
                "files": files,
            },
            indent=1,
        )
        + "\n",
        encoding="utf-8",
    )


def publish(built_dir: Path, out_dir: Path) -> None:
    """Replace out_dir with built_dir in one rename; the old site is kept until then."""
    check_out_dir(out_dir)  # again: the folder may have changed while dbt ran
    write_manifest(built_dir)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    previous = out_dir.with_name(f".{out_dir.name}-previous")
    if previous.exists():
        shutil.rmtree(previous)
    if out_dir.exists():
        os.replace(out_dir, previous)
    os.replace(built_dir, out_dir)
    if previous.exists():
        shutil.rmtree(previous)
