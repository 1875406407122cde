"""Where one KPI comes from: the SQL of just its column, and the raw tables behind it.

A KPI model follows the house shape (STYLE.md §6): import CTEs, one-job CTEs,
a `final` CTE that selects every column, `select * from final`. So the SQL
of one KPI is its expression in the select list that defines it, the joins
of the CTEs that expression reads, and those CTEs (and the ones they read,
transitively): the rest of the model is about other columns.

When a model does not have that shape (no CTEs, or the column cannot be
found in a select list), the excerpt is the whole compiled model: longer,
never wrong.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_JOIN = re.compile(r"\b(?:(?:left|right|full|inner|cross)\s+(?:outer\s+)?)?join\b", re.I)


@dataclass(frozen=True)
class Cte:
    """One common table expression of a compiled model."""

    name: str
    body: str
    """The query inside the parentheses."""


@functools.lru_cache(maxsize=1024)
def _mask(sql: str) -> str:
    """Return sql with string literals, quoted names and comments blanked (same length).

    Lets the scanners below find keywords, commas and parentheses at the top
    level without being fooled by `'a, b'` or `-- (`.
    """
    out = list(sql)
    index, length = 0, len(sql)
    while index < length:
        char = sql[index]
        if char in "'\"":
            end = index + 1
            while end < length and not (sql[end] == char and sql[end + 1 : end + 2] != char):
                end += 2 if sql[end] == char else 1
            for position in range(index + 1, min(end, length)):
                out[position] = " "
            index = end + 1
        elif sql.startswith("--", index):
            end = sql.find("\n", index)
            end = length if end < 0 else end
            for position in range(index, end):
                out[position] = " "
            index = end
        elif sql.startswith("/*", index):
            end = sql.find("*/", index + 2)
            end = length if end < 0 else end + 2
            for position in range(index, end):
                out[position] = " " if sql[position] != "\n" else "\n"
            index = end
        else:
            index += 1
    return "".join(out)


def _closing(masked: str, opening: int) -> int:
    """Return the index of the parenthesis closing the one at `opening`."""
    depth = 0
    for index in range(opening, len(masked)):
        if masked[index] == "(":
            depth += 1
        elif masked[index] == ")":
            depth -= 1
            if depth == 0:
                return index
    raise ValueError("unbalanced parentheses")


def split_ctes(sql: str) -> tuple[list[Cte], str]:
    """Return the model's CTEs in order and its final statement."""
    masked = _mask(sql)
    start = re.search(r"\bwith\b", masked, re.I)
    if start is None:
        return [], sql
    ctes: list[Cte] = []
    position = start.end()
    while True:
        header = re.compile(r"\s*([A-Za-z_][A-Za-z0-9_]*)\s+as\s*\(", re.I).match(masked, position)
        if header is None:
            raise ValueError("not a CTE list")
        close = _closing(masked, header.end() - 1)
        ctes.append(Cte(header.group(1), sql[header.end() : close].strip("\n")))
        comma = re.compile(r"\s*,").match(masked, close + 1)
        if comma is None:
            return ctes, sql[close + 1 :].strip()
        position = comma.end()


def _top_level_split(text: str, masked: str) -> list[str]:
    """Return text split at commas outside parentheses."""
    parts, depth, last = [], 0, 0
    for index, char in enumerate(masked):
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        elif char == "," and depth == 0:
            parts.append(text[last:index])
            last = index + 1
    parts.append(text[last:])
    return parts


def _select_parts(query: str) -> tuple[list[str], str] | None:
    """Return (select-list items, the rest from `from` on) of a simple select."""
    masked = _mask(query)
    select = re.match(r"\s*select\b", masked, re.I)
    if select is None:
        return None
    depth = 0
    for index in range(select.end(), len(masked)):
        char = masked[index]
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        elif (
            depth == 0
            and re.match(r"\bfrom\b", masked[index : index + 5], re.I)
            and not masked[index - 1 : index].isalnum()
            and masked[index - 1] != "_"
        ):
            items = _top_level_split(query[select.end() : index], masked[select.end() : index])
            return [item.strip() for item in items], query[index:]
    return None


def _defines(item: str, column: str) -> bool:
    """Return whether a select-list item produces the column."""
    flat = " ".join(item.split())
    return bool(re.search(rf"(?:\bas\s+|\.|^){re.escape(column)}$", flat, re.I))


def _names_in(text: str, names: set[str]) -> set[str]:
    return {token for token in _IDENTIFIER.findall(_mask(text)) if token in names}


def _used_joins(rest: str, used: set[str]) -> str:
    """Return the from clause keeping the base table and only the joins of `used` CTEs."""
    masked = _mask(rest)
    cuts = [match.start() for match in _JOIN.finditer(masked)]
    segments = [rest[start:end] for start, end in zip([0, *cuts], [*cuts, len(rest)], strict=True)]
    kept = [segments[0].rstrip()]
    for segment in segments[1:]:
        joined = _IDENTIFIER.findall(_mask(_JOIN.sub("", segment, count=1)))
        if joined and joined[0] in used:
            kept.append(segment.rstrip())
    return "\n".join(line for line in "\n".join(kept).splitlines() if line.strip())


def column_excerpt(compiled_sql: str, column: str) -> str:
    """Return the SQL computing one column: its expression, joins and the CTEs it reads."""
    try:
        ctes, statement = split_ctes(compiled_sql)
    except ValueError:
        return compiled_sql.strip()
    by_name = {cte.name: cte for cte in ctes}
    # The select that defines the column: the final statement, else the CTE it
    # selects * from (`select * from final`), else the last CTE naming it.
    candidates = [statement]
    star = re.match(r"\s*select\s+\*\s+from\s+([A-Za-z_]\w*)\s*$", _mask(statement), re.I)
    if star and star.group(1) in by_name:
        candidates = [by_name[star.group(1)].body]
    candidates += [cte.body for cte in reversed(ctes)]
    for query in candidates:
        parts = _select_parts(query)
        if parts is None:
            continue
        items, rest = parts
        matching = [item for item in items if _defines(item, column)]
        if not matching:
            continue
        expression = matching[0]
        own = next((cte.name for cte in ctes if cte.body is query), None)
        names = set(by_name) - {own}
        used = _names_in(expression, names)
        from_names = _names_in(rest, names)
        base = _IDENTIFIER.findall(_mask(rest)[4:])[:1]
        used |= set(base) & from_names
        clause = _used_joins(rest, used)
        needed = _closure(used | _names_in(clause, names), by_name)
        body = ",\n\n".join(f"{cte.name} as (\n{cte.body}\n)" for cte in ctes if cte.name in needed)
        select = f"select\n    {expression}\n{_dedent(clause)}"
        return (f"with\n\n{body}\n\n{select}" if body else select).strip()
    return compiled_sql.strip()


def _dedent(text: str) -> str:
    lines = text.splitlines()
    indents = [len(line) - len(line.lstrip()) for line in lines[1:] if line.strip()]
    first = lines[0].strip() if lines else ""
    trim = min(indents, default=0)
    return "\n".join([first, *(line[trim:] for line in lines[1:])])


def _closure(start: set[str], ctes: dict[str, Cte]) -> set[str]:
    """Return the CTEs in start plus every CTE they read, transitively."""
    seen: set[str] = set()
    queue = list(start)
    while queue:
        name = queue.pop()
        if name in seen or name not in ctes:
            continue
        seen.add(name)
        queue.extend(_names_in(ctes[name].body, set(ctes) - seen))
    return seen


def upstream_sources(
    manifest: dict, unique_id: str, compiled_excerpt: str | None = None
) -> tuple[list[str], list[str]]:
    """Return (raw tables, reference seeds) a model reads, walking dbt's parent map.

    With an excerpt, only the relations the excerpt names are followed, so a
    KPI lists the raw tables behind its own column, not the whole model's.
    """
    nodes = manifest.get("nodes", {})
    sources = manifest.get("sources", {})
    parent_map = manifest.get("parent_map", {})
    start = parent_map.get(unique_id, [])
    if compiled_excerpt is not None:
        named = [
            parent
            for parent in start
            if (nodes.get(parent) or sources.get(parent) or {}).get("relation_name")
            and nodes.get(parent, sources.get(parent, {}))["relation_name"] in compiled_excerpt
        ]
        start = named or start
    raw: set[str] = set()
    reference: set[str] = set()
    seen: set[str] = set()
    queue = list(start)
    while queue:
        parent = queue.pop()
        if parent in seen:
            continue
        seen.add(parent)
        if parent in sources:
            source = sources[parent]
            raw.add(f"{source['source_name']}.{source['name']}")
            continue
        node = nodes.get(parent, {})
        if node.get("resource_type") == "seed":
            (raw if "/raw/" in node.get("original_file_path", "") else reference).add(node["name"])
            continue
        queue.extend(parent_map.get(parent, []))
    # A raw seed stands in for its source table in the demo: name the table once.
    names = {name.split(".")[-1] for name in raw if "." in name}
    raw = {name for name in raw if "." in name or name not in names}
    return sorted(raw), sorted(reference)
