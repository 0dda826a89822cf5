"""Reading the live Occupational Maps API.

It walks ``/Routes``, the occupation codes (from the routes when they list their occupations,
else from ``/Occupations``), ``/Occupations/{code}?expand=...`` and
``/OccupationalProgression/{code}``. Every request sends the ``X-API-KEY`` header, times out,
and is retried with a back-off when the API is unreachable or answers 429 or 5xx (honouring
``Retry-After``): ``core.fetching`` does it for every importer.
"""

from __future__ import annotations

import time
import urllib.parse
from collections.abc import Callable

from core.fetching import Fetcher
from core.parsers import clean_text
from core.problems import Problems
from importers.maps import MapData, check_consistency, documents, read_document
from importers.maps.documents import EXPAND


class ApiClient:
    """The live API at ``base_url``: every request sends the key, and goes through the one
    fetcher (``core.fetching``), which retries with a back-off."""

    def __init__(
        self,
        base_url: str,
        api_key: str = "",
        *,
        timeout: float = 30,
        retries: int = 4,
        backoff: float = 1.0,
        sleep: Callable[[float], None] = time.sleep,
    ):
        self.base_url = base_url.rstrip("/")
        self.fetcher = Fetcher(
            headers={"X-API-KEY": api_key} if api_key else {},
            timeout=timeout,
            retries=retries,
            backoff=backoff,
            sleep=sleep,
        )

    @property
    def requests(self) -> int:
        return self.fetcher.requests

    def url(self, path: str, **query) -> str:
        url = f"{self.base_url}/{path.lstrip('/')}"
        return f"{url}?{urllib.parse.urlencode(query)}" if query else url

    def get(self, url: str, problems: Problems):
        """The decoded JSON at ``url``, or None with the reason added to ``problems``."""
        return self.fetcher.get_json(url, problems)


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
