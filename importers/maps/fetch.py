"""Reading the live Occupational Maps API.

It walks ``/Routes``, the occupation codes (from the routes when they list their occupations,
else from ``/Occupations``), ``/Occupations/{code}?expand=...`` and
``/OccupationalProgression/{code}``. Every request sends the ``X-API-KEY`` header, times out,
and is retried with a back-off on 429 and 5xx answers (honouring ``Retry-After``).
"""

from __future__ import annotations

import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable

from core.parsers import UNREADABLE, clean_text, parse_json
from core.problems import Problems
from importers.maps import MapData, check_consistency, documents, read_document
from importers.maps.documents import EXPAND

RETRY_STATUSES = {429, 500, 502, 503, 504}


class ApiClient:
    def __init__(
        self,
        base_url: str,
        api_key: str = "",
        *,
        timeout: float = 30,
        attempts: int = 5,
        backoff: float = 1.0,
        sleep: Callable[[float], None] = time.sleep,
    ):
        self.base_url = base_url.rstrip("/")
        self.api_key = api_key
        self.timeout = timeout
        self.attempts = attempts
        self.backoff = backoff
        self.sleep = sleep
        self.requests = 0

    def url(self, path: str, **query) -> str:
        url = f"{self.base_url}/{path.lstrip('/')}"
        return f"{url}?{urllib.parse.urlencode(query)}" if query else url

    def get(self, url: str, problems: Problems):
        """The decoded JSON at ``url``, or None with the reason added to ``problems``."""
        headers = {"Accept": "application/json", "User-Agent": "occmaps-importer"}
        if self.api_key:
            headers["X-API-KEY"] = self.api_key
        for attempt in range(1, self.attempts + 1):
            self.requests += 1
            request = urllib.request.Request(url, headers=headers)  # noqa: S310 - http(s) only
            try:
                with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                    body = response.read()
            except urllib.error.HTTPError as error:
                if error.code in RETRY_STATUSES and attempt < self.attempts:
                    self.sleep(self._delay(error.headers.get("Retry-After"), attempt))
                    continue
                problems.add(url, f"the API answered {error.code} {error.reason}")
                return None
            except (urllib.error.URLError, TimeoutError, OSError) as error:
                if attempt < self.attempts:
                    self.sleep(self._delay(None, attempt))
                    continue
                reason = getattr(error, "reason", error)
                problems.add(url, f"no answer from the API after {attempt} tries: {reason}")
                return None
            try:
                text = body.decode("utf-8-sig")
            except UnicodeDecodeError as error:
                problems.add(url, f"the API's answer is not UTF-8 text: {error}")
                return None
            document = parse_json(text, url, problems)
            return None if document is UNREADABLE else document
        return None  # pragma: no cover - the loop always returns

    def _delay(self, retry_after: str | None, attempt: int) -> float:
        if retry_after:
            try:
                return min(float(retry_after), 60.0)
            except ValueError:
                pass
        return min(self.backoff * 2 ** (attempt - 1), 30.0)


def read_api(client: ApiClient, *, progress: Callable[[str], None] | None = None):
    data = MapData()
    problems = Problems()
    routes = client.get(client.url("Routes"), problems)
    if routes is None:
        return data, problems
    if not isinstance(routes, list):
        problems.add(client.url("Routes"), "expected a list of routes")
        return data, problems
    read_document(routes, client.url("Routes"), data, problems)
    codes = documents.route_occupation_codes(routes)
    if not codes:
        listing = client.get(client.url("Occupations"), problems)
        if isinstance(listing, list):
            codes = documents.listed_codes(listing)
        elif listing is not None:
            problems.add(client.url("Occupations"), "expected a list of occupations")
    codes = list(dict.fromkeys(c for c in map(clean_text, codes) if c))
    for number, code in enumerate(codes, start=1):
        url = client.url(f"Occupations/{urllib.parse.quote(code)}", expand=EXPAND)
        document = client.get(url, problems)
        if document is not None:
            read_document(document, url, data, problems)
        url = client.url(f"OccupationalProgression/{urllib.parse.quote(code)}")
        edges = client.get(url, problems)
        if edges:
            read_document(edges, url, data, problems)
        if progress and (number % 100 == 0 or number == len(codes)):
            progress(f"Fetched {number} of {len(codes)} occupations ({client.requests} requests)")
    data.files = len(codes)
    check_consistency(data, problems)
    return data, problems
