"""Fetching over HTTP for every importer: a GET with a timeout, retried with a back-off when
the server is unreachable or answers 429 or 5xx (honouring ``Retry-After``). A failure is a
problem at the URL, never an exception."""

from __future__ import annotations

import time
import urllib.error
import urllib.request
from collections.abc import Callable

from core.parsers import json_from_bytes
from core.problems import Problems

#: Answers worth asking again: too many requests, and the server's own failures.
RETRY_STATUSES = {429, 500, 502, 503, 504}
#: The longest wait between two tries, and the longest ``Retry-After`` honoured, in seconds.
MAX_BACKOFF = 30.0
MAX_RETRY_AFTER = 60.0


class Fetcher:
    """GETs with ``headers`` added; ``retries`` more tries after the first, waiting ``backoff``
    seconds before the first retry and twice as long before each one after."""

    def __init__(
        self,
        *,
        headers: dict[str, str] | None = None,
        timeout: float = 30,
        retries: int = 4,
        backoff: float = 1.0,
        sleep: Callable[[float], None] = time.sleep,
    ):
        self.headers = {"Accept": "application/json", "User-Agent": "occmaps-importer"}
        self.headers.update(headers or {})
        self.timeout = timeout
        self.retries = max(retries, 0)
        self.backoff = backoff
        self.sleep = sleep
        #: How many requests were sent, retries included.
        self.requests = 0

    def get(self, url: str, problems: Problems) -> bytes | None:
        """The body at ``url``, or None with the reason added to ``problems``."""
        attempts = self.retries + 1
        for attempt in range(1, attempts + 1):
            self.requests += 1
            request = urllib.request.Request(url, headers=self.headers)  # noqa: S310 - http(s)
            try:
                with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                    return response.read()
            except urllib.error.HTTPError as error:
                error.close()
                if error.code in RETRY_STATUSES and attempt < attempts:
                    self.sleep(self.delay(error.headers.get("Retry-After"), attempt))
                    continue
                problems.add(url, f"the server answered HTTP {error.code} {error.reason}")
                return None
            except (urllib.error.URLError, TimeoutError, OSError) as error:
                if attempt < attempts:
                    self.sleep(self.delay(None, attempt))
                    continue
                problems.add(url, f"cannot be fetched: {self.reason(error)}{tries(attempt)}")
                return None
        return None  # pragma: no cover - the loop always returns

    def get_json(self, url: str, problems: Problems):
        """The JSON document at ``url`` (UTF-8 text, NaN refused), or None with a problem."""
        body = self.get(url, problems)
        return None if body is None else json_from_bytes(body, url, problems)

    def delay(self, retry_after: str | None, attempt: int) -> float:
        if retry_after:
            try:
                return min(max(float(retry_after), 0.0), MAX_RETRY_AFTER)
            except ValueError:
                pass
        return min(self.backoff * 2 ** (attempt - 1), MAX_BACKOFF)

    def reason(self, error: OSError) -> str:
        if isinstance(error, TimeoutError):
            return f"no answer within {self.timeout:g} s"
        return str(getattr(error, "reason", error))


def tries(attempts: int) -> str:
    return f" (after {attempts} tries)" if attempts > 1 else ""
