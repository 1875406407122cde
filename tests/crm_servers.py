"""Local HubSpot and Salesforce API servers for the pull tests (issue #21).

No CRM is reachable from CI, so these speak the documented endpoints on
127.0.0.1 and serve the records of a CRM export written by
tests/crm_exports.py (the demo world as HubSpot or Salesforce holds it):

- HubSpot: CRM v3 objects lists paged by `after`, the search API (filters,
  sorts, its 10,000-result cap), batch read with `propertiesWithHistory`,
  v4 associations batch read (each record's associations paged too),
  owners, deal pipelines, archived records, and the rate-limit headers of a
  ten-second window and a daily quota;
- Salesforce: REST `query`/`queryAll` with `nextRecordsUrl`, the Bulk API
  2.0 query job flow (create, poll until JobComplete, CSV results paged by
  `Sforce-Locator`), the OAuth client credentials flow, 410 for a retired
  API version.

Both check the bearer token, and can be told to fail: a 500 once, a 429
with Retry-After, an answer slower than the client's timeout. They read
and write only their own memory; `edit_*` methods change records as a
CRM user would (a new owner, a deletion), stamping them modified now.
"""

from __future__ import annotations

import csv
import io
import itertools
import json
import re
import socket
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlparse

from tests.crm_exports import SF_FIELDS, read_rows

TOKEN = "tok-test-3c1e8f2a9b7d"


@dataclass
class Fault:
    """Answer matching requests with a failure, `times` times."""

    path: str
    status: int = 500
    times: int = 1
    delay: float = 0.0
    """Seconds to wait before answering normally (a timeout when above the client's)."""
    headers: dict = field(default_factory=dict)
    body: object = None
    method: str | None = None


@dataclass
class Answer:
    status: int = 200
    body: object = None
    headers: dict = field(default_factory=dict)


class FakeServer:
    """A threaded HTTP server on 127.0.0.1 with faults, a token check and a request log."""

    def __init__(self) -> None:
        self.token = TOKEN
        self.faults: list[Fault] = []
        self.log: list[tuple[str, str]] = []
        self.lock = threading.RLock()
        handler = type("Handler", (_Handler,), {"app": self})
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.httpd.daemon_threads = True
        # A client that gave up (a timeout test) resets its connection: not news.
        self.httpd.handle_error = lambda request, address: None
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}"

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def answer(self, method: str, target: str, headers, body: bytes) -> Answer:
        """Return the answer to one request: a fault, a 401, or the API's."""
        parsed = urlparse(target)
        with self.lock:
            self.log.append((method, parsed.path))
            fault = next(
                (
                    f
                    for f in self.faults
                    if f.times > 0 and f.path in parsed.path and f.method in (None, method)
                ),
                None,
            )
            if fault:
                fault.times -= 1
        if fault and fault.delay:
            time.sleep(fault.delay)
        elif fault:
            return Answer(
                fault.status, fault.body or {"message": "injected failure"}, dict(fault.headers)
            )
        if not self.public(parsed.path) and headers.get("Authorization") != f"Bearer {self.token}":
            return self.unauthorized()
        query = {key: values[-1] for key, values in parse_qs(parsed.query).items()}
        document = (
            json.loads(body) if body and "json" in (headers.get("Content-Type") or "") else body
        )
        with self.lock:
            return self.route(method, parsed.path, query, document)

    def public(self, path: str) -> bool:
        return False

    def unauthorized(self) -> Answer:
        return Answer(401, {"message": "Authentication credentials not found"})

    def route(self, method, path, query, body) -> Answer:  # pragma: no cover - abstract
        raise NotImplementedError

    def requests_to(self, fragment: str) -> int:
        """Return how many requests reached a path containing fragment."""
        return sum(fragment in path for _, path in self.log)


class _Handler(BaseHTTPRequestHandler):
    app: FakeServer
    protocol_version = "HTTP/1.1"

    def _serve(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        try:
            answer = self.app.answer(self.command, self.path, self.headers, body)
        except Exception as error:  # a bug in the fake: say so, as a server would
            answer = Answer(599, {"message": f"fake server error: {error!r}"})
        if isinstance(answer.body, str):
            payload, kind = answer.body.encode("utf-8"), "text/csv"
        else:
            payload, kind = json.dumps(answer.body).encode("utf-8"), "application/json"
        try:
            self.send_response(answer.status)
            self.send_header("Content-Type", answer.headers.pop("Content-Type", kind))
            self.send_header("Content-Length", str(len(payload)))
            for name, value in answer.headers.items():
                self.send_header(name, str(value))
            self.end_headers()
            self.wfile.write(payload)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up waiting (a timeout test)

    do_GET = do_POST = do_DELETE = do_PATCH = _serve

    def setup(self) -> None:
        super().setup()
        # Headers and body go out in two writes: without this, Nagle's algorithm
        # and delayed ACKs add 40 ms to every request.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def log_message(self, *args) -> None:
        pass


def now_iso() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _ms(text: str) -> int:
    if text.isdigit():
        return int(text)
    return int(datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp() * 1000)


# -- HubSpot -------------------------------------------------------------------------

HS_OBJECTS = ("contacts", "calls", "emails", "meetings", "tasks", "deals")
HS_LOADED = "2015-10-16T03:00:00.000Z"


class FakeHubSpot(FakeServer):
    """HubSpot's CRM API over the records of a HubSpot export (tests/crm_exports.py)."""

    def __init__(
        self,
        export: Path,
        *,
        window_max: int = 10_000,
        window_ms: int = 10_000,
        daily_limit: int = 1_000_000,
        association_page: int = 500,
    ) -> None:
        super().__init__()
        self.records: dict[str, dict[str, dict]] = {name: {} for name in HS_OBJECTS}
        self.owners: list[dict] = []
        self.stages: list[dict] = []
        self.window_max, self.window_ms = window_max, window_ms
        self.window: list[float] = []
        self.daily_limit, self.daily_used = daily_limit, 0
        self.association_page = association_page
        self.retired = False
        self.search_cap = 10_000
        """Results one search pages through; HubSpot answers 400 beyond."""
        self.throttled = 0
        """429s answered because the ten-second window was exceeded."""
        self.windows_used_up = 0
        """Answers that used the window's last request (Remaining: 0, not a 429)."""
        self._load(export)

    # -- the records of the export -------------------------------------------------

    def _load(self, export: Path) -> None:
        for row in read_rows(export / "contact.csv"):
            properties = {
                k.removeprefix("property_"): v
                for k, v in row.items()
                if k.startswith("property_") and v != ""
            }
            created = properties.get("createdate", HS_LOADED)
            record = self._add("contacts", row["id"], properties, created)
            record["history"] = {
                "hubspot_owner_id": [
                    {
                        "value": properties.get("hubspot_owner_id", ""),
                        "timestamp": created,
                        "sourceType": "CRM_UI",
                        "sourceId": "userId:1",
                        "updatedByUserId": 1,
                    }
                ]
            }
        links: dict[str, list[str]] = {}
        for row in read_rows(export / "engagement_contact.csv"):
            links.setdefault(row["engagement_id"], []).append(row["contact_id"])
        details = {
            row["engagement_id"]: row
            for kind in ("call", "email", "meeting")
            for row in read_rows(export / f"engagement_{kind}.csv")
        }
        for row in read_rows(export / "engagement.csv"):
            kind = {"CALL": "calls", "MEETING": "meetings", "TASK": "tasks", "NOTE": None}.get(
                row["type"], "emails"
            )
            if kind is None:
                continue  # notes are not pulled
            detail = details.get(row["id"], {})
            properties = {
                k.removeprefix("property_"): v
                for k, v in detail.items()
                if k.startswith("property_") and v != ""
            }
            if kind == "emails":
                properties["hs_email_direction"] = row["type"]
            if kind == "tasks":
                properties.update(hs_task_type="LINKED_IN", hs_task_status="COMPLETED")
            record = self._add(kind, row["id"], properties, HS_LOADED)
            record["contacts"] = links.get(row["id"], [])
        deal_links: dict[str, list[str]] = {}
        for row in read_rows(export / "deal_contact.csv"):
            deal_links.setdefault(row["deal_id"], []).append(row["contact_id"])
        for row in read_rows(export / "deal.csv"):
            properties = {
                k.removeprefix("property_"): v
                for k, v in row.items()
                if k.startswith("property_") and v != ""
            }
            properties.update(
                dealstage=row["deal_pipeline_stage_id"],
                pipeline="default",
                hubspot_owner_id=row["owner_id"],
            )
            record = self._add(
                "deals", row["deal_id"], properties, properties.get("createdate", HS_LOADED)
            )
            record["contacts"] = deal_links.get(row["deal_id"], [])
        self.stages = [
            {
                "id": row["stage_id"],
                "label": row["label"],
                "displayOrder": number,
                "archived": False,
                "metadata": {"probability": row["probability"], "isClosed": row["closed_won"]},
            }
            for number, row in enumerate(read_rows(export / "deal_pipeline_stage.csv"))
        ]
        for number, row in enumerate(read_rows(export / "owner.csv")):
            self.owners.append(
                {
                    "id": row["owner_id"],
                    "firstName": row["first_name"],
                    "lastName": row["last_name"],
                    "email": row["email"],
                    "userId": 1000 + number,
                    "createdAt": row["created_at"],
                    "updatedAt": row["created_at"],
                    "archived": False,
                    "teams": [
                        {
                            "id": "T-" + row["owner_id"][0],
                            "name": row["owner_id"][0],
                            "primary": True,
                        }
                    ],
                }
            )

    def _add(self, kind: str, record_id: str, properties: dict, created: str) -> dict:
        modified = "lastmodifieddate" if kind == "contacts" else "hs_lastmodifieddate"
        # Last modified when it happened: each record its own time, as in a real portal.
        properties.setdefault(modified, properties.get("hs_timestamp") or created)
        record = {
            "id": record_id,
            "properties": properties,
            "createdAt": created,
            "updatedAt": properties[modified],
            "archived": False,
        }
        self.records[kind][record_id] = record
        return record

    # -- edits, as a user would make them ----------------------------------------------

    def touch(self, kind: str, record_id: str, **properties) -> None:
        """Change properties of a record, stamping it modified now."""
        record = self.records[kind][record_id]
        stamp = now_iso()
        for name, value in properties.items():
            if name in record.get("history", {}):
                record["history"][name].insert(
                    0,
                    {
                        "value": value,
                        "timestamp": stamp,
                        "sourceType": "CRM_UI",
                        "sourceId": "userId:2",
                        "updatedByUserId": 2,
                    },
                )
            record["properties"][name] = value
        modified = "lastmodifieddate" if kind == "contacts" else "hs_lastmodifieddate"
        record["properties"][modified] = stamp
        record["updatedAt"] = stamp

    def archive(self, kind: str, record_id: str) -> None:
        """Archive (delete) a record; its associations go with it."""
        record = self.records[kind][record_id]
        record["archived"] = True
        record["archivedAt"] = record["updatedAt"] = now_iso()

    def create(self, kind: str, record_id: str, properties: dict, contacts: list[str]) -> None:
        record = self._add(kind, record_id, dict(properties), now_iso())
        record["contacts"] = contacts
        self.touch(kind, record_id)

    # -- the API ---------------------------------------------------------------------

    def answer(self, method, target, headers, body) -> Answer:
        with self.lock:
            self.daily_used += 1
            moment = time.monotonic()
            self.window = [t for t in self.window if moment - t < self.window_ms / 1000]
            self.window.append(moment)
            used, daily_left = len(self.window), self.daily_limit - self.daily_used
            self.windows_used_up += used == self.window_max
        limits = {
            "X-HubSpot-RateLimit-Max": self.window_max,
            "X-HubSpot-RateLimit-Interval-Milliseconds": self.window_ms,
            "X-HubSpot-RateLimit-Remaining": max(self.window_max - used, 0),
            "X-HubSpot-RateLimit-Daily": self.daily_limit,
            "X-HubSpot-RateLimit-Daily-Remaining": max(daily_left, 0),
        }
        if daily_left < 0:
            answer = Answer(
                429,
                {
                    "status": "error",
                    "errorType": "RATE_LIMIT",
                    "policyName": "DAILY",
                    "message": "You have reached your daily limit.",
                },
            )
        elif used > self.window_max:
            self.throttled += 1
            answer = Answer(
                429,
                {
                    "status": "error",
                    "errorType": "RATE_LIMIT",
                    "policyName": "TEN_SECONDLY_ROLLING",
                    "message": "You have reached your ten_secondly_rolling limit.",
                },
                {"Retry-After": "1"},
            )
        else:
            answer = super().answer(method, target, headers, body)
        answer.headers = {**limits, **answer.headers}
        return answer

    def unauthorized(self) -> Answer:
        return Answer(
            401,
            {
                "status": "error",
                "category": "EXPIRED_AUTHENTICATION",
                "message": "The OAuth token used to make this call expired.",
            },
        )

    def route(self, method, path, query, body) -> Answer:
        if self.retired:
            return Answer(
                410,
                {
                    "status": "error",
                    "category": "OBJECT_NOT_FOUND",
                    "message": "This API version has been sunset.",
                },
            )
        parts = path.strip("/").split("/")
        if parts[:3] == ["crm", "v3", "owners"]:
            return self._owners(query)
        if parts[:4] == ["crm", "v3", "pipelines", "deals"]:
            return Answer(
                200,
                {
                    "results": [
                        {
                            "id": "default",
                            "label": "Sales Pipeline",
                            "displayOrder": 0,
                            "stages": self.stages,
                        }
                    ]
                },
            )
        if parts[:3] == ["crm", "v4", "associations"] and parts[-2:] == ["batch", "read"]:
            return self._associations(parts[3], body)
        if parts[:3] == ["crm", "v3", "objects"] and parts[3] in self.records:
            kind = parts[3]
            if len(parts) == 4 and method == "GET":
                return self._list(kind, query)
            if parts[4:] == ["search"]:
                return self._search(kind, body)
            if parts[4:] == ["batch", "read"]:
                return self._batch_read(kind, body)
        return Answer(404, {"status": "error", "message": f"no route {method} {path}"})

    def _page(self, items: list, after: str | None, limit: int) -> tuple[list, dict]:
        start = int(after or 0)
        chunk = items[start : start + limit]
        paging = {}
        if start + limit < len(items):
            paging = {
                "paging": {
                    "next": {"after": str(start + limit), "link": "https://api.example/ignored"}
                }
            }
        return chunk, paging

    def _shown(self, record: dict, properties: list[str]) -> dict:
        shown = {
            "id": record["id"],
            "createdAt": record["createdAt"],
            "updatedAt": record["updatedAt"],
            "archived": record["archived"],
            "properties": {
                p: record["id"] if p == "hs_object_id" else record["properties"].get(p)
                for p in properties
            },
        }
        if record["archived"]:
            shown["archivedAt"] = record["archivedAt"]
        return shown

    def _list(self, kind: str, query: dict) -> Answer:
        limit = int(query.get("limit", 10))
        if limit > 100:
            return Answer(400, {"status": "error", "message": "limit must be at most 100"})
        archived = query.get("archived", "false") == "true"
        properties = [p for p in query.get("properties", "").split(",") if p]
        items = [
            r
            for r in sorted(self.records[kind].values(), key=lambda r: r["id"])
            if r["archived"] == archived
        ]
        chunk, paging = self._page(items, query.get("after"), limit)
        return Answer(200, {"results": [self._shown(r, properties) for r in chunk], **paging})

    def _search(self, kind: str, body: dict) -> Answer:
        limit, after = int(body.get("limit", 10)), int(body.get("after") or 0)
        if limit > 200:
            return Answer(400, {"status": "error", "message": "limit must be at most 200"})
        if after + limit > self.search_cap:
            return Answer(
                400,
                {
                    "status": "error",
                    "category": "VALIDATION_ERROR",
                    "message": f"Search results are limited to {self.search_cap}",
                },
            )
        items = [r for r in self.records[kind].values() if not r["archived"]]
        compare = {"GTE": lambda a, b: a >= b, "GT": lambda a, b: a > b, "EQ": lambda a, b: a == b}
        for group in body.get("filterGroups", []):
            for condition in group["filters"]:
                name, operator = condition["propertyName"], condition["operator"]
                bound = condition["value"] if name == "hs_object_id" else int(condition["value"])
                items = [r for r in items if compare[operator](_search_value(r, name), bound)]
        for order in body.get("sorts", []):
            items.sort(
                key=lambda r: (_search_value(r, order["propertyName"]), r["id"]),
                reverse=order["direction"] == "DESCENDING",
            )
        chunk, paging = self._page(items, str(after), limit)
        return Answer(
            200,
            {
                "total": len(items),
                "results": [self._shown(r, body.get("properties", [])) for r in chunk],
                **paging,
            },
        )

    def _batch_read(self, kind: str, body: dict) -> Answer:
        history = body.get("propertiesWithHistory") or []
        if history and len(body["inputs"]) > 50:
            return Answer(
                400, {"status": "error", "message": "at most 50 inputs with propertiesWithHistory"}
            )
        results = []
        for item in body["inputs"]:
            record = self.records[kind].get(item["id"])
            if record is None or record["archived"]:
                continue
            shown = self._shown(record, body.get("properties", []))
            shown["propertiesWithHistory"] = {
                name: record.get("history", {}).get(name, []) for name in history
            }
            results.append(shown)
        return Answer(200, {"status": "COMPLETE", "results": results})

    def _associations(self, kind: str, body: dict) -> Answer:
        results = []
        contacts = self.records["contacts"]
        for item in body["inputs"]:
            record = self.records[kind].get(item["id"])
            if record is None or record["archived"]:
                continue
            linked = [
                c
                for c in record.get("contacts", [])
                if c in contacts and not contacts[c]["archived"]
            ]
            chunk, paging = self._page(linked, item.get("after"), self.association_page)
            results.append(
                {
                    "from": {"id": record["id"]},
                    "to": [
                        {
                            "toObjectId": c,
                            "associationTypes": [
                                {"category": "HUBSPOT_DEFINED", "typeId": 1, "label": None}
                            ],
                        }
                        for c in chunk
                    ],
                    **paging,
                }
            )
        return Answer(200, {"status": "COMPLETE", "results": results})

    def _owners(self, query: dict) -> Answer:
        archived = query.get("archived", "false") == "true"
        items = [o for o in self.owners if o["archived"] == archived]
        chunk, paging = self._page(items, query.get("after"), int(query.get("limit", 100)))
        return Answer(200, {"results": chunk, **paging})


def _search_value(record: dict, name: str):
    """Return what a search filters and sorts by: the id, or a time in milliseconds."""
    if name == "hs_object_id":
        return record["id"]
    return _ms(record["properties"].get(name) or "0")


# -- Salesforce ----------------------------------------------------------------------

SF_LOADED = "2015-10-16T03:00:00.000+0000"
SF_BOOLEANS = {"IsDeleted", "IsWon", "IsClosed", "IsConverted", "IsActive"}
SF_NUMBERS = {"Amount", "Probability"}
_SOQL = re.compile(r"SELECT (?P<fields>.+?) FROM (?P<object>\w+)(?: WHERE (?P<where>.+))?$")


class FakeSalesforce(FakeServer):
    """Salesforce's REST and Bulk API 2.0 over the records of a Data Loader export."""

    def __init__(
        self,
        export: Path,
        *,
        versions: tuple[str, ...] = ("62.0",),
        page_size: int = 2000,
        bulk_page: int = 2000,
    ) -> None:
        super().__init__()
        self.versions = versions
        self.page_size, self.bulk_page = page_size, bulk_page
        self.objects: dict[str, dict[str, dict]] = {}
        self.cursors: dict[str, list[dict]] = {}
        self.jobs: dict[str, dict] = {}
        self.ids = itertools.count(1)
        self.client = ("3MVG9-test-client", "client-secret-9d2f")
        self._load(export)

    def _load(self, export: Path) -> None:
        for name, fields in SF_FIELDS.items():
            rows = read_rows(export / f"{name.upper()}.csv")
            self.objects[name] = {}
            for row in rows:
                record = {f: _sf_value(f, row[f.upper()]) for f in fields}
                record["SystemModstamp"] = (
                    record.get("LastModifiedDate") or record.get("CreatedDate") or SF_LOADED
                )
                self.objects[name][record["Id"]] = record
        roles = {r["UserRoleId"] for r in self.objects["User"].values()}
        self.objects["UserRole"] = {
            role: {
                "Id": role,
                "Name": role[-3:],
                "DeveloperName": role,
                "ParentRoleId": None,
                "SystemModstamp": SF_LOADED,
            }
            for role in sorted(roles)
        }
        self.objects["LeadHistory"] = {}
        for lead in self.objects["Lead"].values():
            self._history("LeadHistory", lead["Id"], "created", None, None, lead["CreatedDate"])
        self.objects["OpportunityHistory"] = {}
        for opp in self.objects["Opportunity"].values():
            self._opportunity_history(opp, opp["CreatedDate"])

    def _history(self, kind: str, lead_id: str, field_name: str, old, new, created: str):
        row_id = f"017{next(self.ids):012d}"
        self.objects[kind][row_id] = {
            "Id": row_id,
            "IsDeleted": False,
            "LeadId": lead_id,
            "Field": field_name,
            "DataType": "EntityId" if field_name == "Owner" else None,
            "OldValue": old,
            "NewValue": new,
            "CreatedDate": created,
            "CreatedById": "005ADMIN",
        }

    def _opportunity_history(self, opp: dict, created: str) -> None:
        row_id = f"008{next(self.ids):012d}"
        self.objects["OpportunityHistory"][row_id] = {
            "Id": row_id,
            "IsDeleted": False,
            "OpportunityId": opp["Id"],
            "StageName": opp["StageName"],
            "Amount": opp["Amount"],
            "Probability": None,
            "CloseDate": opp["CloseDate"],
            "CreatedDate": created,
            "CreatedById": "005ADMIN",
            "SystemModstamp": created,
        }

    # -- edits -----------------------------------------------------------------------

    def touch(self, name: str, record_id: str, **fields) -> None:
        """Change fields of a record as a user would; owner and stage changes are history."""
        record = self.objects[name][record_id]
        stamp = now_iso().replace("Z", "+0000")
        if name == "Lead" and "OwnerId" in fields:
            self._history(
                "LeadHistory", record_id, "Owner", record["OwnerId"], fields["OwnerId"], stamp
            )
        record.update(fields, SystemModstamp=stamp, LastModifiedDate=stamp)
        if name == "Opportunity" and "StageName" in fields:
            self._opportunity_history(record, stamp)

    def delete(self, name: str, record_id: str) -> None:
        """Move a record to the recycle bin; a lead's activities and history go with it."""
        stamp = now_iso().replace("Z", "+0000")
        self.objects[name][record_id].update(IsDeleted=True, SystemModstamp=stamp)
        if name == "Lead":
            for child in ("Task", "Event"):
                for record in self.objects[child].values():
                    if record["WhoId"] == record_id:
                        record.update(IsDeleted=True, SystemModstamp=stamp)
            for record in self.objects["LeadHistory"].values():
                if record["LeadId"] == record_id:
                    record["IsDeleted"] = True

    def create(self, name: str, record: dict) -> None:
        stamp = now_iso().replace("Z", "+0000")
        self.objects[name][record["Id"]] = {
            **record,
            "IsDeleted": False,
            "CreatedDate": stamp,
            "SystemModstamp": stamp,
        }

    # -- the API ---------------------------------------------------------------------

    def public(self, path: str) -> bool:
        return path == "/services/oauth2/token"

    def unauthorized(self) -> Answer:
        return Answer(
            401, [{"message": "Session expired or invalid", "errorCode": "INVALID_SESSION_ID"}]
        )

    def route(self, method, path, query, body) -> Answer:
        if path == "/services/oauth2/token":
            return self._token(body)
        match = re.fullmatch(r"/services/data/v([\d.]+)/(.*)", path)
        if not match:
            return Answer(404, [{"errorCode": "NOT_FOUND", "message": path}])
        version, rest = match.groups()
        if version not in self.versions:
            return Answer(
                410,
                [
                    {
                        "errorCode": "GONE",
                        "message": f"API version {version} "
                        "has been retired and is no longer available.",
                    }
                ],
            )
        if rest in ("query", "queryAll") and "q" in query:
            records = self._select(query["q"], include_deleted=rest == "queryAll")
            return self._rest_page(version, records, 0)
        if rest.startswith("query/"):
            token, _, start = rest.removeprefix("query/").rpartition("-")
            return self._rest_page(version, self.cursors[token], int(start), token)
        if rest == "jobs/query" and method == "POST":
            return self._create_job(body, version)
        job = re.fullmatch(r"jobs/query/(\w+)(/results)?", rest)
        if job:
            return self._job(job.group(1), bool(job.group(2)), query)
        return Answer(404, [{"errorCode": "NOT_FOUND", "message": path}])

    def _token(self, body: bytes) -> Answer:
        form = {k: v[-1] for k, v in parse_qs(body.decode("utf-8")).items()}
        if (form.get("client_id"), form.get("client_secret")) != self.client:
            return Answer(
                400, {"error": "invalid_client", "error_description": "invalid client credentials"}
            )
        return Answer(
            200,
            {
                "access_token": self.token,
                "instance_url": self.url,
                "token_type": "Bearer",
                "issued_at": "1444953600000",
            },
        )

    def _select(self, soql: str, include_deleted: bool) -> list[dict]:
        match = _SOQL.fullmatch(soql.strip())
        assert match, soql
        fields = [f.strip() for f in match["fields"].split(",")]
        records = list(self.objects[match["object"]].values())
        for condition in (match["where"] or "").split(" AND "):
            records = (
                [r for r in records if _matches(r, condition.strip())]
                if condition.strip()
                else records
            )
        if not include_deleted:
            records = [r for r in records if not r.get("IsDeleted")]
        return [
            {"attributes": {"type": match["object"]}, **{f: r.get(f) for f in fields}}
            for r in sorted(records, key=lambda r: r["Id"])
        ]

    def _rest_page(
        self, version: str, records: list[dict], start: int, token: str | None = None
    ) -> Answer:
        chunk = records[start : start + self.page_size]
        answer = {
            "totalSize": len(records),
            "done": start + self.page_size >= len(records),
            "records": chunk,
        }
        if not answer["done"]:
            token = token or f"01g{next(self.ids):015d}"
            self.cursors[token] = records
            answer["nextRecordsUrl"] = (
                f"/services/data/v{version}/query/{token}-{start + self.page_size}"
            )
        return Answer(200, answer)

    def _create_job(self, body: dict, version: str) -> Answer:
        job_id = f"750{next(self.ids):015d}"
        records = self._select(body["query"], include_deleted=body["operation"] == "queryAll")
        fields = [f.strip() for f in _SOQL.fullmatch(body["query"])["fields"].split(",")]
        self.jobs[job_id] = {
            "id": job_id,
            "operation": body["operation"],
            "state": "UploadComplete",
            "polls": 0,
            "records": records,
            "fields": fields,
            "apiVersion": float(version),
        }
        return Answer(
            200,
            {k: v for k, v in self.jobs[job_id].items() if k not in ("records", "fields", "polls")},
        )

    def _job(self, job_id: str, results: bool, query: dict) -> Answer:
        job = self.jobs.get(job_id)
        if job is None:
            return Answer(404, [{"errorCode": "NOT_FOUND", "message": "no such job"}])
        if not results:
            job["polls"] += 1
            job["state"] = "InProgress" if job["polls"] < 2 else "JobComplete"
            return Answer(
                200, {k: v for k, v in job.items() if k not in ("records", "fields", "polls")}
            )
        if job["state"] != "JobComplete":
            return Answer(412, [{"errorCode": "JOB_NOT_COMPLETE", "message": "not complete"}])
        start = int(query.get("locator") or 0)
        size = int(query.get("maxRecords") or self.bulk_page)
        chunk = job["records"][start : start + size]
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(job["fields"])
        for record in chunk:
            writer.writerow([_csv_value(record.get(f)) for f in job["fields"]])
        locator = str(start + size) if start + size < len(job["records"]) else "null"
        return Answer(
            200, out.getvalue(), {"Sforce-Locator": locator, "Sforce-NumberOfRecords": len(chunk)}
        )


def _sf_value(field_name: str, text: str):
    if field_name in SF_BOOLEANS:
        return text == "true"
    if field_name in SF_NUMBERS:
        return float(text) if text else None
    if text and re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", text):
        return text.replace("Z", "+0000")  # REST writes +0000 where Data Loader writes Z
    return text or None


def _csv_value(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str) and value.endswith("+0000"):
        return value.replace("+0000", "Z")  # Bulk API 2.0 CSV writes Z
    return str(value)


def _matches(record: dict, condition: str) -> bool:
    name, operator, value = re.fullmatch(r"(\w+) (IN|>=) (.+)", condition).groups()
    if operator == "IN":
        return str(record.get(name)) in re.findall(r"'([^']*)'", value)
    stamp = record.get(name)
    moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return stamp is not None and datetime.fromisoformat(stamp.replace("+0000", "+00:00")) >= moment
