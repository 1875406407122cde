"""The exports small teams have, written from the demo rows (issue #21).

A HubSpot UI export (contacts, deals and optionally calls, meetings and
e-mails, with property labels for headers, label values, owners by name and
local date-times to the minute) in either label set of the lifecycle-stage
dates, and a Salesforce report export (field labels, US-locale dates,
amounts with their currency, owners by name, a footer block). Each writer
returns the contract tables the export means, for tests/independent.py:
the meaning of tests/crm_exports.py's Fivetran and Data Loader exports, with
owners named and times cut to the minute as these exports show them.
"""

from __future__ import annotations

from pathlib import Path
from zoneinfo import ZoneInfo

from tests.crm_exports import (
    SF_SETTINGS,
    hubspot_export,
    parse,
    read_rows,
    salesforce_export,
    write_rows,
)

ZONE = ZoneInfo("America/Chicago")
HS_LABELS = {
    "ORGANIC_SEARCH": "Organic Search",
    "PAID_SEARCH": "Paid Search",
    "SOCIAL_MEDIA": "Social Media",
    "EMAIL_MARKETING": "Email Marketing",
    "REFERRALS": "Referrals",
    "DIRECT_TRAFFIC": "Direct Traffic",
    "OTHER_CAMPAIGNS": "Other Campaigns",
    "OFFLINE": "Offline Sources",
}
STAGES = {
    "marketingqualifiedlead": "Marketing Qualified Lead",
    "salesqualifiedlead": "Sales Qualified Lead",
}
BECAME = {
    "marketingqualifiedlead": "Became a Marketing Qualified Lead Date",
    "salesqualifiedlead": "Became a Sales Qualified Lead Date",
}


def minute(text: str) -> str:
    """Return an ISO timestamp cut to the minute (as these exports show it), in UTC."""
    moment = parse(text)
    return moment.replace(second=0, microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ") if moment else ""


def local(text: str, style: str = "hubspot") -> str:
    """Return a UTC timestamp as the export writes it: local time, to the minute."""
    moment = parse(text)
    if moment is None:
        return ""
    moment = moment.astimezone(ZONE)
    if style == "hubspot":
        return moment.strftime("%Y-%m-%d %H:%M")
    return f"{moment.month}/{moment.day}/{moment.year} " + moment.strftime("%I:%M %p").lstrip("0")


def _named(rows: list[dict], names: dict[str, str], *columns: str) -> list[dict]:
    return [{**row, **{c: names.get(row[c], row[c]) for c in columns if c in row}} for row in rows]


def _meaning(meant: dict[str, list[dict]], names: dict[str, str]) -> dict[str, list[dict]]:
    """Return what an export with owners by name and times to the minute means."""
    stamps = {
        "leads": ("created_at", "mql_at", "sal_at", "sql_at", "disqualified_at"),
        "lead_activities": ("occurred_at",),
        "opportunities": ("created_at", "proposal_sent_at", "closed_at"),
    }
    out = dict(meant)
    for table, columns in stamps.items():
        out[table] = [
            {
                **row,
                **{
                    c: minute(row[c]) if row[c] and not row[c].endswith("T12:00:00Z") else row[c]
                    for c in columns
                },
            }
            for row in meant[table]
        ]
    out["leads"] = _named(out["leads"], names, "owner_id")
    out["lead_activities"] = _named(out["lead_activities"], names, "rep_id")
    out["opportunities"] = _named(out["opportunities"], names, "owner_id")
    out["reps"] = [{**rep, "rep_id": names[rep["rep_id"]]} for rep in meant["reps"]]
    return out


# -- HubSpot -------------------------------------------------------------------------


def hubspot_ui_settings(raw: Path) -> str:
    names = {rep["rep_id"]: rep["rep_name"] for rep in read_rows(raw / "reps.csv")}
    marketing = ", ".join(f'"{names[rep]}"' for rep in ("M01", "M02", "M03"))
    return (
        f"source: hubspot\nhubspot:\n  marketing_owner_ids: [{marketing}]\n"
        f"  automated_engagement_sources: [SEQUENCES]\n"
        f"  export_time_zone: America/Chicago\n"
    )


def hubspot_ui_export(raw: Path, out: Path, labels: str, activities: bool) -> dict[str, list[dict]]:
    """Write a HubSpot UI export of the demo rows; return the contract tables it means.

    labels: "became" ("Became a Marketing Qualified Lead Date") or "entered"
    (Date entered "Marketing Qualified Lead (Lifecycle Stage Pipeline)").
    """
    landing = out.parent / f"{out.name}-landing"
    meant = hubspot_export(raw, landing)
    names = {rep["rep_id"]: rep["rep_name"] for rep in read_rows(raw / "reps.csv")}
    leads = {lead["lead_id"]: lead for lead in meant["leads"]}
    contacts = []
    for row in read_rows(landing / "contact.csv"):
        lead = leads[row["id"]]
        contact = {
            "Record ID": row["id"],
            "First Name": row["property_firstname"],
            "Last Name": row["property_lastname"],
            "Email": row["property_email"],
            "Phone Number": row["property_phone"],
            "Company Name": row["property_company"],
            "Create Date": local(lead["created_at"]),
            "Contact owner": names.get(row["property_hubspot_owner_id"], ""),
            "Original Source": HS_LABELS.get(
                row["property_hs_analytics_source"], row["property_hs_analytics_source"].title()
            ),
            "Lead Status": row["property_hs_lead_status"].title(),
            "Lifecycle Stage": "Lead",
            "Last Modified Date": local(lead["disqualified_at"] or lead["created_at"]),
        }
        for stage, column in (
            ("marketingqualifiedlead", "mql_at"),
            ("salesqualifiedlead", "sql_at"),
        ):
            header = (
                BECAME[stage]
                if labels == "became"
                else f'Date entered "{STAGES[stage]} (Lifecycle Stage Pipeline)"'
            )
            contact[header] = local(lead[column])
        contacts.append(contact)
    out.mkdir(parents=True, exist_ok=True)
    write_rows(out / "contacts.csv", list(contacts[0]), contacts)
    _hubspot_deals(landing, out, names)
    if activities:
        _hubspot_activities(landing, out, names)
    else:
        meant = {**meant, "lead_activities": []}
    (out / "web_sessions.csv").write_bytes((raw / "web_sessions.csv").read_bytes())
    meaning = _meaning(meant, names)
    # A UI export has no owner table: owners are the names it shows, there all along.
    meaning["reps"] = [{**rep, "started_on": "1900-01-01"} for rep in meaning["reps"]]
    return meaning


def _hubspot_deals(landing: Path, out: Path, names: dict[str, str]) -> None:
    label = {
        "signed": "Closed Won",
        "closedlost": "Closed Lost",
        "contractsent": "Contract sent",
        "appointmentscheduled": "Appointment scheduled",
    }
    links: dict[str, list[str]] = {}
    for row in read_rows(landing / "deal_contact.csv"):
        links.setdefault(row["deal_id"], []).append(row["contact_id"])
    deals = [
        {
            "Record ID": row["deal_id"],
            "Deal Name": row["property_dealname"],
            "Amount": row["property_amount"],
            "Close Date": local(row["property_closedate"]),
            "Create Date": local(row["property_createdate"]),
            "Deal Stage": label[row["deal_pipeline_stage_id"]],
            "Pipeline": "Sales Pipeline",
            "Deal owner": names.get(row["owner_id"], row["owner_id"]),
            "Closed Lost Reason": row["property_closed_lost_reason"],
            "Associated Contact IDs": ";".join(links.get(row["deal_id"], [])),
        }
        for row in read_rows(landing / "deal.csv")
    ]
    write_rows(out / "deals.csv", list(deals[0]), deals)


def _hubspot_activities(landing: Path, out: Path, names: dict[str, str]) -> None:
    links: dict[str, list[str]] = {}
    for row in read_rows(landing / "engagement_contact.csv"):
        links.setdefault(row["engagement_id"], []).append(row["contact_id"])
    types = {row["id"]: row["type"] for row in read_rows(landing / "engagement.csv")}
    for kind in ("call", "meeting", "email"):
        rows = [
            {
                "Record ID": row["engagement_id"],
                "Activity date": local(row["property_hs_timestamp"]),
                "Activity assigned to": names.get(row["property_hubspot_owner_id"], ""),
                "Activity source": row["property_hs_engagement_source"].replace("_", " ").title(),
                **(
                    {"Email direction": types[row["engagement_id"]].replace("_", " ").title()}
                    if kind == "email"
                    else {}
                ),
                "Associated Contact IDs": ";".join(links.get(row["engagement_id"], [])),
            }
            for row in read_rows(landing / f"engagement_{kind}.csv")
        ]
        write_rows(out / f"{kind}s.csv", list(rows[0]), rows)


# -- Salesforce ----------------------------------------------------------------------

FOOTER = (
    '\n\n"Lead Funnel Report"\n"Copyright (c) 2000-2015 salesforce.com, inc. All rights '
    'reserved."\n"Confidential Information - Do Not Distribute"\n"Generated By:  Ines '
    'Admin  10/16/2015 4:05 AM"\n"Acme Analytics, Inc."\n'
)
SF_REPORT_SETTINGS = (
    SF_SETTINGS.replace("00E000000000MKT", "Marketing") + "  export_time_zone: America/Chicago\n"
)


def _us_date(text: str) -> str:
    return f"{int(text[5:7])}/{int(text[8:10])}/{text[:4]}" if text else ""


def _report(path: Path, columns: list[str], rows: list[dict]) -> None:
    write_rows(path, columns, rows)
    with path.open("a", encoding="utf-8") as handle:
        handle.write(FOOTER)


def salesforce_report_export(raw: Path, out: Path) -> dict[str, list[dict]]:
    """Write Salesforce report exports of the demo rows; return what they mean."""
    landing = out.parent / f"{out.name}-dataloader"
    meant = salesforce_export(raw, landing, "dataloader")
    names = {rep["rep_id"]: rep["rep_name"] for rep in read_rows(raw / "reps.csv")}

    def owner(record: dict) -> str:
        return names.get(record["OWNERID"], record["OWNERID"])

    out.mkdir(parents=True, exist_ok=True)
    yes = {"true": "1", "false": "0"}
    _report(
        out / "lead.csv",
        [
            "Lead ID",
            "First Name",
            "Last Name",
            "Email",
            "Phone",
            "Company / Account",
            "Lead Source",
            "Lead Status",
            "Lead Owner",
            "Created Date",
            "Converted",
            "Converted Date",
            "Converted Opportunity ID",
            "MQL Date",
            "Disqualified Reason",
            "Last Modified Date",
        ],
        [
            {
                "Lead ID": r["ID"],
                "First Name": r["FIRSTNAME"],
                "Last Name": r["LASTNAME"],
                "Email": r["EMAIL"],
                "Phone": r["PHONE"],
                "Company / Account": r["COMPANY"],
                "Lead Source": r["LEADSOURCE"],
                "Lead Status": r["STATUS"],
                "Lead Owner": owner(r),
                "Created Date": local(r["CREATEDDATE"], "us"),
                "Converted": yes[r["ISCONVERTED"]],
                "Converted Date": _us_date(r["CONVERTEDDATE"]),
                "Converted Opportunity ID": r["CONVERTEDOPPORTUNITYID"],
                "MQL Date": local(r["MQL_DATE__C"], "us"),
                "Disqualified Reason": r["DISQUALIFIED_REASON__C"],
                "Last Modified Date": local(r["LASTMODIFIEDDATE"], "us"),
            }
            for r in read_rows(landing / "LEAD.csv")
        ],
    )
    _report(
        out / "opportunity.csv",
        [
            "Opportunity ID",
            "Opportunity Name",
            "Stage",
            "Amount",
            "Close Date",
            "Won",
            "Closed",
            "Opportunity Owner",
            "Lead Source",
            "Created Date",
            "Proposal Date",
            "Loss Reason",
        ],
        [
            {
                "Opportunity ID": r["ID"],
                "Opportunity Name": r["NAME"],
                "Stage": r["STAGENAME"],
                "Amount": f"USD {float(r['AMOUNT']):,.2f}",
                "Close Date": _us_date(r["CLOSEDATE"]),
                "Won": yes[r["ISWON"]],
                "Closed": yes[r["ISCLOSED"]],
                "Opportunity Owner": owner(r),
                "Lead Source": r["LEADSOURCE"],
                "Created Date": local(r["CREATEDDATE"], "us"),
                "Proposal Date": local(r["PROPOSAL_DATE__C"], "us"),
                "Loss Reason": r["LOSS_REASON__C"],
            }
            for r in read_rows(landing / "OPPORTUNITY.csv")
        ],
    )
    _report(
        out / "task.csv",
        [
            "Activity ID",
            "Lead ID",
            "Assigned",
            "Type",
            "Task Subtype",
            "Created Date",
            "Completed Date/Time",
        ],
        [
            {
                "Activity ID": r["ID"],
                "Lead ID": r["WHOID"],
                "Assigned": owner(r),
                "Type": r["TYPE"],
                "Task Subtype": r["TASKSUBTYPE"],
                "Created Date": local(r["CREATEDDATE"], "us"),
                "Completed Date/Time": local(r["COMPLETEDDATETIME"], "us"),
            }
            for r in read_rows(landing / "TASK.csv")
        ],
    )
    _report(
        out / "event.csv",
        ["Activity ID", "Lead ID", "Assigned", "Type", "Created Date"],
        [
            {
                "Activity ID": r["ID"],
                "Lead ID": r["WHOID"],
                "Assigned": owner(r),
                "Type": r["TYPE"],
                "Created Date": local(r["CREATEDDATE"], "us"),
            }
            for r in read_rows(landing / "EVENT.csv")
        ],
    )
    _report(
        out / "user.csv",
        ["Full Name", "Role", "Active", "Created Date"],
        [
            {
                "Full Name": r["NAME"],
                "Role": "Marketing" if r["USERROLEID"].endswith("MKT") else "Sales",
                "Active": "1",
                "Created Date": _us_date(r["CREATEDDATE"][:10]),
            }
            for r in read_rows(landing / "USER.csv")
        ],
    )
    (out / "web_sessions.csv").write_bytes((raw / "web_sessions.csv").read_bytes())
    return _meaning(meant, names)
