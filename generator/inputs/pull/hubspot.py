"""HubSpot's CRM API as a dlt source: the tables `build --source hubspot` reads.

Endpoints (HubSpot CRM API v3, associations v4):

- records: `GET /crm/v3/objects/{type}` paged by `after` for a full pull;
  `POST /crm/v3/objects/{type}/search` with `lastmodifieddate` (contacts) or
  `hs_lastmodifieddate` (everything else) >= the last good pull's newest value,
  sorted by it, for a nightly pull. The search API stops at 10,000 results,
  so a longer list is read in slices, each starting at the newest value seen
  (a millisecond shared by more records than a slice: by `hs_object_id`);
- deletions: `GET /crm/v3/objects/{type}?archived=true` (archived records);
- owner history: `POST /crm/v3/objects/contacts/batch/read` with
  `propertiesWithHistory` (every value `hubspot_owner_id` ever had, with its time);
- associations: `POST /crm/v4/associations/{from}/contacts/batch/read`;
- owners and their teams: `GET /crm/v3/owners` (active and archived);
- deal pipelines and stages: `GET /crm/v3/pipelines/deals`.

Only the properties the report reads are requested: a contact's e-mail
address, name and phone number are never fetched.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Generator, Iterable, Iterator
from datetime import datetime

import dlt
from dlt.sources.helpers.rest_client.paginators import JSONResponseCursorPaginator

from generator.inputs.pull.http import Api, pages
from generator.inputs.pull.records import RawTable, emit, text, tombstones
from generator.inputs.pull.settings import HubSpotSettings

log = logging.getLogger(__name__)

SEARCH_LIMIT = 10_000
"""Results one search can page through (HubSpot answers 400 beyond)."""
HISTORY_BATCH = 50
"""Records per batch read with propertiesWithHistory (HubSpot's maximum)."""

CONTACT_PROPERTIES = (
    "createdate",
    "lastmodifieddate",
    "hubspot_owner_id",
    "hubspot_owner_assigneddate",
    "hs_analytics_source",
    "hs_analytics_source_data_1",
    "hs_analytics_source_data_2",
    "hs_latest_source",
    "company",
    "lifecyclestage",
    "hs_lead_status",
)
ENGAGEMENT_PROPERTIES = (
    "hs_timestamp",
    "hubspot_owner_id",
    "hs_engagement_source",
    "hs_createdate",
    "hs_lastmodifieddate",
)
KIND_PROPERTIES = {
    "call": ("hs_call_direction", "hs_call_status", "hs_call_disposition"),
    "email": ("hs_email_direction", "hs_email_status"),
    "meeting": ("hs_meeting_outcome", "hs_meeting_start_time"),
    "task": ("hs_task_status", "hs_task_type", "hs_task_completion_date"),
}
DEAL_PROPERTIES = (
    "dealname",
    "amount",
    "closedate",
    "createdate",
    "hs_lastmodifieddate",
    "dealstage",
    "pipeline",
    "hubspot_owner_id",
    "closed_lost_reason",
    "hs_is_closed_won",
    "hs_is_closed",
)
# The Fivetran engagement type: outgoing e-mails are EMAIL, the rest by direction.
EMAIL_TYPES = {
    "EMAIL": "EMAIL",
    "INCOMING_EMAIL": "INCOMING_EMAIL",
    "FORWARDED_EMAIL": "FORWARDED_EMAIL",
}


def contact_properties(settings: HubSpotSettings) -> tuple[str, ...]:
    """Return every contact property pulled: both families of lifecycle-stage dates."""
    dates = [
        name
        for stage in settings.lifecycle_stages
        for name in (f"hs_v2_date_entered_{stage}", f"hs_lifecyclestage_{stage}_date")
    ]
    return tuple(dict.fromkeys((*CONTACT_PROPERTIES, *dates, *settings.contact_properties)))


def _props(names: Iterable[str]) -> tuple[str, ...]:
    return tuple(f"property_{name}" for name in names)


# The tables whose columns no setting changes, in the order tables() lists them.
_HISTORY_AND_ENGAGEMENT_TABLES = (
    RawTable(
        "contact_property_history",
        (
            "contact_id",
            "name",
            "value",
            "timestamp",
            "source_type",
            "source_id",
            "updated_by_user_id",
        ),
        primary_key=("contact_id", "name", "timestamp"),
        merge_key=("contact_id",),
    ),
    RawTable("engagement", ("id", "type", "created_at", "updated_at")),
    RawTable(
        "engagement_contact",
        ("engagement_id", "contact_id"),
        primary_key=("engagement_id", "contact_id"),
        merge_key=("engagement_id",),
    ),
)
_DEAL_LINK_AND_OWNER_TABLES = (
    RawTable(
        "deal_contact",
        ("deal_id", "contact_id"),
        primary_key=("deal_id", "contact_id"),
        merge_key=("deal_id",),
    ),
    RawTable(
        "deal_pipeline_stage",
        (
            "stage_id",
            "pipeline_id",
            "pipeline_label",
            "label",
            "probability",
            "display_order",
            "is_closed",
            "archived",
        ),
        primary_key=("stage_id",),
        replace=True,
    ),
    RawTable(
        "owner",
        ("owner_id", "user_id", "first_name", "last_name", "created_at", "updated_at", "archived"),
        primary_key=("owner_id",),
        replace=True,
    ),
    RawTable(
        "owner_team",
        ("owner_id", "team_id", "team_name", "is_primary"),
        primary_key=("owner_id", "team_id"),
        replace=True,
    ),
)


def tables(settings: HubSpotSettings) -> dict[str, RawTable]:
    """Return the raw tables a HubSpot pull writes."""
    base = ("id", "created_at", "updated_at")
    found = [
        RawTable("contact", (*base, *_props(contact_properties(settings)))),
        *_HISTORY_AND_ENGAGEMENT_TABLES,
        RawTable("deal", (*base, *_props((*DEAL_PROPERTIES, *settings.deal_properties)))),
        *_DEAL_LINK_AND_OWNER_TABLES,
    ]
    for kind, extra in KIND_PROPERTIES.items():
        found.append(
            RawTable(
                f"engagement_{kind}",
                ("engagement_id", *_props((*ENGAGEMENT_PROPERTIES, *extra))),
                primary_key=("engagement_id",),
            )
        )
    return {table.name: table for table in found}


def prune_sql(schema: str) -> list[tuple[tuple[str, ...], str]]:
    """Return (tables read, statement) pairs that drop rows whose record is gone."""
    links = (
        ("engagement_contact", "engagement_id", "engagement"),
        ("deal_contact", "deal_id", "deal"),
    )
    return [
        (
            ("contact_property_history", "contact"),
            f"delete from {schema}.contact_property_history where contact_id not in "
            f"(select id from {schema}.contact)",
        ),
        *(
            (
                (f"engagement_{kind}", "engagement"),
                f"delete from {schema}.engagement_{kind} where engagement_id not in "
                f"(select id from {schema}.engagement)",
            )
            for kind in KIND_PROPERTIES
        ),
        *(
            (
                (link, parent, "contact"),
                f"delete from {schema}.{link} where {key} not in "
                f"(select id from {schema}.{parent}) "
                f"or contact_id not in (select id from {schema}.contact)",
            )
            for link, key, parent in links
        ),
    ]


@dlt.source(name="hubspot", max_table_nesting=0)
def hubspot_source(
    api: Api,
    settings: HubSpotSettings,
    since: datetime | None,
    full: bool,
    report: Callable[[str], None],
):
    """Return the dlt resources of one HubSpot pull."""
    pull = _Pull(api, settings, since, full, report, tables(settings))
    return [
        dlt.resource(pull.contacts(), name="contacts"),
        *(dlt.resource(pull.engagements(kind), name=f"{kind}s") for kind in KIND_PROPERTIES),
        dlt.resource(pull.deals(), name="deals"),
        dlt.resource(pull.owners(), name="owners"),
        dlt.resource(pull.stages(), name="deal_stages"),
    ]


class _Pull:
    """The fetching behind each resource; cursors live in dlt's source state."""

    def __init__(
        self,
        api: Api,
        settings: HubSpotSettings,
        since: datetime | None,
        full: bool,
        report: Callable[[str], None],
        raw: dict[str, RawTable],
    ):
        self.api, self.settings, self.since, self.full = api, settings, since, full
        self.report, self.raw = report, raw

    # -- resources ---------------------------------------------------------------

    def contacts(self) -> Iterator:
        """Yield changed contacts, their owner history, and deletions."""
        changed = deleted = 0
        for batch in self._changed(
            "contacts", "lastmodifieddate", contact_properties(self.settings)
        ):
            changed += len(batch)
            yield emit(self.raw["contact"], (_record(r) for r in batch))
            ids = [r["id"] for r in batch]
            yield emit(self.raw["contact_property_history"], self._history(ids))
        for ids in self._archived("contacts"):
            deleted += len(ids)
            yield tombstones(self.raw["contact"], ids)
        self._done("contacts", changed, deleted)

    def engagements(self, kind: str) -> Iterator:
        """Yield changed calls, e-mails, meetings or tasks with their contacts."""
        properties = (*ENGAGEMENT_PROPERTIES, *KIND_PROPERTIES[kind])
        changed = deleted = 0
        for batch in self._changed(f"{kind}s", "hs_lastmodifieddate", properties):
            changed += len(batch)
            yield emit(self.raw["engagement"], (_engagement(kind, r) for r in batch))
            yield emit(
                self.raw[f"engagement_{kind}"],
                ({"engagement_id": r["id"], **_record(r, with_id=False)} for r in batch),
            )
            yield emit(
                self.raw["engagement_contact"],
                self._associations(f"{kind}s", [r["id"] for r in batch], "engagement_id"),
            )
        for ids in self._archived(f"{kind}s"):
            deleted += len(ids)
            yield tombstones(self.raw["engagement"], ids)
        self._done(f"{kind}s", changed, deleted)

    def deals(self) -> Iterator:
        """Yield changed deals with their contacts, and deletions."""
        properties = (*DEAL_PROPERTIES, *self.settings.deal_properties)
        changed = deleted = 0
        for batch in self._changed("deals", "hs_lastmodifieddate", properties):
            changed += len(batch)
            yield emit(self.raw["deal"], (_record(r) for r in batch))
            yield emit(
                self.raw["deal_contact"],
                self._associations("deals", [r["id"] for r in batch], "deal_id"),
            )
        for ids in self._archived("deals"):
            deleted += len(ids)
            yield tombstones(self.raw["deal"], ids)
        self._done("deals", changed, deleted)

    def owners(self) -> Iterator:
        """Yield every owner, active and deactivated (archived), with their teams."""
        owners: list[dict] = []
        teams: list[dict] = []
        for archived in ("false", "true"):
            for batch in pages(
                self.api,
                "crm/v3/owners",
                _cursor(),
                data_selector="results",
                params={"limit": 100, "archived": archived},
            ):
                for owner in batch:
                    owners.append(_owner(owner, archived))
                    teams.extend(
                        {
                            "owner_id": text(owner["id"]),
                            "team_id": text(team["id"]),
                            "team_name": text(team.get("name")),
                            "is_primary": text(team.get("primary")),
                        }
                        for team in owner.get("teams") or []
                    )
        yield emit(self.raw["owner"], owners)
        yield emit(self.raw["owner_team"], teams)
        self.report(f"owners: {len(owners):,} owners, {len(teams):,} team memberships")

    def stages(self) -> Iterator:
        """Yield every deal stage of every deal pipeline."""
        rows = []
        for pipeline in self.api.get_json("crm/v3/pipelines/deals").get("results", []):
            for stage in pipeline.get("stages", []):
                metadata = stage.get("metadata") or {}
                rows.append(
                    {
                        "stage_id": text(stage["id"]),
                        "pipeline_id": text(pipeline["id"]),
                        "pipeline_label": text(pipeline.get("label")),
                        "label": text(stage.get("label")),
                        "probability": text(metadata.get("probability")),
                        "display_order": text(stage.get("displayOrder")),
                        "is_closed": text(metadata.get("isClosed")),
                        "archived": text(stage.get("archived")),
                    }
                )
        yield emit(self.raw["deal_pipeline_stage"], rows)
        self.report(f"deal stages: {len(rows):,} stages")

    # -- fetching ----------------------------------------------------------------

    def _changed(
        self, object_type: str, modified: str, properties: Iterable[str]
    ) -> Iterator[list[dict]]:
        """Yield pages of records changed since the cursor (all of them on a full pull)."""
        properties = list(dict.fromkeys(properties))
        cursors = dlt.current.source_state().setdefault("cursors", {})
        start = self.since.isoformat() if self.since else cursors.get(object_type)
        newest = cursors.get(object_type)
        if self.full or start is None:
            batches = pages(
                self.api,
                f"crm/v3/objects/{object_type}",
                _cursor(),
                data_selector="results",
                params={
                    "limit": self.settings.page_size,
                    "archived": "false",
                    "properties": ",".join(properties),
                },
            )
        else:
            batches = self._search(object_type, modified, properties, start)
        for batch in batches:
            for record in batch:
                value = (record.get("properties") or {}).get(modified) or record.get("updatedAt")
                if value and (newest is None or _instant(value) > _instant(newest)):
                    newest = value
            yield batch
        if newest:
            cursors[object_type] = newest

    def _search(
        self, object_type: str, modified: str, properties: list[str], start: str
    ) -> Iterator[list[dict]]:
        """Yield pages of the search API from `start`, in slices under its 10,000 cap.

        Each slice starts at the newest modification time the last one reached;
        more records than a slice sharing one millisecond are read by id.
        """
        seen: set[str] = set()
        bound = _epoch_ms(start)
        for _ in range(100_000):  # bounded: every slice moves the bound forward
            filters = [{"propertyName": modified, "operator": "GTE", "value": str(bound)}]
            last = yield from self._slice(object_type, properties, filters, modified, seen)
            if last is None:
                return
            reached = _epoch_ms(last)
            if reached <= bound:
                yield from self._same_time(object_type, properties, modified, bound, seen)
                reached = bound + 1
            bound = reached

    def _same_time(
        self, object_type: str, properties: list[str], modified: str, moment: int, seen: set[str]
    ) -> Iterator[list[dict]]:
        """Yield every record modified in one millisecond, sliced by record id."""
        after: str | None = None
        for _ in range(100_000):  # bounded: every slice moves the id forward
            filters = [{"propertyName": modified, "operator": "EQ", "value": str(moment)}]
            if after is not None:
                filters.append({"propertyName": "hs_object_id", "operator": "GT", "value": after})
            after = yield from self._slice(object_type, properties, filters, "hs_object_id", seen)
            if after is None:
                return

    def _slice(
        self,
        object_type: str,
        properties: list[str],
        filters: list[dict],
        order: str,
        seen: set[str],
    ) -> Generator[list[dict], None, str | None]:
        """Yield new records of one search, sorted by `order`, until the cap is near.

        Return the last value of `order` read when the cap stopped it, None
        when the search ran to its end.
        """
        size = self.settings.search_page_size
        body = {
            "filterGroups": [{"filters": filters}],
            "sorts": [{"propertyName": order, "direction": "ASCENDING"}],
            "properties": list(dict.fromkeys((*properties, order))),
            "limit": size,
        }
        fetched = 0
        for batch in pages(
            self.api,
            f"crm/v3/objects/{object_type}/search",
            _cursor(body=True),
            method="POST",
            body=body,
            data_selector="results",
        ):
            fresh = [record for record in batch if record["id"] not in seen]
            seen.update(record["id"] for record in batch)
            yield fresh
            fetched += len(batch)
            if batch and fetched + size > SEARCH_LIMIT:
                last = batch[-1]
                return (last.get("properties") or {}).get(order) or last["id"]
        return None

    def _archived(self, object_type: str) -> Iterator[list[str]]:
        """Yield pages of archived record ids (nothing on a full pull: nothing stored)."""
        if self.full:
            return
        for batch in pages(
            self.api,
            f"crm/v3/objects/{object_type}",
            _cursor(),
            data_selector="results",
            params={"limit": self.settings.page_size, "archived": "true"},
        ):
            # A record id is never empty: str() gives what text() would, typed str.
            yield [str(record["id"]) for record in batch]

    def _history(self, ids: list[str]) -> Iterator[dict]:
        """Yield every past value of the history properties of these contacts."""
        wanted = list(self.settings.history_properties)
        for start in range(0, len(ids), HISTORY_BATCH):
            answer = self.api.post_json(
                "crm/v3/objects/contacts/batch/read",
                {
                    "inputs": [{"id": i} for i in ids[start : start + HISTORY_BATCH]],
                    "properties": wanted,
                    "propertiesWithHistory": wanted,
                },
            )
            for record in answer.get("results", []):
                for name, values in (record.get("propertiesWithHistory") or {}).items():
                    for value in values:
                        yield {
                            "contact_id": text(record["id"]),
                            "name": name,
                            "value": text(value.get("value")),
                            "timestamp": text(value.get("timestamp")),
                            "source_type": text(value.get("sourceType")),
                            "source_id": text(value.get("sourceId")),
                            "updated_by_user_id": text(value.get("updatedByUserId")),
                        }

    def _associations(self, object_type: str, ids: list[str], key: str) -> Iterator[dict]:
        """Yield (record, contact) pairs, following each record's own association pages."""
        pending = [{"id": i} for i in ids]
        for _ in range(100_000):  # bounded: each round reads the next page of each record
            if not pending:
                return
            batch, pending = (
                pending[: self.settings.batch_size],
                pending[self.settings.batch_size :],
            )
            answer = self.api.post_json(
                f"crm/v4/associations/{object_type}/contacts/batch/read", {"inputs": batch}
            )
            for result in answer.get("results", []):
                source = str(result["from"]["id"])  # never empty, as above
                for target in result.get("to", []):
                    yield {key: source, "contact_id": text(target["toObjectId"])}
                after = ((result.get("paging") or {}).get("next") or {}).get("after")
                if after:
                    pending.append({"id": source, "after": after})

    def _done(self, object_type: str, changed: int, deleted: int) -> None:
        self.api.counts.rows[object_type] = changed + deleted
        self.report(f"{object_type}: {changed:,} changed, {deleted:,} deleted")


def _cursor(body: bool = False) -> JSONResponseCursorPaginator:
    """Return dlt's paginator for HubSpot's `paging.next.after` cursor."""
    if body:
        return JSONResponseCursorPaginator(
            cursor_path="paging.next.after", cursor_body_path="after"
        )
    return JSONResponseCursorPaginator(cursor_path="paging.next.after", cursor_param="after")


def _record(record: dict, with_id: bool = True) -> dict:
    # hs_object_id is the id itself, asked for only to slice a long search.
    row = {
        f"property_{name}": text(value)
        for name, value in (record.get("properties") or {}).items()
        if name != "hs_object_id"
    }
    if with_id:
        row.update(
            id=text(record["id"]),
            created_at=text(record.get("createdAt")),
            updated_at=text(record.get("updatedAt")),
        )
    return row


def _engagement(kind: str, record: dict) -> dict:
    kind_type = kind.upper()
    if kind == "email":
        direction = (record.get("properties") or {}).get("hs_email_direction") or "EMAIL"
        kind_type = EMAIL_TYPES.get(direction, direction)
    return {
        "id": text(record["id"]),
        "type": kind_type,
        "created_at": text(record.get("createdAt")),
        "updated_at": text(record.get("updatedAt")),
    }


def _owner(owner: dict, archived: str) -> dict:
    return {
        "owner_id": text(owner["id"]),
        "user_id": text(owner.get("userId")),
        "first_name": text(owner.get("firstName")),
        "last_name": text(owner.get("lastName")),
        "created_at": text(owner.get("createdAt")),
        "updated_at": text(owner.get("updatedAt")),
        "archived": archived,
    }


def _instant(value: str) -> float:
    """Return a HubSpot timestamp (ISO 8601 or epoch milliseconds) as epoch seconds."""
    value = str(value)
    if value.isdigit():
        return int(value) / 1000
    return datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()


def _epoch_ms(value: str) -> int:
    return int(_instant(value) * 1000)
