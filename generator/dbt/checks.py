"""The checks of each model's one `checks` data test (issue #23), by name.

dbt runs a model's column checks as one test node (data-tests/generic/checks.sql)
and reports only how many rows the test returned. These functions name each
check from the test's YAML arguments, the way the test's SQL names it, and read
which ones failed from the test's stored failures after dbt has finished.
"""

from __future__ import annotations

import re

CHECKS_TEST = "checks"
KINDS = ("not_null", "unique", "accepted_values", "relationships", "expression_is_true")
_REF = re.compile(r"""^\s*ref\(\s*['"]([^'"]+)['"](?:\s*,\s*['"]([^'"]+)['"])?\s*\)\s*$""")


def _words(text) -> str:
    """Return text with its whitespace runs (a folded YAML expression's lines) as single spaces."""
    return " ".join(str(text).split())


def check_name(check: dict) -> str:
    """Return one check's name, as the checks test's SQL spells it (macros/checks.sql)."""
    if check.get("name"):
        name = str(check["name"])
    elif "relationships" in check:
        found = _REF.match(str(check.get("to", "")))
        to = (found.group(2) or found.group(1)) if found else str(check.get("to"))
        name = f"relationships({check['relationships']} -> {to}.{check.get('field')})"
    else:
        kind = next((kind for kind in KINDS if kind in check), "check")
        name = f"{kind}({_words(check.get(kind, ''))})"
    if check.get("where"):
        name += f" where {_words(check['where'])}"
    return name


def check_names(test_metadata: dict | None) -> list[str]:
    """Return the names of a checks test's checks; [] for any other test."""
    if not test_metadata or test_metadata.get("name") != CHECKS_TEST:
        return []
    return [check_name(check) for check in test_metadata.get("kwargs", {}).get("checks") or []]


def read_failing_checks(connection, relation: str) -> list[tuple[str, int]]:
    """Return (check name, failing rows) stored by a failed checks test, worst first.

    `connection` is a DB-API connection (DuckDB's, or a dbt adapter's
    handle); `relation` is the test's stored-failures table or view.
    """
    cursor = connection.cursor()
    cursor.execute(f"select check_name, failing_rows from {relation}")
    rows = [(str(name), int(count)) for name, count in cursor.fetchall()]
    return sorted(rows, key=lambda row: (-row[1], row[0]))
