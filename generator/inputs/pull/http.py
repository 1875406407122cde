"""One HTTP client per pull: dlt's retrying session plus what each CRM's limits say.

Retried, with dlt's exponential back-off honouring `Retry-After`: a 5xx, a
timeout or a dropped connection, and a 429 (HubSpot's ten-second window,
Salesforce's concurrent-request limit). Not retried, because waiting cannot
help: a rejected token (401/403: exit 3, "token rejected"), an API version
the vendor retired (410: exit 3, naming the setting), HubSpot's daily quota
used up (exit 7). HubSpot's rate-limit headers are read on every answer: when
the ten-second window has no request left, the pull waits the window out
before the next request instead of drawing a 429.

The token goes in an `Authorization` header built per request from a
`Secret`; it is in no URL, message or log line.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Literal

import requests
from dlt.sources.helpers.requests import Client
from dlt.sources.helpers.rest_client import RESTClient
from dlt.sources.helpers.rest_client.paginators import BasePaginator
from requests.auth import AuthBase

from generator.exceptions import ConfigError, PullError
from generator.inputs.pull.settings import PullSettings, Secret

log = logging.getLogger(__name__)

# HubSpot's rate-limit headers (developers.hubspot.com, API usage guidelines).
WINDOW_REMAINING = "X-HubSpot-RateLimit-Remaining"
WINDOW_MILLISECONDS = "X-HubSpot-RateLimit-Interval-Milliseconds"
DAILY_REMAINING = "X-HubSpot-RateLimit-Daily-Remaining"
DAILY_LIMIT = "X-HubSpot-RateLimit-Daily"


class TokenAuth(AuthBase):
    """Bearer token auth whose repr never shows the token."""

    def __init__(self, token: Secret) -> None:
        self._token = token

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        request.headers["Authorization"] = f"Bearer {self._token.reveal()}"
        return request

    def __repr__(self) -> str:
        return "TokenAuth(***)"


@dataclass
class Counts:
    """What a pull asked for, reported at the end ("objects, rows, requests, seconds")."""

    requests: int = 0
    """HTTP requests sent, retries included."""
    retries: int = 0
    """Failed attempts (429, 5xx, timeouts, dropped connections) and rate-limit waits."""
    rows: dict[str, int] = field(default_factory=dict)
    """Table -> rows fetched in this pull (changed and deleted records)."""


class Api:
    """The pull's HTTP client: retries, limits, auth and a request count."""

    def __init__(self, settings: PullSettings, token: Secret, base_url: str | None = None):
        self.settings = settings
        self.base_url = (base_url or settings.base_url).rstrip("/")
        self.auth = TokenAuth(token)
        self.counts = Counts()
        client = Client(
            request_timeout=settings.timeout_seconds,
            raise_for_status=False,
            status_codes=tuple(range(500, 600)),
            request_max_attempts=settings.max_attempts,
            retry_condition=self._retry_throttled,
            request_backoff_factor=settings.backoff_seconds,
            request_max_retry_delay=settings.max_wait_seconds,
        )
        self.session = client.session

    # -- requests ----------------------------------------------------------------

    def request(self, method: str, path_or_url: str, **kwargs) -> requests.Response:
        """Send one request (retried as the module says); return the successful answer."""
        url = (
            path_or_url
            if path_or_url.startswith(("http://", "https://"))
            else f"{self.base_url}/{path_or_url.lstrip('/')}"
        )
        with self.translating(url):
            response = self.session.request(
                method, url, auth=self.auth, hooks={"response": [self.observe]}, **kwargs
            )
        self.raise_for_status(response)
        return response

    @contextmanager
    def translating(self, url: str) -> Iterator[None]:
        """Turn what is left of a failure after the retries into one clear message."""
        try:
            yield
        except requests.HTTPError as error:
            if error.response is not None:  # None when raised without an answer
                self.raise_for_status(error.response)
            raise
        except requests.Timeout as error:
            raise PullError(
                f"{self.system}: no answer from {_where(url)} within "
                f"{self.settings.timeout_seconds:g} s, {self.settings.max_attempts} times "
                "(pull.timeout_seconds, pull.max_attempts); nothing was replaced"
            ) from error
        except requests.ConnectionError as error:
            reason = str(error.args[0] if error.args else error)
            raise PullError(
                f"{self.system}: cannot connect to {_where(url)} "
                f"({reason[:200]}); nothing was replaced"
            ) from error

    def get_json(self, path_or_url: str, **params) -> dict:
        """Return the JSON body of a GET."""
        return self.request("GET", path_or_url, params=params or None).json()

    def post_json(self, path: str, body: dict) -> dict:
        """Return the JSON body of a POST with a JSON body."""
        return self.request("POST", path, json=body).json()

    @property
    def system(self) -> str:
        """Return the CRM's name for messages."""
        return {"hubspot": "HubSpot", "salesforce": "Salesforce"}[self.settings.system]

    # -- answers -----------------------------------------------------------------

    def observe(self, response: requests.Response, *args, **kwargs) -> None:
        """Count every answer; stop at once on what no retry can fix; respect the window."""
        self.counts.requests += 1
        status = response.status_code
        if status in (401, 403):
            raise ConfigError(
                f"{self.system}: token rejected ({status} from {_where(response.url)}): it is "
                "wrong, expired or lacks the scopes the pull reads; set a valid one in "
                f"{self._token_setting()}. Nothing was replaced."
            )
        if status == 410:
            raise ConfigError(
                f"{self.system}: the API version in {_where(response.url)} is retired "
                f"({status} Gone): {self._version_hint()}. Nothing was replaced."
            )
        if status == 429 and self._daily_quota_used(response):
            raise PullError(
                f"{self.system}: the account's daily API quota is used up "
                f"(limit {response.headers.get(DAILY_LIMIT, 'unknown')} requests a day); "
                "the pull stopped and nothing was replaced. Run it again after midnight in "
                "the account's time zone."
            )
        if status == 429 or status >= 500:
            self.counts.retries += 1
            log.info("%s answered %s; retrying", _where(response.url), status)
        self._wait_out_window(response)

    def raise_for_status(self, response: requests.Response) -> None:
        """Turn an error answer left after the retries into a clear PullError."""
        if response.status_code < 400:
            return
        detail = error_detail(response)
        if response.status_code == 429:
            raise PullError(
                f"{self.system}: still rate-limited after "
                f"{self.settings.max_attempts} attempts ({detail}); nothing "
                "was replaced"
            )
        if response.status_code >= 500:
            raise PullError(
                f"{self.system}: {_where(response.url)} failed with "
                f"{response.status_code} {self.settings.max_attempts} times "
                f"({detail}); nothing was replaced"
            )
        raise PullError(
            f"{self.system}: {response.request.method} {_where(response.url)} "
            f"was refused: {response.status_code} {detail}; nothing was replaced"
        )

    def _retry_throttled(
        self, response: requests.Response | None, exception: BaseException | None
    ) -> bool:
        """Retry a 429 that a wait can cure (dlt waits Retry-After); count timeouts."""
        if isinstance(exception, requests.Timeout | requests.ConnectionError):
            self.counts.retries += 1
        return (
            response is not None
            and response.status_code == 429
            and not self._daily_quota_used(response)
        )

    @staticmethod
    def _daily_quota_used(response: requests.Response) -> bool:
        if response.headers.get(DAILY_REMAINING) == "0":
            return True
        try:
            body = response.json()
        except ValueError:
            return False
        return isinstance(body, dict) and str(body.get("policyName", "")).upper() == "DAILY"

    def _wait_out_window(self, response: requests.Response) -> None:
        """Sleep until HubSpot's rolling window has room when it has none left."""
        remaining = response.headers.get(WINDOW_REMAINING)
        window = response.headers.get(WINDOW_MILLISECONDS)
        if remaining != "0" or not window or not window.isdigit():
            return
        seconds = min(int(window) / 1000, self.settings.max_wait_seconds)
        log.info("%s: rate-limit window used up; waiting %.1f s", self.system, seconds)
        self.counts.retries += 1
        time.sleep(seconds)

    def _token_setting(self) -> str:
        chosen = getattr(self.settings, self.settings.system)
        if self.settings.system == "salesforce" and self.settings.token is None:
            return f"{chosen.client_id_env} and {chosen.client_secret_env}"
        return chosen.token_env

    def _version_hint(self) -> str:
        if self.settings.system == "salesforce":
            return (
                f"set pull.salesforce.api_version in crm_source.yml to a supported "
                f"version (now {self.settings.salesforce.api_version})"
            )
        return "this release of sla-report uses a HubSpot API HubSpot has retired; upgrade it"


def pages(
    api: Api,
    path: str,
    paginator: BasePaginator,
    *,
    method: Literal["GET", "POST"] = "GET",
    params: dict | None = None,
    body: dict | None = None,
    data_selector: str,
    max_pages: int = 1_000_000,
) -> Iterator[list[dict]]:
    """Yield the records of each page of a paged list, paged by one of dlt's paginators.

    The loop is bounded: more than max_pages pages is an error, never an
    endless pull.
    """
    client = RESTClient(base_url=api.base_url, session=api.session, auth=api.auth)
    url = path if path.startswith(("http://", "https://")) else f"{api.base_url}/{path}"
    count = 0
    with api.translating(url):
        for page in client.paginate(
            path,
            method=method,
            params=params,
            json=body,
            paginator=paginator,
            data_selector=data_selector,
            hooks={"response": [api.observe, _raise_http_error]},
        ):
            count += 1
            if count > max_pages:
                raise PullError(
                    f"{api.system}: {_where(url)}: more than {max_pages} pages; "
                    "stopping rather than looping"
                )
            yield list(page)


def _raise_http_error(response: requests.Response, *args, **kwargs) -> None:
    """Raise requests' HTTPError, which dlt's retry reads the status of."""
    response.raise_for_status()


def _where(url: str) -> str:
    """Return a URL without its query string (which may hold a SOQL query)."""
    return url.split("?", 1)[0]


def error_detail(response: requests.Response) -> str:
    """Return the API's own error message, short, never the request's headers."""
    try:
        body = response.json()
    except ValueError:
        return (response.text or response.reason or "").strip()[:200]
    if isinstance(body, list) and body and isinstance(body[0], dict):
        body = body[0]
    if isinstance(body, dict):
        code = body.get("errorCode") or body.get("category") or ""
        message = body.get("message") or ""
        return f"{code}: {message}".strip(": ")[:300]
    return str(body)[:200]
