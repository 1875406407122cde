"""Map the Olist marketing funnel into an SLA Report project and data folder (issue #9).

The "Marketing Funnel by Olist" dataset (Kaggle, CC BY-NC-SA 4.0) is a real
B2B funnel: 8,000 MQLs (sellers asking to join the Olist marketplace,
2017-06 to 2018-05) and the 842 of them who signed up (won deals). It has no
activity log, no web analytics, no deal amounts and no revenue ledger, so it
shows what a team that lacks those systems gets: MQLs and won deals measured,
everything else "no data" with the reason, never 0.

The files are not part of this repository (their licence forbids commercial
use): this script reads them from where they are and writes

- OUT/data: the raw contract files (leads, opportunities, reps) and a
  crm_source.yml declaring lead activities, revenue and web sessions
  unavailable, plus the columns Olist does not record (SQL, acceptance,
  disqualification and proposal dates; deal amounts are left empty);
- OUT/project: a copy of this project with the example's agreement
  (2018-H1, America/Sao_Paulo, written in Portuguese) in place of the
  demo's, and its sla-report.yml: the data folder, the day (2018-06-30),
  and the site in Brazilian Portuguese with amounts in reais (issue #14).

Then: cd OUT/project && sla-report build (and sla-report serve to preview it)

Usage: python examples/olist/map_olist.py [--olist DIR] --out OUT
(default DIR: ../shared/data/real/olist_marketing_funnel next to the project).
"""

from __future__ import annotations

import argparse
import csv
import logging
import shutil
import sys
from datetime import date, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

HERE = Path(__file__).resolve().parent
PROJECT = HERE.parent.parent
DEFAULT_OLIST = PROJECT.parent / "shared" / "data" / "real" / "olist_marketing_funnel"
LEADS_FILE = "olist_marketing_qualified_leads_dataset.csv"
DEALS_FILE = "olist_closed_deals_dataset.csv"
# Olist's timestamps are local to Brazil's commercial centre.
ZONE = ZoneInfo("America/Sao_Paulo")
# Olist's `origin` -> our channels; anything else (unknown, empty) is `other`.
CHANNELS = {"organic_search": "organic_search", "paid_search": "paid_search",
            "social": "social", "email": "email", "referral": "referral",
            "direct_traffic": "direct", "display": "paid_search",
            "other_publicities": "other", "other": "other"}
SETTINGS = """\
# Olist records MQLs and won deals only: declare what it does not have, so
# the report shows "no data" for the KPIs that need it instead of zeros.
source: contract
unavailable:
  - lead_activities   # no SDR contact log: the hand-off clock cannot run
  - revenue           # no revenue ledger
  - web_sessions      # no web analytics
  - leads.sql_at      # no SQL stage
  - leads.sal_at      # no acceptance by sales
  - leads.disqualified_at   # no record of rejected MQLs
  - opportunities.proposal_sent_at
# Deal amounts are left empty (declared_monthly_revenue is self-reported, not
# a deal size): unknown amounts are no data, never $0 (issue #7).
"""
PROJECT_PARTS = ("models", "macros", "seeds", "data-tests", "site")
PROJECT_FILES = ("dbt_project.yml", "profiles.yml", "mkdocs.yml")

log = logging.getLogger("map_olist")


def utc_text(moment: datetime) -> str:
    """Return an aware datetime as ISO 8601 UTC text."""
    return moment.astimezone(ZoneInfo("UTC")).strftime("%Y-%m-%dT%H:%M:%SZ")


def read(path: Path) -> list[dict]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def write(path: Path, columns: list[str], rows: list[dict]) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns, lineterminator="\n")
        writer.writeheader()
        for row in rows:
            writer.writerow({column: row.get(column, "") for column in columns})


def map_data(olist: Path, out: Path) -> dict[str, int]:
    """Write the contract files for Olist into out; return rows written per table."""
    out.mkdir(parents=True, exist_ok=True)
    mqls = read(olist / LEADS_FILE)
    deals = read(olist / DEALS_FILE)
    won = {deal["mql_id"]: deal for deal in deals}
    leads, asked = [], {}
    for mql in mqls:
        # The first contact request is the MQL; Olist gives its day only:
        # taken at noon São Paulo time, so it stays on that local day.
        moment = datetime.combine(date.fromisoformat(mql["first_contact_date"]), time(12),
                                  tzinfo=ZONE)
        deal = won.get(mql["mql_id"])
        asked[mql["mql_id"]] = utc_text(moment)
        leads.append({
            "lead_id": mql["mql_id"], "created_at": utc_text(moment),
            "mql_at": utc_text(moment),
            "source": CHANNELS.get(mql["origin"], "other"),
            "owner_id": deal["sdr_id"] if deal else "",
        })
    opportunities = []
    for deal in deals:
        signed = datetime.fromisoformat(deal["won_date"]).replace(tzinfo=ZONE)
        opportunities.append({
            # Olist lists won deals only. The deal opens when an SDR takes up
            # the request (the MQL's day): a sales cycle from the won day
            # itself would be a false 0 days.
            "opportunity_id": f"won-{deal['mql_id']}", "lead_id": deal["mql_id"],
            "account_name": deal["business_segment"] or "unknown segment",
            "created_at": asked[deal["mql_id"]], "stage": "closed_won",
            "closed_at": utc_text(signed), "owner_id": deal["sr_id"],
        })
    reps = {}
    for deal in deals:
        for role, key in (("SDR", "sdr_id"), ("SR", "sr_id")):
            if deal[key]:
                reps[deal[key]] = {"rep_id": deal[key], "rep_name": f"{role} {deal[key][:6]}",
                                   "team": "sales", "started_on": "2017-01-01"}
    from_contract = {
        "leads": ["lead_id", "created_at", "email", "full_name", "company", "source",
                  "owner_id", "mql_at", "sal_at", "sql_at", "disqualified_at",
                  "disqualified_reason"],
        "opportunities": ["opportunity_id", "lead_id", "account_name", "created_at", "stage",
                          "amount", "proposal_sent_at", "closed_at", "owner_id", "lost_reason"],
        "reps": ["rep_id", "rep_name", "team", "started_on", "ended_on"],
    }
    write(out / "leads.csv", from_contract["leads"], leads)
    write(out / "opportunities.csv", from_contract["opportunities"], opportunities)
    write(out / "reps.csv", from_contract["reps"], sorted(reps.values(),
                                                           key=lambda r: r["rep_id"]))
    (out / "crm_source.yml").write_text(SETTINGS, encoding="utf-8")
    return {"leads": len(leads), "opportunities": len(opportunities), "reps": len(reps)}


PROJECT_SETTINGS = """\
# The Olist example's settings (written by examples/olist/map_olist.py).
data: ../data
as_of: 2018-06-30
locale: pt_BR
currency: BRL
"""


def make_project(project: Path) -> Path:
    """Copy this project into `project` with the Olist agreement instead of the demo's."""
    project.mkdir(parents=True, exist_ok=True)
    for name in PROJECT_PARTS:
        shutil.copytree(PROJECT / name, project / name, dirs_exist_ok=True)
    for name in PROJECT_FILES:
        shutil.copy2(PROJECT / name, project / name)
    # Olist's MQL sample ends on 2018-05-31 while deals are won through June:
    # a historical extract, not a stalled nightly export, so the build may
    # evaluate 30 days past the last MQL (the page still warns about it).
    settings = project / "dbt_project.yml"
    text = settings.read_text(encoding="utf-8")
    if "max_data_age_days: 7" not in text:
        raise SystemExit(f"{settings}: expected the max_data_age_days var")
    settings.write_text(text.replace("max_data_age_days: 7", "max_data_age_days: 45"),
                        encoding="utf-8")
    # The project's settings (issue #22): its data folder and day, and a
    # Brazilian team's site, Portuguese words and amounts in reais (issue #14).
    # Build, serve and the hints they print all read them.
    (project / "sla-report.yml").write_text(PROJECT_SETTINGS, encoding="utf-8")
    for path in (project / "seeds" / "reference").glob("*.csv"):
        path.unlink()
    for path in (HERE / "reference").glob("*.csv"):
        shutil.copy2(path, project / "seeds" / "reference" / path.name)
    shutil.rmtree(project / "site" / "agreements")
    shutil.copytree(HERE / "agreements", project / "site" / "agreements")
    return project


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--olist", type=Path, default=DEFAULT_OLIST,
                        help="folder with the two Olist CSV files")
    parser.add_argument("--out", type=Path, required=True,
                        help="folder to write data/ and project/ into")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    if not (args.olist / LEADS_FILE).is_file():
        log.error("%s: no %s there (download 'Marketing Funnel by Olist' from Kaggle)",
                  args.olist, LEADS_FILE)
        return 3
    counts = map_data(args.olist, args.out / "data")
    project = make_project(args.out / "project")
    log.info("wrote %s", ", ".join(f"{n} {t}" for t, n in counts.items()))
    log.info("build it: cd %s && sla-report build", project)
    return 0


if __name__ == "__main__":
    sys.exit(main())
