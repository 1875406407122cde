"""Salesforce's REST and Bulk API 2.0 as a dlt source: the tables `build --source
salesforce` reads, plus the history #19's attribution needs.

- Large objects (`pull.salesforce.bulk_objects`, default Lead, LeadHistory,
  Task, Event) run as Bulk API 2.0 query jobs: `POST .../jobs/query`
  (operation `queryAll`), `GET .../jobs/query/{id}` until `JobComplete`, then
  the CSV results page by page (`Sforce-Locator`, `null` after the last);
- the others through REST `GET .../queryAll?q=...`, following `nextRecordsUrl`.

`queryAll` returns deleted records (the recycle bin) with `IsDeleted = true`:
they delete the stored rows. A nightly pull asks only for records with
`SystemModstamp >=` the newest value of the last good pull (history rows,
which never change, by `CreatedDate`). Users and roles are read whole. Only
the fields the report reads are selected: a lead's e-mail address, name and
phone number are never fetched.
"""

from __future__ import annotations

import csv
import io
import logging
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

import dlt
from dlt.common.normalizers.naming.snake_case import NamingConvention
from dlt.sources.helpers.rest_client.paginators import JSONLinkPaginator

from generator.exceptions import ConfigError, InternalError, PullError
from generator.inputs.pull.http import Api, error_detail, pages
from generator.inputs.pull.records import DELETED, RawTable, emit, text
from generator.inputs.pull.settings import PullSettings, SalesforceSettings, Secret, check_url

log = logging.getLogger(__name__)

_NAMES = NamingConvention()


@dataclass(frozen=True)
class SObject:
    """One Salesforce object the pull reads."""

    name: str
    fields: tuple[str, ...]
    cursor: str | None = "SystemModstamp"
    """The field a nightly pull filters on (None: read whole every time)."""
    deletable: bool = True
    """Has IsDeleted (queryAll); User and UserRole do not."""
    where: str = ""

    @property
    def table(self) -> str:
        """Return the raw table's name (Fivetran's: LeadHistory -> lead_history)."""
        return _NAMES.normalize_table_identifier(self.name)


# The objects' standard fields; objects() adds the org's own (crm_source.yml).
_LEAD_FIELDS = (
    "Id",
    "IsDeleted",
    "CreatedDate",
    "LastModifiedDate",
    "SystemModstamp",
    "OwnerId",
    "Status",
    "LeadSource",
    "Company",
    "IsConverted",
    "ConvertedDate",
    "ConvertedOpportunityId",
    "ConvertedContactId",
    "ConvertedAccountId",
)
_LEAD_HISTORY_FIELDS = (
    "Id",
    "IsDeleted",
    "LeadId",
    "Field",
    "DataType",
    "OldValue",
    "NewValue",
    "CreatedDate",
    "CreatedById",
)
_OPPORTUNITY_FIELDS = (
    "Id",
    "IsDeleted",
    "Name",
    "AccountId",
    "StageName",
    "Amount",
    "Probability",
    "CloseDate",
    "IsWon",
    "IsClosed",
    "OwnerId",
    "LeadSource",
    "CreatedDate",
    "LastModifiedDate",
    "SystemModstamp",
)
# The objects no setting changes, in the order objects() lists them.
_ACTIVITY_OBJECTS = (
    SObject(
        "Task",
        (
            "Id",
            "IsDeleted",
            "WhoId",
            "WhatId",
            "OwnerId",
            "Type",
            "TaskSubtype",
            "Status",
            "ActivityDate",
            "CreatedDate",
            "CompletedDateTime",
            "SystemModstamp",
        ),
    ),
    SObject(
        "Event",
        (
            "Id",
            "IsDeleted",
            "WhoId",
            "WhatId",
            "OwnerId",
            "Type",
            "EventSubtype",
            "ActivityDate",
            "ActivityDateTime",
            "CreatedDate",
            "SystemModstamp",
        ),
    ),
)
_OPPORTUNITY_HISTORY_AND_USER_OBJECTS = (
    SObject(
        "OpportunityHistory",
        (
            "Id",
            "IsDeleted",
            "OpportunityId",
            "StageName",
            "Amount",
            "Probability",
            "CloseDate",
            "CreatedDate",
            "CreatedById",
            "SystemModstamp",
        ),
    ),
    SObject(
        "User",
        ("Id", "Name", "IsActive", "UserRoleId", "CreatedDate", "SystemModstamp"),
        cursor=None,
        deletable=False,
    ),
    SObject(
        "UserRole",
        ("Id", "Name", "DeveloperName", "ParentRoleId", "SystemModstamp"),
        cursor=None,
        deletable=False,
    ),
)


def objects(settings: SalesforceSettings) -> tuple[SObject, ...]:
    """Return the objects pulled, with the org's own fields (crm_source.yml) selected."""
    org = settings.org_fields
    lead_extra = [
        org.get(name)
        for name in (
            "mql_date_field",
            "sql_date_field",
            "disqualified_date_field",
            "disqualified_reason_field",
        )
    ]
    opp_extra = [org.get("proposal_date_field"), org.get("lost_reason_field")]
    fields = ", ".join(repr(field) for field in settings.lead_history_fields)
    return (
        SObject("Lead", _fields(*_LEAD_FIELDS, *lead_extra)),
        SObject(
            "LeadHistory", _LEAD_HISTORY_FIELDS, cursor="CreatedDate", where=f"Field IN ({fields})"
        ),
        *_ACTIVITY_OBJECTS,
        SObject("Opportunity", _fields(*_OPPORTUNITY_FIELDS, *opp_extra)),
        *_OPPORTUNITY_HISTORY_AND_USER_OBJECTS,
    )


def _fields(*names: str | None) -> tuple[str, ...]:
    return tuple(dict.fromkeys(name for name in names if name))


def tables(settings: SalesforceSettings) -> dict[str, RawTable]:
    """Return the raw tables a Salesforce pull writes (snake_case, as Fivetran lands them)."""
    return {
        o.table: RawTable(
            o.table,
            tuple(_NAMES.normalize_identifier(f) for f in o.fields),
            replace=o.cursor is None,
        )
        for o in objects(settings)
    }


def prune_sql(schema: str) -> list[tuple[tuple[str, ...], str]]:
    """Return (tables read, statement) pairs that drop history whose lead or deal is gone."""
    return [
        (
            (f"{parent}_history", parent),
            f"delete from {schema}.{parent}_history where {parent}_id not in "
            f"(select id from {schema}.{parent})",
        )
        for parent in ("lead", "opportunity")
    ]


@dlt.source(name="salesforce", max_table_nesting=0)
def salesforce_source(
    api: Api,
    settings: SalesforceSettings,
    since: datetime | None,
    full: bool,
    report: Callable[[str], None],
):
    """Return the dlt resources of one Salesforce pull."""
    pull = _Pull(api, settings, since, full, report)
    raw = tables(settings)
    return [
        dlt.resource(pull.read(sobject, raw[sobject.table]), name=sobject.table)
        for sobject in objects(settings)
    ]


class _Pull:
    """The fetching behind each resource; cursors live in dlt's source state."""

    def __init__(
        self,
        api: Api,
        settings: SalesforceSettings,
        since: datetime | None,
        full: bool,
        report: Callable[[str], None],
    ):
        self.api, self.settings, self.since, self.full = api, settings, since, full
        self.report = report
        self.root = f"services/data/v{settings.api_version}"

    def read(self, sobject: SObject, table: RawTable) -> Iterator:
        """Yield one object's changed and deleted records."""
        cursors = dlt.current.source_state().setdefault("cursors", {})
        start = (
            self.since.strftime("%Y-%m-%dT%H:%M:%SZ") if self.since else cursors.get(sobject.name)
        )
        newest = cursors.get(sobject.name)
        query = _soql(sobject, None if (self.full or sobject.cursor is None) else start)
        read = self._bulk if sobject.name in self.settings.bulk_objects else self._rest
        changed = deleted = 0
        for batch in read(sobject, query):
            rows = []
            for record in batch:
                # Named here as the table declares them (MQL_Date__c -> mql_date_c).
                row: dict[str, str | bool | None] = {
                    column: _value(record.get(field))
                    for field, column in zip(sobject.fields, table.columns, strict=True)
                }
                is_deleted = row.get("is_deleted") == "true"
                row[DELETED] = is_deleted
                deleted += is_deleted
                rows.append(row)
                stamp = record.get(sobject.cursor) if sobject.cursor else None
                stamp = _value(stamp)
                if stamp and (newest is None or _instant(stamp) > _instant(newest)):
                    newest = stamp
            changed += len(rows)
            yield emit(table, rows)
        if newest and sobject.cursor:
            cursors[sobject.name] = newest
        self.api.counts.rows[sobject.table] = changed
        how = "Bulk API 2.0" if sobject.name in self.settings.bulk_objects else "REST"
        self.report(f"{sobject.name}: {changed - deleted:,} changed, {deleted:,} deleted ({how})")

    def _rest(self, sobject: SObject, query: str) -> Iterator[list[dict]]:
        """Yield pages of a REST queryAll (query for objects without IsDeleted)."""
        verb = "queryAll" if sobject.deletable else "query"
        yield from pages(
            self.api,
            f"{self.root}/{verb}",
            JSONLinkPaginator("nextRecordsUrl"),
            params={"q": query},
            data_selector="records",
        )

    def _bulk(self, sobject: SObject, query: str) -> Iterator[list[dict]]:
        """Yield pages of a Bulk API 2.0 query job's CSV results."""
        job = self.api.post_json(
            f"{self.root}/jobs/query",
            {
                "operation": "queryAll" if sobject.deletable else "query",
                "query": query,
                "contentType": "CSV",
                "columnDelimiter": "COMMA",
                "lineEnding": "LF",
            },
        )
        job_id = job["id"]
        self._wait_for(job_id, sobject.name)
        locator: str | None = None
        for _ in range(1_000_000):  # bounded: each page names the next or "null"
            params = {"locator": locator} if locator else None
            response = self.api.request(
                "GET", f"{self.root}/jobs/query/{job_id}/results", params=params
            )
            yield list(csv.DictReader(io.StringIO(response.text)))
            locator = response.headers.get("Sforce-Locator")
            if not locator or locator == "null":
                return
        raise PullError(f"Salesforce: bulk job {job_id} kept naming further result pages")

    def _wait_for(self, job_id: str, name: str) -> None:
        """Return when the bulk job is complete; raise if it failed or took too long."""
        deadline = time.monotonic() + self.settings.max_job_seconds
        while True:
            job = self.api.get_json(f"{self.root}/jobs/query/{job_id}")
            state = job.get("state")
            if state == "JobComplete":
                return
            if state in ("Failed", "Aborted"):
                raise PullError(
                    f"Salesforce: the bulk query of {name} {state.lower()}: "
                    f"{job.get('errorMessage') or 'no reason given'}; nothing "
                    "was replaced"
                )
            if time.monotonic() > deadline:
                raise PullError(
                    f"Salesforce: the bulk query of {name} was still {state} "
                    f"after {self.settings.max_job_seconds:g} s "
                    "(pull.salesforce.max_job_seconds); nothing was replaced"
                )
            time.sleep(self.settings.poll_seconds)


def client_credentials(settings: PullSettings) -> tuple[Secret, str]:
    """Return an access token and the org's instance URL from a connected app's
    client credentials (OAuth 2.0 client credentials flow)."""
    if settings.client_credentials is None:  # load_pull_settings: a token, else these
        raise InternalError("Salesforce: client credentials asked for, none were read")
    client_id, secret = settings.client_credentials
    api = Api(settings, Secret(""))
    url = f"{settings.base_url}/services/oauth2/token"
    with api.translating(url):
        response = api.session.post(
            url,
            data={
                "grant_type": "client_credentials",
                "client_id": client_id,
                "client_secret": secret.reveal(),
            },
            hooks={"response": [api.observe]},
        )
    if response.status_code == 400:
        # An unknown client or a wrong secret: invalid_client / invalid_grant.
        raise ConfigError(
            f"Salesforce: token rejected: the connected app's client credentials were "
            f"refused ({error_detail(response)}); check "
            f"{settings.salesforce.client_id_env} and "
            f"{settings.salesforce.client_secret_env}. Nothing was replaced."
        )
    api.raise_for_status(response)
    answer = response.json()
    instance_url = answer.get("instance_url") or settings.base_url
    check_url("the token answer's instance_url", instance_url)
    return Secret(answer["access_token"]), instance_url


_REST_TIME = re.compile(r"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?)\+0000")


def _value(value) -> str | None:
    """Return a field's value as text; REST's `+0000` written `Z`, as Bulk API 2.0 writes it."""
    value = text(value)
    if value is not None and value.endswith("+0000"):
        value = _REST_TIME.sub(r"\1Z", value)
    return value


def _soql(sobject: SObject, start: str | None) -> str:
    """Return the SOQL of one object, filtered to changes since start when given."""
    # SOQL's datetime literal has no milliseconds; >= the second before loses nothing.
    literal = start and datetime.fromtimestamp(int(_instant(start)), UTC).strftime(
        "%Y-%m-%dT%H:%M:%SZ"
    )
    conditions = [c for c in (sobject.where, literal and f"{sobject.cursor} >= {literal}") if c]
    where = f" WHERE {' AND '.join(conditions)}" if conditions else ""
    return f"SELECT {', '.join(sobject.fields)} FROM {sobject.name}{where}"


def _instant(value: str) -> float:
    """Return a Salesforce datetime (2015-07-01T12:00:00.000+0000 or ...Z) as epoch seconds."""
    value = value.replace("Z", "+00:00")
    if value[-5] in "+-" and value[-3] != ":":
        value = f"{value[:-2]}:{value[-2:]}"
    return datetime.fromisoformat(value).timestamp()
