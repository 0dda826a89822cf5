"""What the parts of the page benchmark share: the host, the servers' settings, the pages,
the targets, and the shapes of the results."""

from __future__ import annotations

import statistics
import sys
from dataclasses import dataclass, field

HOST = "127.0.0.1"
# Production settings (DEBUG off) on loopback; no access log (the figures are the app's).
SERVER_ENV = {
    "DEBUG": "false",
    "SECRET_KEY": "bench-not-secret",
    "ALLOWED_HOSTS": "127.0.0.1,localhost",
    "SECURE_SSL_REDIRECT": "false",
    "GUNICORN_ACCESS_LOG": "",
}
# Whatever the caller's environment says about these, the servers use the defaults.
SCRUBBED = {
    "DEBUG",
    "DATABASE_URL",
    "DATABASE_REPLICA_URL",
    "CACHE_URL",
    "REDIS_URL",
    "PAGE_CACHE_SECONDS",
    "STATIC_ROOT",
    "PORT",
}
P95_LUA = """done = function(summary, latency, requests)
  io.write(string.format("bench-p95-us %d\\n", latency:percentile(95)))
end
"""

# The targets.
CACHED_SHARE = 0.85  # cached route map, of the static file's throughput
REVALIDATION_SHARE = 0.90  # a 304, of the static file's throughput
ROUTE_MAP_QUERIES = 10
#: Uncached median render times on PostgreSQL, by page.
PAGE_MS = {
    "route map": 30.0,
    "occupation": 15.0,
    "home": 10.0,
    "search with text": 20.0,
    "search with a typo": 20.0,
    "search, ONS job title": 20.0,
}


@dataclass(frozen=True)
class Page:
    key: str
    label: str


PAGES = (
    Page("home", "home"),
    Page("route map", "largest route map"),
    Page("occupation", "occupation with the most progression links"),
    Page("search", "search, no text"),
    Page("search with text", "search with text"),
    Page("search with a typo", "search with a misspelt word"),
    Page("search, ONS job title", "search finding an ONS job title"),
    Page("SOC unit group", "SOC 2020 unit group with the most occupations"),
    Page("CSV download", "CSV download (every occupation)"),
)


@dataclass
class Timing:
    seconds: list[float]
    size: int
    app_cpu_ms: float = 0.0  # gunicorn's CPU time per request
    db_cpu_ms: float = 0.0  # PostgreSQL's CPU time per request (for this database)

    @property
    def median_ms(self) -> float:
        return statistics.median(self.seconds) * 1000

    @property
    def p95_ms(self) -> float:
        return percentile(self.seconds, 95) * 1000


@dataclass
class WrkResult:
    requests_per_second: float
    requests: int
    latency_ms: dict[int, float]  # percentile -> milliseconds
    non_2xx_3xx: int
    socket_errors: int
    worker_boots: int = 0
    others: float = 0.0  # cores used by other processes during the run
    app_cpu_ms: float = 0.0  # gunicorn's CPU time per request
    db_cpu_ms: float = 0.0  # PostgreSQL's CPU time per request (for this database)
    client_cpu_ms: float = 0.0  # wrk's CPU time per request


@dataclass
class DatabaseResults:
    label: str
    probe: dict = field(default_factory=dict)
    uncached: dict[str, Timing] = field(default_factory=dict)
    cached: dict[str, Timing] = field(default_factory=dict)
    revalidated: dict[str, Timing] = field(default_factory=dict)  # 304s, with If-None-Match
    static: dict[str, Timing] = field(default_factory=dict)  # a static file of the same size
    wrk: dict[str, WrkResult] = field(default_factory=dict)
    memory: dict[str, dict[int, int]] = field(default_factory=dict)  # server -> pid -> KiB
    etag: str = ""
    settings: dict = field(default_factory=dict)
    render_others: float = 0.0  # cores used by other processes while timing the pages


def percentile(values: list[float], pct: float) -> float:
    """The nearest-rank percentile (what a load tester reports)."""
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * pct // 100))
    return ordered[int(rank) - 1]


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)
