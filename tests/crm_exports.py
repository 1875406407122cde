"""CRM exports for the source tests (issue #9), written in plain Python.

Each writer takes contract-layout rows (the demo's raw tables), turns them
into what that CRM would hold (a Salesforce Data Loader export with
upper-case headers, a Fivetran Salesforce landing in snake_case, a HubSpot
landing), and returns the contract tables that export *means* under the
issue's rules: no acceptance date in either CRM, revenue = won deals on
their close date, a date without time at 12:00 UTC, one converted
opportunity per Salesforce lead, HubSpot notes and tasks are no touches.
The tests compute every KPI from those tables with tests/independent.py and
compare with the site built from the export: none of this uses our SQL.

Every lead also carries an e-mail address, first and last name and a phone
number, which the privacy check looks for in the built site.
"""

from __future__ import annotations

import csv
from datetime import UTC, date, datetime
from pathlib import Path

from generator.inputs.raw_columns import OPTIONAL_TABLES, RAW_TABLES

SF_LEAD_SOURCES = {
    "organic_search": "Web",
    "paid_search": "Advertisement",
    "referral": "Partner Referral",
    "events": "Trade Show",
    "direct": "Phone Inquiry",
    "other": "Other",
    "social": "Social Media",
    "email": "Email Campaign",
}
HS_SOURCES = {
    "organic_search": "ORGANIC_SEARCH",
    "paid_search": "PAID_SEARCH",
    "social": "SOCIAL_MEDIA",
    "email": "EMAIL_MARKETING",
    "referral": "REFERRALS",
    "direct": "DIRECT_TRAFFIC",
    "other": "OTHER_CAMPAIGNS",
    "events": "OFFLINE",
}


def read_rows(path: Path) -> list[dict]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def write_rows(path: Path, columns: list[str], rows: list[dict]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns, lineterminator="\n")
        writer.writeheader()
        for row in rows:
            writer.writerow({column: row.get(column, "") for column in columns})


def parse(text: str) -> datetime | None:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC) if text else None


def noon(text: str) -> str:
    """Return the UTC date of a timestamp at 12:00 UTC: what a date-only field means."""
    moment = parse(text)
    return f"{moment.date().isoformat()}T12:00:00Z" if moment else ""


def day(text: str) -> str:
    moment = parse(text)
    return moment.date().isoformat() if moment else ""


def private(lead: dict, index: int) -> dict:
    """Return a lead's personal data as a CRM holds it (looked for in the site)."""
    first, _, last = (lead["full_name"] or f"Pat Doe{index}").partition(" ")
    return {
        "email": lead["email"] or f"lead{index}@example.net",
        "first": first,
        "last": last or "Doe",
        "phone": f"+1 555 01{index % 100:02d} {index:05d}",
    }


def contract_files(tables: dict[str, list[dict]], folder: Path) -> Path:
    """Write contract tables (the meaning of an export) for tests/independent.py."""
    for table, columns in RAW_TABLES.items():
        write_rows(folder / f"{table}.csv", columns, tables[table])
    for table, columns in OPTIONAL_TABLES.items():
        if table in tables:
            write_rows(folder / f"{table}.csv", columns, tables[table])
    return folder


def owner_changes(raw: Path) -> dict[str, list[dict]]:
    """Return the demo's owner history per lead, oldest first (issue #19)."""
    changes: dict[str, list[dict]] = {}
    for row in sorted(
        read_rows(raw / "lead_owner_history.csv"), key=lambda r: (r["lead_id"], r["valid_from"])
    ):
        changes.setdefault(row["lead_id"], []).append(row)
    return changes


# -- Salesforce ----------------------------------------------------------------------

SF_SETTINGS = """\
source: salesforce
salesforce:
  mql_date_field: MQL_Date__c
  disqualified_statuses: [Unqualified]
  disqualified_reason_field: Disqualified_Reason__c
  proposal_date_field: Proposal_Date__c
  lost_reason_field: Loss_Reason__c
  marketing_role_ids: [00E000000000MKT]
  lead_source_channels:
    Web: organic_search
    Advertisement: paid_search
    Partner Referral: referral
    Trade Show: events
    Phone Inquiry: direct
    Other: other
    Social Media: social
    Email Campaign: email
"""

SF_FIELDS = {
    "Lead": [
        "Id",
        "IsDeleted",
        "FirstName",
        "LastName",
        "Email",
        "Phone",
        "Company",
        "LeadSource",
        "Status",
        "OwnerId",
        "CreatedDate",
        "LastModifiedDate",
        "IsConverted",
        "ConvertedDate",
        "ConvertedOpportunityId",
        "MQL_Date__c",
        "Disqualified_Reason__c",
    ],
    "Task": [
        "Id",
        "WhoId",
        "OwnerId",
        "Subject",
        "Type",
        "TaskSubtype",
        "Status",
        "ActivityDate",
        "CreatedDate",
        "CompletedDateTime",
        "IsDeleted",
    ],
    "Event": [
        "Id",
        "WhoId",
        "OwnerId",
        "Subject",
        "Type",
        "ActivityDate",
        "ActivityDateTime",
        "CreatedDate",
        "IsDeleted",
    ],
    "Opportunity": [
        "Id",
        "Name",
        "StageName",
        "Amount",
        "CloseDate",
        "IsWon",
        "IsClosed",
        "OwnerId",
        "LeadSource",
        "CreatedDate",
        "IsDeleted",
        "Proposal_Date__c",
        "Loss_Reason__c",
    ],
    "User": ["Id", "Name", "IsActive", "UserRoleId", "CreatedDate", "Email"],
    "LeadHistory": ["Id", "LeadId", "Field", "OldValue", "NewValue", "CreatedDate", "IsDeleted"],
}


def _sf_time(text: str, style: str) -> str:
    moment = parse(text)
    if moment is None:
        return ""
    if style == "dataloader":
        return moment.strftime("%Y-%m-%dT%H:%M:%S.000Z")
    return moment.strftime("%Y-%m-%d %H:%M:%S+00:00")


def _snake(name: str) -> str:
    """Return a Salesforce API name as Fivetran lands it (MQL_Date__c -> mql_date_c)."""
    out = ""
    for index, char in enumerate(name.replace("__c", "_c")):
        if char.isupper() and index and (name[index - 1].islower()):
            out += "_"
        out += char.lower()
    return out


def salesforce_export(raw: Path, out: Path, style: str) -> dict[str, list[dict]]:
    """Write a Salesforce export of the demo rows; return the contract tables it means.

    style: "dataloader" (file and header names upper case, as older Data
    Loader versions write them) or "fivetran" (snake_case landing, with a
    deleted lead and the connector's own columns).
    """
    leads = read_rows(raw / "leads.csv")
    activities = read_rows(raw / "lead_activities.csv")
    opportunities = read_rows(raw / "opportunities.csv")
    reps = read_rows(raw / "reps.csv")
    lead_id = {lead["lead_id"]: f"00Q{lead['lead_id']}" for lead in leads}

    # One converted opportunity per lead: the first one created.
    first_opportunity: dict[str, dict] = {}
    for opp in sorted(opportunities, key=lambda o: o["created_at"]):
        if opp["lead_id"] and opp["lead_id"] not in first_opportunity:
            first_opportunity[opp["lead_id"]] = opp
    sf_leads, meant_leads = [], []
    for index, lead in enumerate(leads):
        person = private(lead, index)
        opp = first_opportunity.get(lead["lead_id"])
        disqualified = bool(lead["disqualified_at"])
        sf_leads.append(
            {
                "Id": lead_id[lead["lead_id"]],
                "IsDeleted": "false",
                "FirstName": person["first"],
                "LastName": person["last"],
                "Email": person["email"],
                "Phone": person["phone"],
                "Company": lead["company"],
                "LeadSource": SF_LEAD_SOURCES.get(lead["source"], ""),
                "Status": "Unqualified" if disqualified else ("Converted" if opp else "Working"),
                "OwnerId": lead["owner_id"],
                "CreatedDate": _sf_time(lead["created_at"], style),
                "LastModifiedDate": _sf_time(lead["disqualified_at"] or lead["created_at"], style),
                "IsConverted": "true" if opp else "false",
                "ConvertedDate": day(lead["sql_at"]),
                "ConvertedOpportunityId": opp["opportunity_id"] if opp else "",
                "MQL_Date__c": _sf_time(lead["mql_at"], style),
                "Disqualified_Reason__c": lead["disqualified_reason"] if disqualified else "",
            }
        )
        meant_leads.append(
            {
                **lead,
                "lead_id": lead_id[lead["lead_id"]],
                "sal_at": "",
                "sql_at": noon(lead["sql_at"]),
                "source": lead["source"] if lead["source"] in SF_LEAD_SOURCES else "other",
            }
        )
    if style == "fivetran":
        # A lead in the recycle bin is no lead.
        sf_leads.append(
            {
                **sf_leads[0],
                "Id": "00QDELETED0001",
                "IsDeleted": "true",
                "Email": "deleted.lead@example.net",
            }
        )

    tasks, events, meant_activities = [], [], []
    for activity in activities:
        who = lead_id.get(activity["lead_id"], f"00Q{activity['lead_id']}")
        automated = activity["is_automated"] == "true"
        kind = activity["activity_type"]
        meant = {**activity, "lead_id": who}
        if kind == "meeting":
            events.append(
                {
                    "Id": activity["activity_id"],
                    "WhoId": who,
                    "OwnerId": activity["rep_id"],
                    "Subject": "Demo",
                    "Type": "Meeting",
                    "ActivityDate": day(activity["occurred_at"]),
                    "CreatedDate": _sf_time(activity["occurred_at"], style),
                    "IsDeleted": "false",
                }
            )
            meant["is_automated"] = "false"
        else:
            subtype = {"call": "Call", "social": "LinkedIn"}.get(
                kind, "ListEmail" if automated else "Email"
            )
            created = parse(activity["occurred_at"])
            tasks.append(
                {
                    "Id": activity["activity_id"],
                    "WhoId": who,
                    "OwnerId": activity["rep_id"],
                    "Subject": "Touch",
                    "Type": {"call": "Call", "email": "Email"}.get(kind, ""),
                    "TaskSubtype": subtype,
                    "Status": "Completed",
                    # A due date: its midnight time must never be taken for the touch.
                    "ActivityDate": day(activity["occurred_at"]),
                    "CreatedDate": _sf_time(activity["occurred_at"], style),
                    "CompletedDateTime": _sf_time(activity["occurred_at"], style)
                    if created
                    else "",
                    "IsDeleted": "false",
                }
            )
            meant["is_automated"] = "true" if subtype == "ListEmail" else "false"
        meant_activities.append(meant)
    # A task on a contact (WhoId 003...) is not a lead activity.
    tasks.append({**tasks[0], "Id": "00TCONTACT0001", "WhoId": "003CONTACT0001"})

    sf_opps, meant_opps, meant_revenue = [], [], []
    for opp in opportunities:
        won, lost = opp["stage"] == "closed_won", opp["stage"] == "closed_lost"
        converted = first_opportunity.get(opp["lead_id"]) is opp
        sf_opps.append(
            {
                "Id": opp["opportunity_id"],
                "Name": opp["account_name"],
                "StageName": {"closed_won": "Closed Won", "closed_lost": "Closed Lost"}.get(
                    opp["stage"], opp["stage"].title()
                ),
                "Amount": opp["amount"],
                "CloseDate": day(opp["closed_at"]) if (won or lost) else "2015-12-31",
                "IsWon": str(won).lower(),
                "IsClosed": str(won or lost).lower(),
                "OwnerId": opp["owner_id"],
                "LeadSource": "",
                "CreatedDate": _sf_time(opp["created_at"], style),
                "IsDeleted": "false",
                "Proposal_Date__c": _sf_time(opp["proposal_sent_at"], style),
                "Loss_Reason__c": opp["lost_reason"],
            }
        )
        meant_opps.append(
            {
                **opp,
                "lead_id": lead_id[opp["lead_id"]] if converted else "",
                "stage": opp["stage"]
                if (won or lost)
                else ("proposal" if opp["proposal_sent_at"] else "discovery"),
                "closed_at": noon(opp["closed_at"]) if (won or lost) else "",
                "lost_reason": opp["lost_reason"] if lost else "",
            }
        )
        if won:
            meant_revenue.append(
                {
                    "revenue_id": opp["opportunity_id"],
                    "opportunity_id": opp["opportunity_id"],
                    "booked_on": day(opp["closed_at"]),
                    "amount": opp["amount"],
                    "revenue_type": "new_business",
                }
            )

    users = [
        {
            "Id": rep["rep_id"],
            "Name": rep["rep_name"],
            "IsActive": "true",
            "UserRoleId": "00E000000000MKT" if rep["team"] == "marketing" else "00E000000000SLS",
            "CreatedDate": _sf_time(f"{rep['started_on']}T09:00:00Z", style),
            "Email": f"{rep['rep_id'].lower()}@company.example",
        }
        for rep in reps
    ]
    meant_reps = [{**rep, "ended_on": ""} for rep in reps]

    history, meant_history = _sf_lead_history(raw, lead_id, reps, style)
    files = {
        "Lead": sf_leads,
        "Task": tasks,
        "Event": events,
        "Opportunity": sf_opps,
        "User": users,
        "LeadHistory": history,
    }
    for name, rows in files.items():
        fields = SF_FIELDS[name]
        if style == "dataloader":
            write_rows(
                out / f"{name.upper()}.csv",
                [f.upper() for f in fields],
                [{k.upper(): v for k, v in row.items()} for row in rows],
            )
        else:
            extra = ["_fivetran_synced", "_fivetran_deleted"]
            write_rows(
                out / f"{name.lower()}.csv",
                [_snake(f) for f in fields] + extra,
                [
                    {
                        **{_snake(k): v for k, v in row.items()},
                        "_fivetran_synced": "2015-10-16 03:00:00+00:00",
                        "_fivetran_deleted": "false",
                    }
                    for row in rows
                ],
            )
    (out / "web_sessions.csv").write_bytes((raw / "web_sessions.csv").read_bytes())
    return {
        "leads": meant_leads,
        "lead_activities": meant_activities,
        "opportunities": meant_opps,
        "revenue": meant_revenue,
        "reps": meant_reps,
        "web_sessions": read_rows(raw / "web_sessions.csv"),
        "lead_owner_history": meant_history,
    }


def _sf_lead_history(
    raw: Path, lead_id: dict[str, str], reps: list[dict], style: str
) -> tuple[list[dict], list[dict]]:
    """Return LeadHistory rows for the demo's owner changes, and the history they mean.

    As Salesforce writes it: changes only, each owner change twice (the users'
    Ids, then their names), beside other tracked fields' changes. The owner
    before the first change owned the lead since it was created.
    """
    names = {rep["rep_id"]: rep["rep_name"] for rep in reps}
    rows, meant = [], []
    for number, (lead, changes) in enumerate(sorted(owner_changes(raw).items()), start=1):
        sf_id = lead_id[lead]
        meant.append({"lead_id": sf_id, "owner_id": changes[0]["owner_id"], "valid_from": ""})
        for index, (old, new) in enumerate(zip(changes, changes[1:], strict=False)):
            when = _sf_time(new["valid_from"], style)
            base = {"LeadId": sf_id, "Field": "Owner", "CreatedDate": when, "IsDeleted": "false"}
            rows.append(
                {
                    **base,
                    "Id": f"017{number:07d}{index}A",
                    "OldValue": old["owner_id"],
                    "NewValue": new["owner_id"],
                }
            )
            rows.append(
                {
                    **base,
                    "Id": f"017{number:07d}{index}B",
                    "OldValue": names[old["owner_id"]],
                    "NewValue": names[new["owner_id"]],
                }
            )
            meant.append(
                {"lead_id": sf_id, "owner_id": new["owner_id"], "valid_from": new["valid_from"]}
            )
        rows.append(
            {
                "Id": f"017{number:07d}S",
                "LeadId": sf_id,
                "Field": "Status",
                "OldValue": "Open",
                "NewValue": "Working",
                "IsDeleted": "false",
                "CreatedDate": _sf_time(changes[-1]["valid_from"], style),
            }
        )
    return rows, meant


# -- HubSpot -------------------------------------------------------------------------

HS_SETTINGS = """\
source: hubspot
hubspot:
  marketing_owner_ids: [M01, M02, M03]
  automated_engagement_sources: [SEQUENCES]
"""


def _epoch_ms(text: str) -> str:
    moment = parse(text)
    return str(int(moment.timestamp() * 1000)) if moment else ""


def hubspot_export(raw: Path, out: Path) -> dict[str, list[dict]]:
    """Write a HubSpot (Fivetran layout) export of the demo rows; return what it means."""
    leads = read_rows(raw / "leads.csv")
    activities = read_rows(raw / "lead_activities.csv")
    opportunities = read_rows(raw / "opportunities.csv")
    reps = read_rows(raw / "reps.csv")

    contacts, meant_leads = [], []
    for index, lead in enumerate(leads):
        person = private(lead, index)
        old = index % 2 == 0  # older accounts fill the other property family
        contacts.append(
            {
                "id": lead["lead_id"],
                "_fivetran_deleted": "false",
                "property_email": person["email"],
                "property_firstname": person["first"],
                "property_lastname": person["last"],
                "property_phone": person["phone"],
                "property_company": lead["company"],
                "property_createdate": lead["created_at"],
                "property_hubspot_owner_id": lead["owner_id"],
                "property_hs_analytics_source": HS_SOURCES.get(lead["source"], lead["source"]),
                "property_hs_lifecyclestage_marketingqualifiedlead_date": lead["mql_at"]
                if old
                else "",
                "property_hs_v2_date_entered_marketingqualifiedlead": "" if old else lead["mql_at"],
                "property_hs_lifecyclestage_salesqualifiedlead_date": lead["sql_at"] if old else "",
                "property_hs_v2_date_entered_salesqualifiedlead": "" if old else lead["sql_at"],
                "property_hs_lead_status": "UNQUALIFIED" if lead["disqualified_at"] else "OPEN",
                # Epoch milliseconds, as HubSpot's API gives them.
                "property_lastmodifieddate": _epoch_ms(
                    lead["disqualified_at"] or lead["created_at"]
                ),
            }
        )
        meant_leads.append(
            {
                **lead,
                "sal_at": "",
                "disqualified_reason": "UNQUALIFIED" if lead["disqualified_at"] else "",
                "source": lead["source"] if lead["source"] in HS_SOURCES else "other",
            }
        )

    engagements, links, meant_activities = [], [], []
    kinds: dict[str, list[dict]] = {"call": [], "email": [], "meeting": []}
    for number, activity in enumerate(activities, start=1):
        engagement_id = str(9000000 + number)
        kind = activity["activity_type"]
        links.append({"engagement_id": engagement_id, "contact_id": activity["lead_id"]})
        if kind == "social":
            # HubSpot logs a LinkedIn message as a task: no touch.
            engagements.append({"id": engagement_id, "type": "TASK"})
            continue
        engagements.append({"id": engagement_id, "type": kind.upper()})
        automated = activity["is_automated"] == "true"
        kinds[kind].append(
            {
                "engagement_id": engagement_id,
                "property_hs_timestamp": activity["occurred_at"],
                "property_hubspot_owner_id": activity["rep_id"],
                "property_hs_engagement_source": "SEQUENCES" if automated else "CRM_UI",
            }
        )
        meant_activities.append(
            {
                **activity,
                "activity_id": f"{engagement_id}-{activity['lead_id']}",
                "is_automated": "true" if automated else "false",
            }
        )
    # A note on a contact is no touch; an incoming e-mail is not one either.
    engagements.append({"id": "8000001", "type": "NOTE"})
    links.append({"engagement_id": "8000001", "contact_id": leads[0]["lead_id"]})
    engagements.append({"id": "8000002", "type": "INCOMING_EMAIL"})
    links.append({"engagement_id": "8000002", "contact_id": leads[0]["lead_id"]})
    kinds["email"].append(
        {
            "engagement_id": "8000002",
            "property_hs_timestamp": leads[0]["created_at"],
            "property_hubspot_owner_id": "S01",
            "property_hs_engagement_source": "EMAIL_INTEGRATION",
        }
    )

    stages = [
        {
            "stage_id": "appointmentscheduled",
            "label": "Appointment scheduled",
            "probability": "0.2",
            "closed_won": "false",
        },
        {
            "stage_id": "contractsent",
            "label": "Contract sent",
            "probability": "0.9",
            "closed_won": "false",
        },
        # Won by probability, whatever its label; the deprecated closed_won
        # flag is true for lost stages too (it means closed).
        {"stage_id": "signed", "label": "Signed", "probability": "1.0", "closed_won": "true"},
        {
            "stage_id": "closedlost",
            "label": "Closed Lost",
            "probability": "0.0",
            "closed_won": "true",
        },
    ]
    deals, deal_contacts, meant_opps, meant_revenue = [], [], [], []
    for opp in opportunities:
        won, lost = opp["stage"] == "closed_won", opp["stage"] == "closed_lost"
        stage = (
            "signed"
            if won
            else "closedlost"
            if lost
            else ("contractsent" if opp["stage"] == "negotiation" else "appointmentscheduled")
        )
        deals.append(
            {
                "deal_id": opp["opportunity_id"],
                "property_dealname": opp["account_name"],
                "property_amount": opp["amount"],
                "property_closedate": opp["closed_at"] if (won or lost) else "2015-12-31T00:00:00Z",
                "property_createdate": opp["created_at"],
                "deal_pipeline_stage_id": stage,
                "owner_id": opp["owner_id"],
                "property_closed_lost_reason": opp["lost_reason"],
                "is_deleted": "false",
            }
        )
        if opp["lead_id"]:
            deal_contacts.append({"deal_id": opp["opportunity_id"], "contact_id": opp["lead_id"]})
        meant_opps.append(
            {
                **opp,
                "stage": opp["stage"] if (won or lost) else "discovery",
                "proposal_sent_at": "",
                "closed_at": opp["closed_at"] if (won or lost) else "",
                "lost_reason": opp["lost_reason"] if lost else "",
            }
        )
        if won:
            meant_revenue.append(
                {
                    "revenue_id": opp["opportunity_id"],
                    "opportunity_id": opp["opportunity_id"],
                    "booked_on": day(opp["closed_at"]),
                    "amount": opp["amount"],
                    "revenue_type": "new_business",
                }
            )

    owners = []
    for rep in reps:
        first, _, last = rep["rep_name"].partition(" ")
        owners.append(
            {
                "owner_id": rep["rep_id"],
                "first_name": first,
                "last_name": last,
                "email": f"{rep['rep_id'].lower()}@company.example",
                "created_at": f"{rep['started_on']}T09:00:00Z",
            }
        )

    write_rows(out / "contact.csv", list(contacts[0]), contacts)
    write_rows(out / "engagement.csv", ["id", "type"], engagements)
    write_rows(out / "engagement_contact.csv", ["engagement_id", "contact_id"], links)
    for kind, rows in kinds.items():
        write_rows(
            out / f"engagement_{kind}.csv",
            [
                "engagement_id",
                "property_hs_timestamp",
                "property_hubspot_owner_id",
                "property_hs_engagement_source",
            ],
            rows,
        )
    write_rows(out / "deal.csv", list(deals[0]), deals)
    write_rows(out / "deal_pipeline_stage.csv", list(stages[0]), stages)
    write_rows(out / "deal_contact.csv", ["deal_id", "contact_id"], deal_contacts)
    write_rows(out / "owner.csv", list(owners[0]), owners)
    # Issue #19: every value the contact owner took, as Fivetran lands
    # HubSpot's property history (`timestamp`), beside other properties.
    changes = owner_changes(raw)
    history, meant_history = [], []
    for lead in leads:
        if not lead["owner_id"]:
            continue
        values = changes.get(lead["lead_id"]) or [
            {
                "lead_id": lead["lead_id"],
                "owner_id": lead["owner_id"],
                "valid_from": lead["created_at"],
            }
        ]
        for row in values:
            history.append(
                {
                    "contact_id": lead["lead_id"],
                    "name": "hubspot_owner_id",
                    "value": row["owner_id"],
                    "timestamp": row["valid_from"],
                    "source": "CRM_UI",
                    "_fivetran_synced": "2015-10-16T03:00:00Z",
                }
            )
            meant_history.append(row)
        history.append(
            {
                "contact_id": lead["lead_id"],
                "name": "lifecyclestage",
                "value": "marketingqualifiedlead",
                "timestamp": lead["created_at"],
                "source": "CRM_UI",
                "_fivetran_synced": "2015-10-16T03:00:00Z",
            }
        )
    write_rows(out / "contact_property_history.csv", list(history[0]), history)
    (out / "web_sessions.csv").write_bytes((raw / "web_sessions.csv").read_bytes())
    return {
        "leads": meant_leads,
        "lead_activities": meant_activities,
        "opportunities": meant_opps,
        "revenue": meant_revenue,
        "reps": [{**rep, "ended_on": ""} for rep in reps],
        "web_sessions": read_rows(raw / "web_sessions.csv"),
        "lead_owner_history": meant_history,
    }


def today() -> date:
    return date(2015, 10, 15)


# The exports the source builds test, by name: (source, settings, writer).
EXPORTS = {
    "salesforce-dataloader": (
        "salesforce",
        SF_SETTINGS,
        lambda raw, out: salesforce_export(raw, out, "dataloader"),
    ),
    "salesforce-fivetran": (
        "salesforce",
        SF_SETTINGS,
        lambda raw, out: salesforce_export(raw, out, "fivetran"),
    ),
    "hubspot": ("hubspot", HS_SETTINGS, lambda raw, out: hubspot_export(raw, out)),
}
