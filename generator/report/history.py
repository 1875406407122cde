"""The record of closed periods (history.json): each final period's KPI figures as closed.

When a period closes, its final figures are what was agreed (issue #7). The
first build that sees a period final records every KPI's value, target,
status and a hash of the definitions that produced them. Every later build
reads the record back from the published site (like summary.json), carries
it forward unchanged, and notes when today's definitions or data give a
different figure: the pages then show the figure as closed beside the
recomputed one. No lead data is in the file: only KPI figures and labels.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
import math
from datetime import date
from pathlib import Path

from generator.exceptions import ConfigError
from generator.report.data import ReportData
from generator.report.kpi_views import KpiView
from generator.report.kpis import TRANSLATED_KEY, KpiDefinition

log = logging.getLogger(__name__)

HISTORY_NAME = "history.json"
SCHEMA_VERSION = 1
# The report model that turns each KPI's value into its target and status:
# its SQL is part of every KPI's definition.
SCORECARD_MODEL = "rpt_kpi_scorecard"
# Vars the CLI sets for one build (the as-of day, where the raw files are):
# they say which data is read, not how a KPI is defined.
BUILD_VARS = frozenset({"as_of", "raw_files", "load_source_data", "input_models"})
# What a closed period's record holds per KPI -> the KpiView field and
# rpt_kpi_scorecard column it comes from. The first three are the figures
# compared with today's; the others qualify the value as the page shows it.
RECORDED = {
    "value": "actual",
    "target": "target",
    "status": "status",
    "sample_size": "sample_size",
    "is_lower_bound": "is_lower_bound",
    "all_sources": "actual_all_sources",
    "provisional_until": "provisional_until",
}
FIGURES = ("value", "target", "status")
# rpt_kpi_scorecard.exception_rank of a final period: its misses, then no data.
FINAL_EXCEPTIONS = {"missed": 1, "no_data": 2}


# -- the definition hash ---------------------------------------------------------


def _untranslated(meta: dict | None) -> dict | None:
    """Return meta.kpi without its translations: a title in Thai changes no definition."""
    if not meta:
        return meta
    return {
        key: value
        for key, value in meta.items()
        if key != "translations" and not TRANSLATED_KEY.match(str(key))
    }


def definition_hashes(
    manifest: dict, definitions: list[KpiDefinition], project_vars: dict
) -> dict[str, str]:
    """Return each KPI's definition hash: a sha256 over everything that defines it.

    That is the Jinja SQL of the KPI's model and of every model it is built
    from, the scorecard's SQL and its own inputs (targets, statuses), the
    project's macros they call, the KPI's YAML description and meta, and the
    project's vars. Jinja source rather than compiled SQL, because compiled
    SQL holds the as-of day and the raw file paths, which change every night
    without changing any definition. Seeds are data, not definitions.
    """
    nodes = manifest["nodes"]
    models = {node["name"]: uid for uid, node in nodes.items() if node["resource_type"] == "model"}
    kpi_models = {d.model for d in definitions}
    scorecard_inputs: set[str] = set()
    if SCORECARD_MODEL in models:
        scorecard = models[SCORECARD_MODEL]
        scorecard_inputs.add(scorecard)
        for parent in nodes[scorecard]["depends_on"]["nodes"]:
            if nodes.get(parent, {}).get("name") not in kpi_models:
                scorecard_inputs |= _lineage(nodes, parent)
    shared_vars = {
        key: value for key, value in sorted(project_vars.items()) if key not in BUILD_VARS
    }
    hashes = {}
    for definition in definitions:
        lineage = _lineage(nodes, models[definition.model]) | scorecard_inputs
        column = nodes[models[definition.model]]["columns"][definition.kpi_id]
        parts = {
            "kpi": definition.kpi_id,
            "description": " ".join((column.get("description") or "").split()),
            "meta": _untranslated(
                (column.get("meta") or {}).get("kpi")
                or (column.get("config", {}).get("meta") or {}).get("kpi")
            ),
            "vars": shared_vars,
            "models": {
                nodes[uid]["name"]: nodes[uid].get("raw_code", "")
                for uid in sorted(lineage)
                if nodes[uid]["resource_type"] == "model"
            },
            "macros": _macro_sources(manifest, lineage),
        }
        text = json.dumps(parts, sort_keys=True, default=str, ensure_ascii=False)
        hashes[definition.kpi_id] = "sha256:" + hashlib.sha256(text.encode()).hexdigest()
    return hashes


def _lineage(nodes: dict, uid: str) -> set[str]:
    """Return the node and every node it is built from."""
    found, todo = set(), [uid]
    while todo:
        current = todo.pop()
        if current in found or current not in nodes:
            continue
        found.add(current)
        todo.extend(nodes[current].get("depends_on", {}).get("nodes", []))
    return found


def _macro_sources(manifest: dict, lineage: set[str]) -> dict[str, str]:
    """Return the project's own macros the lineage calls (directly or through a macro)."""
    macros = manifest.get("macros", {})
    project = manifest.get("metadata", {}).get("project_name")
    todo = [
        m for uid in lineage for m in manifest["nodes"][uid].get("depends_on", {}).get("macros", [])
    ]
    sources: dict[str, str] = {}
    while todo:
        uid = todo.pop()
        macro = macros.get(uid)
        # dbt's own macros change with dbt upgrades, not with our definitions.
        if uid in sources or macro is None or macro.get("package_name") != project:
            continue
        sources[uid] = macro.get("macro_sql", "")
        todo.extend(macro.get("depends_on", {}).get("macros", []))
    return dict(sorted(sources.items()))


# -- reading, merging and writing the record ----------------------------------------


def read_history(out_dir: Path) -> dict | None:
    """Return the record of the published site; None if it has none (a first build).

    An unreadable record stops the build: starting a new one would silently
    replace the figures as closed with today's.
    """
    path = out_dir / HISTORY_NAME
    if not path.exists():
        return None
    try:
        history = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise ConfigError(_unreadable(path, str(error))) from error
    if not isinstance(history, dict) or not isinstance(history.get("periods"), list):
        raise ConfigError(_unreadable(path, "it has no list of periods"))
    if history.get("schema_version") != SCHEMA_VERSION:
        raise ConfigError(
            _unreadable(
                path, f"schema_version {history.get('schema_version')!r} is not {SCHEMA_VERSION}"
            )
        )
    for period in history["periods"]:
        problem = _malformed(period)
        if problem:
            raise ConfigError(_unreadable(path, problem))
    return history


def _malformed(period: object) -> str | None:
    """Return what is missing from one recorded period, if anything."""
    if not isinstance(period, dict) or not isinstance(period.get("kpis"), list):
        return "a period without a list of KPIs"
    where = f"period {period.get('agreement_id')!r}"
    missing = [
        key
        for key in ("agreement_id", "title", "period_start_date", "recorded_at", "recorded_as_of")
        if not isinstance(period.get(key), str)
    ]
    if missing:
        return f"{where} has no {missing[0]}"
    for kpi in period["kpis"]:
        parts = ("as_closed", "definition", "recomputed")
        if not isinstance(kpi, dict) or not all(isinstance(kpi.get(p), dict) for p in parts):
            return f"{where}: a KPI without {', '.join(parts)}"
        if (
            "definition_hash" not in kpi["as_closed"]
            or "since" not in kpi["recomputed"]
            or "hash" not in kpi["definition"]
        ):
            return f"{where}: KPI {kpi.get('id')!r} is missing its hash or dates"
    return None


def _unreadable(path: Path, why: str) -> str:
    return (
        f"{path} cannot be read ({why}). It holds the figures of closed periods as "
        f"they were agreed; restore it from the published site, or delete it to "
        f"start a new record from today's figures."
    )


def merge_history(
    previous: dict | None,
    agreements: list[dict],
    views: dict[str, list[KpiView]],
    hashes: dict[str, str],
    built_at: str,
    as_of: str,
) -> dict:
    """Return this build's record: `previous` carried forward, new final periods added.

    `views` holds each agreement's KPIs as computed today. A KPI recorded
    before keeps its figures as closed; today's figures go beside them.
    """
    periods = {p["agreement_id"]: p for p in (previous or {}).get("periods", [])}
    for agreement in agreements:
        if agreement["period_state"] != "final":
            continue
        agreement_id = agreement["agreement_id"]
        old = periods.get(agreement_id)
        period = {
            "agreement_id": agreement_id,
            "title": agreement["title"],
            "period_start_date": _iso(agreement["period_start_date"]),
            "period_end_date": _iso(agreement["period_end_date"]),
            "recorded_at": old["recorded_at"] if old else built_at,
            "recorded_as_of": old["recorded_as_of"] if old else as_of,
        }
        kpis = {k["id"]: k for k in (old or {}).get("kpis", [])}
        for view in views.get(agreement_id, []):
            kpis[view.kpi_id] = _merge_kpi(
                kpis.get(view.kpi_id), view, hashes[view.kpi_id], built_at, as_of
            )
        period["kpis"] = list(kpis.values())
        periods[agreement_id] = period
    for agreement_id in periods.keys() - {a["agreement_id"] for a in agreements}:
        log.warning(
            "%s records agreement %s, which this build does not have; its record is kept",
            HISTORY_NAME,
            agreement_id,
        )
    order = {a["agreement_id"]: i for i, a in enumerate(agreements)}
    return {
        "schema_version": SCHEMA_VERSION,
        "built_at": built_at,
        "as_of": as_of,
        "periods": sorted(
            periods.values(),
            key=lambda p: (order.get(p["agreement_id"], len(order)), p["period_start_date"]),
        ),
    }


def _merge_kpi(
    old: dict | None, view: KpiView, definition_hash: str, built_at: str, as_of: str
) -> dict:
    """Return one KPI's record: as closed (never rewritten once final), and as recomputed.

    Issue #19: a cohort rate recorded while its cohort had not matured
    (`provisional_until`) is provisional: each build records it afresh until
    one records it matured; from then on it is fixed like any other figure.
    """
    # A final period's status is met or missed (or why it cannot be judged),
    # exactly what its pages show.
    figures = {key: _plain(getattr(view, field)) for key, field in RECORDED.items()}
    if old is not None and old["as_closed"].get("provisional_until"):
        old = None  # still provisional: recorded again from today's figures
    if old is None:
        as_closed = {
            **figures,
            "definition_hash": definition_hash,
            "recorded_at": built_at,
            "as_of": as_of,
        }
        definition = {"hash": definition_hash, "since": built_at}
        recomputed = {**figures, "since": built_at}
    else:
        as_closed = old["as_closed"]
        definition = (
            old["definition"]
            if old["definition"]["hash"] == definition_hash
            else {"hash": definition_hash, "since": built_at}
        )
        recomputed = {
            **figures,
            "since": old["recomputed"]["since"] if _same(old["recomputed"], figures) else built_at,
        }
    if _same(as_closed, figures):
        change = None
    elif definition_hash != as_closed["definition_hash"]:
        change = {"reason": "definition", "since": definition["since"]}
    else:
        change = {"reason": "data", "since": recomputed["since"]}
    return {
        "id": view.kpi_id,
        "title": view.title,
        "unit": view.unit,
        "as_closed": as_closed,
        "definition": definition,
        "recomputed": recomputed,
        "change": change,
    }


def _same(a: dict, b: dict) -> bool:
    """Return whether two sets of figures agree (values to float noise, status exactly)."""
    for key in FIGURES:
        x, y = a.get(key), b.get(key)
        if isinstance(x, int | float) and isinstance(y, int | float):
            if not math.isclose(x, y, rel_tol=1e-9, abs_tol=1e-12):
                return False
        elif x != y:
            return False
    return True


def _plain(value):
    """Return a figure as JSON holds it (a date as ISO text)."""
    return value.isoformat() if isinstance(value, date) else value


def _iso(value: date | str) -> str:
    return value.isoformat() if isinstance(value, date) else str(value)


def write_history(site_dir: Path, history: dict) -> Path:
    """Write history.json into the built site folder (it is published with it)."""
    path = site_dir / HISTORY_NAME
    path.write_text(json.dumps(history, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


# -- what the pages show -------------------------------------------------------------


def as_closed(data: ReportData, history: dict) -> ReportData:
    """Return the report data with every final period's KPIs at their figures as closed.

    Every page, the agreement texts and summary.json then show what was agreed;
    the recomputed figures are shown beside them only where they differ
    (`restatements`). The agreement rows' headline counts are recounted from
    the recorded statuses so they agree with the KPI tables.
    """
    final = {a["agreement_id"] for a in data.agreements if a["period_state"] == "final"}
    recorded = {
        (p["agreement_id"], k["id"]): k["as_closed"]
        for p in history["periods"]
        if p["agreement_id"] in final
        for k in p["kpis"]
    }
    scorecard = []
    for row in data.scorecard:
        closed = recorded.get((row["agreement_id"], row["kpi_id"]))
        if closed is not None:
            row = {
                **row,
                **{
                    column: closed[key]
                    for key, column in RECORDED.items()
                    if key in closed and column in row
                },
                "is_target_met": closed["status"] == "met",
            }
            if isinstance(row.get("provisional_until"), str):
                row["provisional_until"] = date.fromisoformat(row["provisional_until"])
            if "exception_rank" in row:
                # rpt_kpi_scorecard's ranking of a final period, for the status as closed.
                row["exception_rank"] = FINAL_EXCEPTIONS.get(closed["status"])
        scorecard.append(row)
    agreements = []
    for agreement in data.agreements:
        if agreement["agreement_id"] in final:
            agreement = _recounted(
                agreement, [r for r in scorecard if r["agreement_id"] == agreement["agreement_id"]]
            )
        agreements.append(agreement)
    return dataclasses.replace(data, scorecard=scorecard, agreements=agreements)


def _recounted(agreement: dict, rows: list[dict]) -> dict:
    """Return a final agreement row with its headline figures taken from its KPI rows.

    Every `kpis_<status>` count the row has is recounted, whatever the statuses
    are, so the counts agree with the statuses the KPI tables show.
    """
    counts = {key: 0 for key in agreement if key.startswith("kpis_")}
    for row in rows:
        if f"kpis_{row['status']}" in counts:
            counts[f"kpis_{row['status']}"] += 1
    counts.update(
        kpis_target_met=sum(1 for r in rows if r["is_target_met"]),
        kpis_with_target=sum(1 for r in rows if r["target"] is not None),
        kpis_total=len(rows),
        kpis_provisional=sum(1 for r in rows if r.get("provisional_until")),
    )
    revenue = next((r for r in rows if r["kpi_id"] == "new_revenue"), None)
    goal = agreement.get("revenue_goal")
    figures: dict[str, object] = {}
    if revenue is not None:
        figures.update(
            new_revenue=None if revenue["status"] == "no_data" else revenue["actual"] or 0,
            revenue_status=revenue["status"],
            revenue_goal_attainment=revenue["actual"] / goal
            if revenue["actual"] is not None and goal
            else None,
        )
    recounted = {**counts, **figures}
    return {**agreement, **{k: v for k, v in recounted.items() if k in agreement}}


def restatements(history: dict, agreements: list[dict]) -> dict[str, list[dict]]:
    """Return, per final agreement, its KPIs whose recomputed figures differ from the record."""
    final = {a["agreement_id"] for a in agreements if a["period_state"] == "final"}
    found: dict[str, list[dict]] = {}
    for period in history["periods"]:
        if period["agreement_id"] not in final:
            continue
        for kpi in period["kpis"]:
            if kpi.get("change") is None:
                continue
            found.setdefault(period["agreement_id"], []).append(
                {
                    "agreement_id": period["agreement_id"],
                    "agreement_title": period["title"],
                    "kpi_id": kpi["id"],
                    "title": kpi["title"],
                    "unit": kpi["unit"],
                    # Every recorded key, also for a record older than one of them.
                    "as_closed": {key: kpi["as_closed"].get(key) for key in RECORDED},
                    "recomputed": {key: kpi["recomputed"].get(key) for key in RECORDED},
                    "reason": kpi["change"]["reason"],
                    "since": date.fromisoformat(kpi["change"]["since"][:10]),
                    "recorded_on": date.fromisoformat(period["recorded_at"][:10]),
                }
            )
    return found
