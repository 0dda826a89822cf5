"""Time the public pages at national scale under gunicorn, on SQLite and on PostgreSQL.

For each database the script makes a fresh database (a temporary SQLite file, or a PostgreSQL
database it creates and drops), migrates it, imports the synthetic full-scale snapshot
(:mod:`benchmarks.snapshot`) with ``import_maps`` and the real ONS SOC files with ``import_soc``
(``fixtures/soc``, the bundled ONS files), and serves it with gunicorn and the committed
``gunicorn.conf.py`` (production settings: ``DEBUG`` off, static files collected into a temporary
``STATIC_ROOT`` and served by WhiteNoise), bound to 127.0.0.1 on free ports. Two servers run side
by side: one with the page cache (the default ``PAGE_CACHE_SECONDS``), one with it off
(``PAGE_CACHE_SECONDS=0``). Then it measures:

1. the render time of each page type, uncached: the median and p95 of ``--requests`` sequential
   requests from ``http.client`` over one keep-alive connection on loopback (no
   ``If-None-Match``), to the cache-off server; the same for the cache-on server for comparison;
2. the queries each page takes, through Django's test client with ``CaptureQueriesContext``, in a
   subprocess against the same database;
3. throughput and latency with ``wrk`` (``-t2 -c16 -d10s --latency``) for a static file of the
   route map's size (the ceiling), the cached route map, the route map with the cache off, a 304
   revalidation and the search page;
4. the resident memory (VmRSS) of each gunicorn worker after the run.

It prints a Markdown section (tables per database, the targets from the issue and whether each
is met, the machine and the exact command) and with ``--output FILE`` writes it there too::

    .venv/bin/python benchmarks/pages_bench.py --output benchmarks/out/pages.md

PostgreSQL is reached through ``BENCH_PG_URL`` (an account that may create databases; default
``postgres://postgres@127.0.0.1:5432/postgres``). ``wrk`` is Debian's package: the script
installs it with ``apt-get install -y wrk`` when it is missing and it runs as root.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import resource
import shlex
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from benchmarks.import_bench import (  # noqa: E402
    DEFAULT_PG_URL,
    BenchError,
    PostgresDatabases,
    SqliteDatabases,
    expect,
    load_average,
    machine_and_command,
    manage,
    redact,
)
from benchmarks.snapshot import FULL, write_snapshot  # noqa: E402

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
CEILING_FILE = "bench-ceiling.html"
P95_LUA = """done = function(summary, latency, requests)
  io.write(string.format("bench-p95-us %d\\n", latency:percentile(95)))
end
"""

# The targets.
CACHED_SHARE = 0.70  # cached route map, of the static file's throughput
REVALIDATION_SHARE = 0.80  # a 304, of the static file's throughput
ROUTE_MAP_MS = 60.0  # largest route map, uncached median, PostgreSQL
SEARCH_MS = 50.0  # search with text, uncached median, PostgreSQL
ROUTE_MAP_QUERIES = 10


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
    Page("SOC unit group", "SOC 2020 unit group with the most occupations"),
    Page("CSV download", "CSV download (every occupation, streamed)"),
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


# The machine's other work -----------------------------------------------------------------------
# The benchmark shares the machine: whatever else runs takes CPU from the servers. It is
# measured (the machine's busy time minus the servers' and the load generator's own) and, up
# to a budget of waiting, the measurements wait for the machine to be quiet.
TICKS = os.sysconf("SC_CLK_TCK")
CORES = os.cpu_count() or 1


def machine_ticks() -> tuple[int, int]:
    """All CPU time and the busy part of it since boot, in clock ticks (every core)."""
    values = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]]
    return sum(values), sum(values) - values[3] - values[4]  # less idle and iowait


def process_ticks(pid: int, children: bool = False) -> int:
    """A process's CPU ticks; with ``children``, those of its exited children too."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return 0
    ticks = int(fields[11]) + int(fields[12])  # utime, stime
    return ticks + (int(fields[13]) + int(fields[14]) if children else 0)  # cutime, cstime


def own_children_ticks() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (usage.ru_utime + usage.ru_stime) * TICKS


def backend_pids(databases) -> list[int]:
    """The PostgreSQL server processes serving the benchmark's database (none for SQLite)."""
    if not isinstance(databases, PostgresDatabases) or not databases.name:
        return []
    rows = databases.admin.execute(
        "SELECT pid FROM pg_stat_activity WHERE datname = %s", [databases.name]
    ).fetchall()
    return [pid for (pid,) in rows]


class CpuMeter:
    """The CPU time spent between :meth:`start` and :meth:`stop` by the app (the gunicorn
    servers), the database (the PostgreSQL processes serving its database), the clients (this
    script and the children it waited for: wrk) and everything else on the machine."""

    def __init__(self, servers=(), databases=None):
        self.servers = servers
        self.databases = databases

    def app_ticks(self) -> int:
        return sum(server.ticks() for server in self.servers)

    def backends(self) -> dict[int, int]:
        return {pid: process_ticks(pid) for pid in backend_pids(self.databases)}

    @staticmethod
    def client_ticks() -> float:
        return own_children_ticks() + process_ticks(os.getpid())

    def start(self) -> CpuMeter:
        self.total, self.busy = machine_ticks()
        self.app0, self.db0, self.client0 = self.app_ticks(), self.backends(), self.client_ticks()
        return self

    def stop(self) -> float:
        """Stop; return the cores that everything else kept busy meanwhile."""
        total, busy = machine_ticks()
        self.app = self.app_ticks() - self.app0
        # Backends that started meanwhile count whole; those that ended meanwhile are lost.
        self.db = sum(t - self.db0.get(pid, 0) for pid, t in self.backends().items())
        self.client = self.client_ticks() - self.client0
        elapsed = total - self.total
        ours = self.app + self.db + self.client
        self.others = max(0.0, (busy - self.busy) - ours) / elapsed * CORES if elapsed else 0.0
        return self.others

    def per_request_ms(self, ticks: float, requests: int) -> float:
        return ticks / TICKS * 1000 / max(1, requests)


class Quiet:
    """Wait (within a budget of seconds for the whole run) until other processes keep less
    than ``threshold`` cores busy."""

    def __init__(self, budget: float, threshold: float = 0.3):
        self.budget = budget
        self.threshold = threshold
        self.waited = 0.0

    def wait(self, servers=(), databases=None) -> None:
        announced = False
        while True:
            meter = CpuMeter(servers, databases).start()
            time.sleep(1.0)
            others = meter.stop()
            if others <= self.threshold or self.waited >= self.budget:
                if announced:
                    log(f"  ...going on with {others:.1f} cores busy elsewhere")
                return
            if not announced:
                log(f"Waiting for the machine to be quiet ({others:.1f} cores busy elsewhere)")
                announced = True
            self.waited += 1.0


# The app's environment ---------------------------------------------------------------------------
def base_env(database_url: str, static_root: Path, **extra: str) -> dict[str, str]:
    env = {
        k: v for k, v in os.environ.items() if k not in SCRUBBED and not k.startswith("GUNICORN_")
    }
    env.update(SERVER_ENV, DATABASE_URL=database_url, STATIC_ROOT=str(static_root), **extra)
    return env


def prepare_database(databases, snapshot: Path, occupations: int, soc_dir: Path | None) -> str:
    """A fresh database holding the snapshot and the SOC files; its URL."""
    url = databases.create(1)
    manage(["migrate", "--no-input"], url)
    run = manage(["import_maps", str(snapshot)], url)
    expect(run, rf"^Occupations: {occupations} ", f"{databases.label} import_maps")
    log(f"{databases.label}: {run.summary}")
    if soc_dir:
        run = manage(["import_soc", str(soc_dir)], url)
        expect(run, r"^SOC groups: ", f"{databases.label} import_soc")
        log(f"{databases.label}: {run.summary}")
    return url


def collectstatic(static_root: Path, database_url: str) -> None:
    env = base_env(database_url, static_root)
    process = subprocess.run(
        [sys.executable, str(REPO / "manage.py"), "collectstatic", "--no-input", "-v", "0"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if process.returncode:
        raise BenchError(f"collectstatic failed:\n{process.stdout[-2000:]}{process.stderr[-2000:]}")


def gunicorn_settings(env: dict[str, str]) -> dict:
    """What ``gunicorn.conf.py`` gives under ``env`` (as the servers will read it)."""
    code = (
        "import json, runpy; c = runpy.run_path('gunicorn.conf.py'); "
        "print(json.dumps({k: c[k] for k in ('workers', 'threads', 'timeout', 'keepalive', "
        "'max_requests', 'max_requests_jitter')}))"
    )
    process = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, env=env, capture_output=True, text=True, check=True
    )
    settings = json.loads(process.stdout)
    import gunicorn

    settings["version"] = gunicorn.__version__
    return settings


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def probe(env: dict[str, str], largest_route: str, host: str) -> dict:
    """Run :func:`probe_main` in a subprocess against the server's database."""
    process = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), "--probe", largest_route, "--host", host],
        cwd=REPO,
        env=env | {"PAGE_CACHE_SECONDS": "0", "LOG_LEVEL": "ERROR"},
        capture_output=True,
        text=True,
        check=False,
    )
    if process.returncode:
        raise BenchError(f"the query probe failed:\n{process.stderr[-4000:]}")
    return json.loads(process.stdout.strip().splitlines()[-1])


def probe_main(largest_route: str, host: str) -> int:
    """Pick the pages, and count each one's queries and bytes with Django's test client (the
    page cache emptied before each); print the findings as one line of JSON."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "occmaps.settings")
    django.setup()
    from django.core.cache import cache
    from django.db import connection
    from django.db.models import Count
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from occupations.models import Occupation
    from routes.models import Route
    from socmapping.models import SocGroup, SubUnitGroup

    busiest = (
        Occupation.objects.annotate(
            n=Count("progressions_out", distinct=True) + Count("progressions_in", distinct=True)
        )
        .order_by("-n", "code")
        .first()
    )
    units = SocGroup.objects.filter(version=2020, level="unit").annotate(
        n=Count("soc2020_mappings")
    )
    unit = (
        units.exclude(description="").order_by("-n", "code").first()
        or units.order_by("-n", "code").first()
    )
    paths = {
        "home": "/",
        "route map": f"/routes/{largest_route}/",
        "occupation": busiest.get_absolute_url(),
        "search": "/occupations/",
        "search with text": "/occupations/?q=engineer",
        "SOC unit group": unit.get_absolute_url(),
        "CSV download": "/occupations/occupations.csv",
    }
    client = Client(HTTP_HOST=host)
    queries, sizes = {}, {}
    for key, path in paths.items():
        cache.clear()
        with CaptureQueriesContext(connection) as captured:
            response = client.get(path)
            body = b"".join(response.streaming_content) if response.streaming else response.content
        if response.status_code != 200:
            raise SystemExit(f"{path}: {response.status_code}")
        queries[key], sizes[key] = len(captured), len(body)
    found = {
        "paths": paths,
        "queries": queries,
        "sizes": sizes,
        "occupation_links": busiest.n,
        "unit_group_occupations": unit.n,
        # For the soak: what there is to ask for.
        "routes": list(Route.objects.order_by("sequence").values_list("slug", flat=True)),
        "occupations": [o.get_absolute_url() for o in Occupation.objects.order_by("code")],
        "soc_groups": [
            g.get_absolute_url()
            for g in SocGroup.objects.filter(level="unit").order_by("version", "code")
        ],
        "sub_unit_groups": [
            s.get_absolute_url() for s in SubUnitGroup.objects.order_by("code")[:400]
        ],
    }
    print(json.dumps(found))
    return 0


# gunicorn ----------------------------------------------------------------------------------------
def control_socket_args() -> list[str]:
    """gunicorn 25.1+ opens a control socket at one fixed path per user: two servers (or a
    developer's own) would fight over it, so the benchmark's servers do without."""
    try:
        from gunicorn.config import ControlSocketDisable  # noqa: F401
    except ImportError:
        return []
    return ["--no-control-socket"]


class Server:
    """gunicorn with the committed ``gunicorn.conf.py``, on loopback, started and stopped by us."""

    def __init__(self, name: str, env: dict[str, str], port: int, log_path: Path):
        self.name = name
        self.port = port
        self.env = env | {"GUNICORN_BIND": f"{HOST}:{port}"}
        self.log_path = log_path
        self.process: subprocess.Popen | None = None

    def start(self, timeout: float = 60) -> Server:
        log_file = self.log_path.open("ab")
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "-c",
                "gunicorn.conf.py",
                *control_socket_args(),
                "occmaps.wsgi",
            ],
            cwd=REPO,
            env=self.env,
            stdout=log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        log_file.close()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise BenchError(f"gunicorn ({self.name}) exited:\n{self.log_tail()}")
            try:
                status, _, _, _ = request_once(self.port, "/healthz")
                if status == 200:
                    return self
            except OSError:
                pass
            time.sleep(0.2)
        raise BenchError(
            f"gunicorn ({self.name}) did not answer in {timeout:g} s:\n{self.log_tail()}"
        )

    def log_tail(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-3000:]
        except OSError:
            return ""

    def boots(self) -> int:
        """Workers booted so far (the first ones, and any recycled after ``max_requests``)."""
        try:
            return self.log_path.read_text(errors="replace").count("Booting worker with pid")
        except OSError:
            return 0

    def workers(self) -> list[int]:
        if not self.process:
            return []
        pid = self.process.pid
        try:
            children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
            return sorted(int(c) for c in children)
        except OSError:
            found = []
            for status in Path("/proc").glob("[0-9]*/status"):
                try:
                    text = status.read_text()
                except OSError:
                    continue
                if re.search(rf"^PPid:\s+{pid}$", text, re.MULTILINE):
                    found.append(int(status.parent.name))
            return sorted(found)

    def rss(self) -> dict[int, int]:
        """Each worker's resident memory, KiB."""
        sizes = {}
        for pid in self.workers():
            try:
                text = Path(f"/proc/{pid}/status").read_text()
            except OSError:
                continue
            match = re.search(r"^VmRSS:\s+(\d+) kB", text, re.MULTILINE)
            if match:
                sizes[pid] = int(match.group(1))
        return sizes

    def ticks(self) -> int:
        """CPU ticks of the master and its workers, recycled ones included."""
        if not self.process or self.process.poll() is not None:
            return 0
        pid = self.process.pid
        return process_ticks(pid, children=True) + sum(process_ticks(w) for w in self.workers())

    def wait_idle(self, timeout: float = 60) -> None:
        """Wait until the server has finished what it was doing (uses no CPU for a moment)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            before = self.ticks()
            time.sleep(0.5)
            if self.ticks() - before <= 2:
                return

    def stop(self) -> None:
        if not self.process or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)  # the master stops its workers
        try:
            self.process.wait(timeout=35)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)  # our own session, started above
            self.process.wait()

    def __enter__(self) -> Server:
        return self

    def __exit__(self, *exc) -> None:
        self.stop()


# HTTP -------------------------------------------------------------------------------------------
def request_once(port: int, path: str, headers: dict | None = None, timeout: float = 30):
    conn = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        conn.request("GET", path, headers=headers or {})
        response = conn.getresponse()
        body = response.read()
        return response.status, body, dict(response.getheaders()), response
    finally:
        conn.close()


class Client:
    """One keep-alive connection; reconnects when the server closes it between requests."""

    def __init__(self, port: int, timeout: float = 60):
        self.port = port
        self.timeout = timeout
        self.conn: http.client.HTTPConnection | None = None
        self.used = False

    def connect(self) -> None:
        self.close()
        self.conn = http.client.HTTPConnection(HOST, self.port, timeout=self.timeout)
        self.used = False

    def close(self) -> None:
        if self.conn:
            self.conn.close()
        self.conn = None

    def get(self, path: str, headers: dict | None = None) -> tuple[int, bytes, float, bool]:
        """Status, body, seconds, and whether a stale kept-alive connection had to be replaced
        first (the server closed it; like a browser, the request is sent again once)."""
        if self.conn is None:
            self.connect()
        retried = False
        while True:
            reused = self.used
            started = time.perf_counter()
            try:
                self.conn.request("GET", path, headers=headers or {})
                response = self.conn.getresponse()
                body = response.read()
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
                if not reused or retried:
                    self.close()
                    raise
                self.connect()
                retried = True
                continue
            elapsed = time.perf_counter() - started
            self.used = True
            if response.will_close:
                self.close()
            return response.status, body, elapsed, retried


def time_page(server: Server, path: str, count: int, databases=None, warmup: int = 3) -> Timing:
    client = Client(server.port)
    seconds = []
    size = 0
    meter = CpuMeter((server,), databases)
    try:
        for n in range(warmup + count):
            if n == warmup:
                meter.start()
            status, body, elapsed, _ = client.get(path)
            if status != 200:
                raise BenchError(f"GET {path} on port {server.port}: {status}")
            if n >= warmup:
                seconds.append(elapsed)
                size = len(body)
        meter.stop()
    finally:
        client.close()
    return Timing(
        seconds,
        size,
        app_cpu_ms=meter.per_request_ms(meter.app, count),
        db_cpu_ms=meter.per_request_ms(meter.db, count),
    )


# wrk --------------------------------------------------------------------------------------------
def ensure_wrk() -> str:
    found = shutil.which("wrk")
    if found:
        return found
    if os.geteuid() == 0 and shutil.which("apt-get"):
        log("wrk is missing: installing it with apt-get install -y wrk")
        for command in (["apt-get", "install", "-y", "wrk"], ["apt-get", "update"]):
            subprocess.run(command, capture_output=True, check=False)
            if shutil.which("wrk"):
                break
        else:
            subprocess.run(["apt-get", "install", "-y", "wrk"], capture_output=True, check=False)
        found = shutil.which("wrk")
        if found:
            return found
    raise BenchError(
        "wrk is not installed: `sudo apt-get install wrk` on Debian or Ubuntu (or build it from "
        "https://github.com/wg/wrk), then run this again"
    )


def wrk_version(wrk: str) -> str:
    process = subprocess.run([wrk, "-v"], capture_output=True, text=True, check=False)
    first = (process.stdout or process.stderr).strip().splitlines()[0]
    return first.split(" Copyright")[0].removeprefix("wrk ").strip()


UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def parse_wrk(output: str) -> WrkResult:
    rate = re.search(r"^Requests/sec:\s+([\d.]+)", output, re.MULTILINE)
    total = re.search(r"^\s*(\d+) requests in ", output, re.MULTILINE)
    if not rate or not total:
        raise BenchError(f"cannot read wrk's output:\n{output}")
    latency = {
        int(pct): float(value) * UNITS[unit]
        for pct, value, unit in re.findall(
            r"^\s+(50|75|90|99)%\s+([\d.]+)(us|ms|s|m)\s*$", output, re.MULTILINE
        )
    }
    p95 = re.search(r"^bench-p95-us (\d+)", output, re.MULTILINE)
    if p95:
        latency[95] = int(p95.group(1)) / 1000
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    sockets = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    return WrkResult(
        requests_per_second=float(rate.group(1)),
        requests=int(total.group(1)),
        latency_ms=latency,
        non_2xx_3xx=int(bad.group(1)) if bad else 0,
        socket_errors=sum(int(x) for x in sockets.groups()) if sockets else 0,
    )


def run_wrk(
    wrk: str, lua: Path, url: str, seconds: int, connections: int, threads: int, headers=()
) -> WrkResult:
    command = [wrk, f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency"]
    # wrk gives up on a request after 2 s by default and reconnects, while the server still
    # renders it: under a slow page that turns into a collapse of its own making.
    command += ["--timeout", "30s"]
    command += ["-s", str(lua)]
    for header in headers:
        command += ["-H", header]
    process = subprocess.run(
        [*command, url], capture_output=True, text=True, check=False, timeout=seconds + 60
    )
    if process.returncode:
        raise BenchError(f"wrk failed on {url}:\n{process.stdout}{process.stderr}")
    return parse_wrk(process.stdout)


# One database -----------------------------------------------------------------------------------
def bench_database(
    databases, args, snapshot: Path, counts: dict, soc_dir, work: Path, wrk: str, quiet: Quiet
) -> DatabaseResults:
    label = databases.label
    results = DatabaseResults(label)
    url = prepare_database(databases, snapshot, counts["occupations"], soc_dir)
    static_root = work / "static"
    if not (static_root / "staticfiles.json").exists():
        collectstatic(static_root, url)
    env = base_env(url, static_root)
    results.settings = gunicorn_settings(env)
    cached_port, uncached_port = free_port(), free_port()
    while uncached_port == cached_port:
        uncached_port = free_port()
    results.probe = probe(env, counts["largest_route"]["slug"], f"{HOST}:{cached_port}")
    paths = results.probe["paths"]
    route_map = paths["route map"]
    # The ceiling: a static file as big as the route map page, served by WhiteNoise (which
    # finds its files when a worker starts, so it is written first).
    (static_root / CEILING_FILE).write_bytes(
        b"<!doctype html>\n".ljust(results.probe["sizes"]["route map"], b"x")
    )
    slug = label.lower()
    cached = Server("page cache on", env, cached_port, work / f"gunicorn-{slug}-cached.log")
    uncached = Server(
        "page cache off",
        env | {"PAGE_CACHE_SECONDS": "0"},
        uncached_port,
        work / f"gunicorn-{slug}-uncached.log",
    )
    with cached, uncached:
        cached.start()
        uncached.start()
        log(
            f"{label}: gunicorn {results.settings['workers']} workers x "
            f"{results.settings['threads']} threads on ports {cached_port} (cache on) and "
            f"{uncached_port} (cache off)"
        )
        servers = (cached, uncached)
        quiet.wait(servers, databases)
        meter = CpuMeter(servers, databases).start()
        for page in PAGES:
            path = paths[page.key]
            results.uncached[page.key] = time_page(uncached, path, args.requests, databases)
            timing = results.uncached[page.key]
            log(
                f"{label}: {page.key}: {timing.median_ms:.1f} ms median, "
                f"{timing.p95_ms:.1f} ms p95 uncached ({timing.size:,} bytes)"
            )
            if page.key != "CSV download":  # streamed, so never cached
                results.cached[page.key] = time_page(cached, path, args.requests, databases)
        results.render_others = meter.stop()
        status, _, headers, _ = request_once(cached_port, route_map)
        results.etag = headers.get("ETag", "")
        if status != 200 or not results.etag:
            raise BenchError(f"{route_map}: {status}, ETag {results.etag!r}")
        lua = work / "p95.lua"
        lua.write_text(P95_LUA)
        scenarios = [
            ("static", cached, f"/static/{CEILING_FILE}", ()),
            ("cached", cached, route_map, ()),
            ("uncached", uncached, route_map, ()),
            ("304", cached, route_map, (f"If-None-Match: {results.etag}",)),
            ("search", uncached, paths["search with text"], ()),
        ]
        for key, server, path, headers in scenarios:
            target = f"http://{HOST}:{server.port}{path}"
            # A second of warming up, so that every worker has compiled its templates and
            # (with the cache on) holds the page.
            run_wrk(wrk, lua, target, 1, args.connections, args.threads, headers)
            server.wait_idle()  # the warm-up's last requests are not the measurement's
            quiet.wait(servers, databases)
            boots = server.boots()
            meter = CpuMeter(servers, databases).start()
            result = run_wrk(
                wrk, lua, target, args.duration, args.connections, args.threads, headers
            )
            result.others = meter.stop()
            result.app_cpu_ms = meter.per_request_ms(meter.app, result.requests)
            result.db_cpu_ms = meter.per_request_ms(meter.db, result.requests)
            result.client_cpu_ms = meter.per_request_ms(meter.client, result.requests)
            result.worker_boots = server.boots() - boots
            results.wrk[key] = result
            log(
                f"{label}: wrk {key}: {result.requests_per_second:,.0f} req/s, "
                f"p50 {result.latency_ms.get(50, 0):.2f} ms, p99 "
                f"{result.latency_ms.get(99, 0):.2f} ms, {result.others:.1f} cores busy elsewhere"
            )
        results.memory = {"page cache on": cached.rss(), "page cache off": uncached.rss()}
    return results


# The report ------------------------------------------------------------------------------------
WRK_ROWS = (
    ("static", "static file of the route map's size (WhiteNoise): the ceiling"),
    ("cached", "largest route map, page cache on"),
    ("uncached", "largest route map, page cache off"),
    ("304", "largest route map, 304 revalidation (`If-None-Match`)"),
    ("search", "search with text, page cache off"),
)


def ms(value: float | None) -> str:
    return "–" if value is None else f"{value:.1f}" if value >= 10 else f"{value:.2f}"


def verdict(ok: bool, shortfall: str = "") -> str:
    return "yes" if ok else f"**no**{': ' + shortfall if shortfall else ''}"


def render_table(results: DatabaseResults) -> list[str]:
    lines = [
        "| page | path | size (KiB) | queries | median (ms) | p95 (ms) | app CPU (ms) | "
        "database CPU (ms) | cached median (ms) |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    probe_ = results.probe
    for page in PAGES:
        timing = results.uncached[page.key]
        cached = results.cached.get(page.key)
        label = page.label
        if page.key == "occupation":
            label += f" ({probe_['occupation_links']})"
        elif page.key == "SOC unit group":
            label += f" ({probe_['unit_group_occupations']})"
        lines.append(
            f"| {label} | `{probe_['paths'][page.key]}` | {timing.size / 1024:,.1f} | "
            f"{probe_['queries'][page.key]} | {ms(timing.median_ms)} | {ms(timing.p95_ms)} | "
            f"{ms(timing.app_cpu_ms)} | {ms(timing.db_cpu_ms)} | "
            f"{ms(cached.median_ms) if cached else '– (streamed)'} |"
        )
    return lines


def wrk_table(results: DatabaseResults) -> list[str]:
    lines = [
        "| what | requests/s | of the static file | p50 (ms) | p75 (ms) | p90 (ms) | p95 (ms) | "
        "p99 (ms) | CPU per request: app, database, wrk (ms) | errors | workers recycled | "
        "busy elsewhere (cores) |",
        "| --- " + "| ---: " * 11 + "|",
    ]
    ceiling = results.wrk["static"].requests_per_second
    for key, label in WRK_ROWS:
        r = results.wrk[key]
        share = r.requests_per_second / ceiling if ceiling else 0
        lat = r.latency_ms
        lines.append(
            f"| {label} | {r.requests_per_second:,.0f} | {share:.0%} | {ms(lat.get(50))} | "
            f"{ms(lat.get(75))} | {ms(lat.get(90))} | {ms(lat.get(95))} | {ms(lat.get(99))} | "
            f"{r.app_cpu_ms:.2f}, {r.db_cpu_ms:.2f}, {r.client_cpu_ms:.2f} | "
            f"{r.non_2xx_3xx + r.socket_errors} | {r.worker_boots} | {r.others:.1f} |"
        )
    return lines


def memory_lines(results: DatabaseResults) -> list[str]:
    lines = []
    for server, sizes in results.memory.items():
        mib = [kib / 1024 for kib in sizes.values()]
        if not mib:
            continue
        each = ", ".join(f"{m:.0f}" for m in mib)
        lines.append(
            f"- Memory after the run, {server}: {len(mib)} workers of {each} MiB RSS "
            f"(median {statistics.median(mib):.0f} MiB, {sum(mib):.0f} MiB in all)."
        )
    return lines


def targets(all_results: list[DatabaseResults]) -> list[str]:
    lines = [
        "| target (from the issue) | database | measured | met |",
        "| --- | --- | ---: | --- |",
    ]
    for r in all_results:
        ceiling = r.wrk["static"].requests_per_second
        for key, share, what in (
            ("cached", CACHED_SHARE, "cached route map ≥ 70 % of the static file's throughput"),
            ("304", REVALIDATION_SHARE, "a 304 ≥ 80 % of the static file's throughput"),
        ):
            got = r.wrk[key].requests_per_second / ceiling
            short = f"{(share - got) * 100:.0f} points short" if got < share else ""
            lines.append(f"| {what} | {r.label} | {got:.0%} | {verdict(got >= share, short)} |")
    for r in all_results:
        queries = r.probe["queries"]["route map"]
        lines.append(
            f"| largest route map in ≤ {ROUTE_MAP_QUERIES} queries | {r.label} | {queries} | "
            f"{verdict(queries <= ROUTE_MAP_QUERIES)} |"
        )
    for key, limit, what in (
        ("route map", ROUTE_MAP_MS, "largest route map, uncached median < 60 ms"),
        ("search with text", SEARCH_MS, "search with text, uncached median < 50 ms"),
    ):
        for r in all_results:
            got = r.uncached[key].median_ms
            if r.label == "PostgreSQL":
                over = got - limit
                short = f"{over:.0f} ms ({over / limit:.0%}) over" if over >= 0 else ""
                met = verdict(got < limit, short)
            else:
                met = "– (the target is for PostgreSQL)"
            lines.append(f"| {what} | {r.label} | {got:.1f} ms | {met} |")
    return lines


def report(all_results, versions, counts, command, load, args, soc_dir) -> str:
    first = all_results[0]
    settings = first.settings
    lines = [
        "## Pages",
        "",
        "Each page served by gunicorn with the committed `gunicorn.conf.py` (its defaults: "
        f"{settings['workers']} workers × {settings['threads']} threads, `max_requests` "
        f"{settings['max_requests']} ± {settings['max_requests_jitter']}; no access log), "
        "production settings (`DEBUG` off, static files collected and served by WhiteNoise), "
        "over loopback on the same machine as the clients. Two servers run side by side on "
        "each database: one with the page cache (`PAGE_CACHE_SECONDS` at its default), one "
        "with it off (`PAGE_CACHE_SECONDS=0`).",
        "",
        f"*Render time*: {args.requests} sequential GET requests per page from `http.client` on "
        "one keep-alive connection (after 3 not counted), to the server with the cache off, "
        "timed from sending the request to reading the last byte; no `If-None-Match`. *Cached "
        "median*: the same to the server with the cache on. *Queries*: the page through "
        "Django's test client with `CaptureQueriesContext`, in a subprocess on the same "
        "database, the cache emptied first (the first query is the data version).",
        "",
        f"*Throughput*: `wrk -t{args.threads} -c{args.connections} -d{args.duration}s "
        "--latency --timeout 30s` (after one second of warming up), p95 from a Lua `done()` "
        "hook; all in the same run. *Errors* counts socket errors and answers other than 2xx "
        "or 3xx; *workers recycled* counts the workers gunicorn restarted during the "
        "measurement (`max_requests`).",
        "",
        "*CPU per request*: the CPU time (from `/proc`) of the app (the gunicorn master and "
        "workers), of the database (the PostgreSQL processes serving the benchmark's database; "
        "SQLite's work is in the app's) and of `wrk`, divided by the requests answered. Unlike "
        "times and throughput, these hardly depend on what else the machine is doing. *Busy "
        "elsewhere*: the cores that all other processes kept busy meanwhile (the machine's busy "
        "time less the above); each measurement first waits, within a budget of "
        f"{args.quiet_wait:g} s for the whole run, until that is under 0.3 cores.",
        "",
    ]
    for r in all_results:
        lines += [
            f"**{r.label}**: render time (other processes kept {r.render_others:.1f} of the "
            f"{CORES} cores busy meanwhile)",
            "",
            *render_table(r),
            "",
            f"**{r.label}**: throughput and latency at {args.connections} concurrent "
            f"connections (304 sent with `If-None-Match: {r.etag}`)",
            "",
            *wrk_table(r),
            "",
            *memory_lines(r),
            "",
        ]
    lines += [
        "**Targets**",
        "",
        *targets(all_results),
        "",
        f"- Maps data: the synthetic full-scale snapshot from `benchmarks/snapshot.py` (seed "
        f"{counts['seed']}): {counts['occupations']:,} occupations, {counts['routes']} routes; "
        f"the largest route, `{counts['largest_route']['slug']}`, has "
        f"{counts['largest_route']['occupations']} occupations.",
        (
            f"- SOC data: the real ONS files in `{soc_dir.name}/` imported with `import_soc`."
            if soc_dir
            else "- SOC data: not found, so the SOC pages show the snapshot's SOC codes only."
        ),
        "- Environment of the servers: `DEBUG=false SECRET_KEY=... "
        "ALLOWED_HOSTS=127.0.0.1,localhost SECURE_SSL_REDIRECT=false STATIC_ROOT=<temporary> "
        "DATABASE_URL=... GUNICORN_BIND=127.0.0.1:<free port> GUNICORN_ACCESS_LOG=` and "
        "`--no-control-socket`; the default local-memory cache (one per worker).",
        "",
        *machine_and_command(
            versions,
            load,
            command,
            "Machine (the clients, `wrk` included, share its cores with the servers):",
        ),
    ]
    return "\n".join(lines)


def resolve_soc_dir(folder: Path) -> Path | None:
    return folder if folder.is_dir() and any(folder.glob("*.xlsx")) else None


def command_line(argv: list[str] | None, databases: str) -> str:
    python = sys.executable
    if python.startswith(f"{REPO}{os.sep}"):
        python = os.path.relpath(python, REPO)
    script = os.path.relpath(Path(sys.argv[0]).resolve(), REPO) if sys.argv[0] else ""
    command = shlex.join([python, script, *(argv if argv is not None else sys.argv[1:])])
    if os.environ.get("BENCH_PG_URL") and "postgresql" in databases:
        command = f"BENCH_PG_URL={shlex.quote(redact(os.environ['BENCH_PG_URL']))} {command}"
    return command


def add_common_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--output", type=Path, help="also write the Markdown section here")
    parser.add_argument("--occupations", type=int, default=FULL, help=f"default {FULL}")
    parser.add_argument("--seed", type=int, default=1, help="the snapshot's seed (default 1)")
    parser.add_argument(
        "--soc-dir",
        type=Path,
        default=REPO / "fixtures" / "soc",
        help="folder of ONS SOC files for import_soc (default fixtures/soc, the bundled ONS files)",
    )


def release(databases) -> None:
    """Drop the database made for the run (and close the admin connection)."""
    if isinstance(databases, PostgresDatabases):
        databases.close()
    elif getattr(databases, "path", None):
        databases.drop()


def make_databases(name: str, folder: Path):
    if name == "sqlite":
        return SqliteDatabases(folder)
    return PostgresDatabases(os.environ.get("BENCH_PG_URL") or DEFAULT_PG_URL)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_common_arguments(parser)
    parser.add_argument(
        "--databases",
        default="sqlite,postgresql",
        help="comma-separated: sqlite, postgresql (default both)",
    )
    parser.add_argument("--requests", type=int, default=30, help="per page (default 30)")
    parser.add_argument("--duration", type=int, default=10, help="seconds per wrk run (10)")
    parser.add_argument("--connections", type=int, default=16, help="wrk connections (16)")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads (2)")
    parser.add_argument(
        "--quiet-wait",
        type=float,
        default=60,
        help="seconds in all to wait for other processes to leave the CPU (default 60; 0: "
        "do not wait)",
    )
    parser.add_argument("--probe", metavar="ROUTE", help=argparse.SUPPRESS)
    parser.add_argument("--host", default=HOST, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.probe:
        return probe_main(args.probe, args.host)
    wanted = [d.strip().lower() for d in args.databases.split(",") if d.strip()]
    if set(wanted) - {"sqlite", "postgresql"} or not wanted or args.requests < 1:
        parser.error("--databases takes sqlite and/or postgresql; --requests at least 1")

    soc_dir = resolve_soc_dir(args.soc_dir)
    if not soc_dir:
        log(f"No SOC files in {args.soc_dir}: the SOC pages will hold the snapshot's codes only.")
    load = load_average()
    all_results: list[DatabaseResults] = []
    versions: dict[str, str] = {}
    quiet = Quiet(args.quiet_wait)
    try:
        wrk = ensure_wrk()
        with tempfile.TemporaryDirectory(prefix="occmaps-pages-") as tmp:
            work = Path(tmp)
            counts = write_snapshot(work / "snapshot", seed=args.seed, occupations=args.occupations)
            counts["seed"] = args.seed
            for name in wanted:
                databases = make_databases(name, work)
                try:
                    versions[databases.label] = databases.version()
                    all_results.append(
                        bench_database(
                            databases, args, work / "snapshot", counts, soc_dir, work, wrk, quiet
                        )
                    )
                finally:
                    release(databases)
            versions["wrk"] = wrk_version(wrk)
            versions["gunicorn"] = all_results[0].settings["version"] if all_results else "?"
    except BenchError as exc:
        log(f"Benchmark failed: {exc}")
        return 1
    markdown = report(
        all_results, versions, counts, command_line(argv, wanted), load, args, soc_dir
    )
    print(markdown)
    if args.output:
        args.output.parent.mkdir(parents=True, exist_ok=True)
        args.output.write_text(markdown, encoding="utf-8")
        log(f"Wrote {args.output}.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
