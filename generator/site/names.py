"""Names made from data: navigation titles, page file names and CRM links, each safe
wherever the site puts it (issues #20, #24)."""

from __future__ import annotations

import hashlib
import html
import re
from collections.abc import Iterable
from urllib.parse import quote

from generator.exceptions import ConfigError
from generator.privacy import EMAIL


def nav_title(value: str) -> str:
    """Return a navigation title made from data, safe in every place the theme puts it.

    The theme inserts nav titles unescaped, and puts them in <title> through
    `striptags`, which unescapes entities again. So `<` and `>` are dropped
    (no title can ever form a tag) and what is left is escaped once.
    """
    return html.escape(" ".join(value.replace("<", " ").replace(">", " ").split()), quote=True)


# A page named after an id keeps the id when it is plainly a name: letters,
# digits, `_` and `-`, not a name a file system or the site reserves.
_PLAIN_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}")


_RESERVED_NAMES = {
    "index",
    "con",
    "prn",
    "aux",
    "nul",
    *(f"com{n}" for n in range(10)),
    *(f"lpt{n}" for n in range(10)),
}


# Runs of seven or more digits (a phone number) and e-mail addresses never
# reach a URL, even of a page that is published anyway.
_PRIVATE_IN_ID = re.compile(EMAIL.pattern + r"|[0-9][0-9 ()+.-]{5,}[0-9]")


def _digest(identifier: str, length: int) -> str:
    return hashlib.sha256(identifier.encode("utf-8", "surrogatepass")).hexdigest()[:length]


def _page_name(identifier: str) -> str:
    if _PLAIN_ID.fullmatch(identifier) and identifier.lower() not in _RESERVED_NAMES:
        return identifier
    words = re.findall(r"[A-Za-z0-9]+", _PRIVATE_IN_ID.sub(" ", identifier))
    slug = "-".join(words)[:40].strip("-")
    return f"{slug}-{_digest(identifier, 10)}" if slug else f"id-{_digest(identifier, 10)}"


def page_names(identifiers: Iterable[str]) -> dict[str, str]:
    """Return a file name (without suffix) for each id's page: inside its folder, one each.

    Page files are named after rep ids from the CRM (issue #24): an id such as
    `../index` or `a/b` must neither leave its folder nor replace another
    page. A plain id stays as it is (`reps/S01.md`); any other becomes a slug
    of its letters and digits with a hash of the whole id. Names that would
    be the same file on a case-insensitive file system get the hash too.
    """
    names = {identifier: _page_name(identifier) for identifier in identifiers}
    for length in (10, 64):
        groups: dict[str, list[str]] = {}
        for identifier, name in names.items():
            groups.setdefault(name.lower(), []).append(identifier)
        clashes = [ids for ids in groups.values() if len(ids) > 1]
        if not clashes:
            return names
        for identifier in (i for ids in clashes for i in ids):
            names[identifier] = f"{_page_name(identifier)}-{_digest(identifier, length)}"
    raise ConfigError(
        "two ids were given the same page name: "
        + ", ".join(repr(i) for ids in clashes for i in ids)
    )


def lead_url(crm_links: dict | None, lead_id: str) -> str | None:
    """Return the CRM's address of a lead record from the crm_links template, or None.

    The id is quoted whole, so no id can change the address's host or path;
    a pseudonymized id (an address as an id, issue #24) gets no link.
    """
    if not crm_links or not lead_id or lead_id.startswith("private-"):
        return None
    values = {key: value for key, value in crm_links.items() if key != "lead"}
    return crm_links["lead"].format(lead_id=quote(str(lead_id), safe=""), **values)
