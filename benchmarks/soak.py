"""A soak run: the site under gunicorn, at national scale, for a minute of steady mixed traffic.

The script makes a fresh database (PostgreSQL by default, ``--database sqlite`` for SQLite),
imports the synthetic full-scale snapshot (:mod:`benchmarks.snapshot`) and the real ONS SOC files,
and serves it with gunicorn and the committed ``gunicorn.conf.py`` as :mod:`benchmarks.pages_bench`
does (production settings, the page cache on, loopback only). Then ``--clients`` threads, each with
its own keep-alive ``http.client`` connection, send requests back to back over a mix of pages:
home, route maps, random occupations, searches with and without text, SOC pages, downloads, 304
revalidations and a few 404s, until ``--seconds`` have passed or ``--max-requests`` have been sent,
whichever comes first. Every request's latency and status is kept.

*Errors* are 5xx answers and failed connections (a stale keep-alive connection that the server
had closed is opened again and the request sent once more, as browsers do: those are counted on
their own, not as errors); a 404 that was asked for is expected. The run fails (exit status 2) if
there is any error or any answer other than the one expected. It prints a Markdown section (and
``--output FILE`` writes it; ``--docs FILE`` replaces the "Soak run" section of that file)::

    .venv/bin/python benchmarks/soak.py --docs docs/reliability.md

PostgreSQL is reached through ``BENCH_PG_URL`` (an account that may create databases; default
``postgres://postgres@127.0.0.1:5432/postgres``).
"""

from __future__ import annotations

import argparse
import http.client
import itertools
import random
import statistics
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from benchmarks.import_bench import (  # noqa: E402
    BenchError,
    load_average,
    machine_and_command,
)
from benchmarks.pages_bench import (  # noqa: E402
    add_common_arguments,
    command_line,
    make_databases,
    probe,
    release,
    resolve_soc_dir,
)
from benchmarks.pages_common import (  # noqa: E402
    HOST,
    log,
    percentile,
)
from benchmarks.pages_machine import (  # noqa: E402
    CORES,
    CpuMeter,
    Quiet,
)
from benchmarks.pages_server import (  # noqa: E402
    Client,
    Server,
    base_env,
    collectstatic,
    free_port,
    gunicorn_settings,
    prepare_database,
    request_once,
)
from benchmarks.run import replace_section  # noqa: E402
from benchmarks.snapshot import write_snapshot  # noqa: E402
from benchmarks.snapshot_shape import ROLES, SUBJECTS  # noqa: E402

HEADING = "## Soak run"
WARM = 1000  # requests after which the workers' memory is read a second time
# What the clients ask for, and how often (weights).
MIX = {
    "home": 8,
    "route map": 14,
    "occupation": 22,
    "search, no text": 9,
    "search with text": 9,
    "SOC page": 10,
    "download": 4,
    "304 revalidation": 14,
    "404": 3,
    "about": 2,
    "API": 5,
}
SEARCH_WORDS = sorted(
    {*SUBJECTS[:40], *(word for roles in ROLES.values() for role in roles for word in role.split())}
)
NOT_FOUND = (
    "/occupations/OCC9999/",
    "/routes/no-such-route/",
    "/soc/2020/0000/",
    "/no-such-page/",
    "/downloads/no-such-file.csv",
    "/api/v1/occupations/OCC9999",
)
DOWNLOADS = (
    "/downloads/",
    "/downloads/soc2010-mapping.csv",
    "/downloads/soc2020-sub-unit-group-mapping.csv",
    "/downloads/occupational-maps.json",
)


@dataclass(frozen=True)
class Sample:
    kind: str
    path: str
    status: int  # 0: no answer (the connection failed)
    seconds: float
    expected: int
    retried: bool = False
    error: str = ""


class Plan:
    """Picks the next request: its kind, path, headers and the status to expect."""

    def __init__(self, found: dict, etag: str):
        self.found = found
        self.etag = etag
        self.kinds = list(MIX)
        self.weights = [MIX[k] for k in self.kinds]
        self.routes = found["routes"]
        self.occupations = found["occupations"]
        self.soc = ["/soc/", "/soc/2010/", "/soc/2020/", *found["soc_groups"]]
        self.soc += found["sub_unit_groups"]

    def pick(self, rng: random.Random) -> tuple[str, str, dict, int]:
        kind = rng.choices(self.kinds, self.weights)[0]
        headers: dict[str, str] = {}
        expected = 200
        if kind == "home":
            path = "/"
        elif kind == "route map":
            path = f"/routes/{rng.choice(self.routes)}/"
            if rng.random() < 0.25:
                path += f"?status={rng.randint(1, 4)}&band={rng.randint(1, 3)}"
        elif kind == "occupation":
            path = rng.choice(self.occupations)
        elif kind == "search, no text":
            path = (
                f"/occupations/?level={rng.randint(2, 7)}&sort={rng.choice(('title', 'code'))}"
                f"&page={rng.randint(1, 3)}"
            )
        elif kind == "search with text":
            words = rng.sample(SEARCH_WORDS, rng.choice((1, 1, 2)))
            path = f"/occupations/?q={'+'.join(words)}"
        elif kind == "SOC page":
            path = rng.choice(self.soc)
        elif kind == "download":
            choice = rng.randrange(len(DOWNLOADS) + 2)
            if choice < len(DOWNLOADS):
                path = DOWNLOADS[choice]
            elif choice == len(DOWNLOADS):
                path = f"/occupations/occupations.csv?route={rng.choice(self.routes)}"
            else:
                path = f"/occupations/occupations.json?level={rng.randint(2, 7)}"
        elif kind == "304 revalidation":
            path = rng.choice(("/", f"/routes/{rng.choice(self.routes)}/", *self.occupations[:50]))
            headers = {"If-None-Match": self.etag}
            expected = 304
        elif kind == "404":
            path = rng.choice(NOT_FOUND)
            expected = 404
        elif kind == "about":
            path = "/about/"
        else:
            code = rng.choice(self.occupations).rstrip("/").rsplit("/", 1)[1]
            path = rng.choice(("/api/v1/routes", f"/api/v1/occupations/{code}"))
        return kind, path, headers, expected


@dataclass
class Soak:
    samples: list[Sample] = field(default_factory=list)
    seconds: float = 0.0
    rss_start: dict[int, int] = field(default_factory=dict)
    rss_warm: dict[int, int] = field(default_factory=dict)
    rss_end: dict[int, int] = field(default_factory=dict)
    rss_peak: int = 0
    boots: int = 0
    others: float = 0.0
    app_cpu_ms: float = 0.0
    db_cpu_ms: float = 0.0
    client_cpu_ms: float = 0.0
    mismatches: Counter = field(default_factory=Counter)


def client_loop(n, port, plan, seed, deadline, budget, limit, out: list[Sample]) -> None:
    rng = random.Random(seed * 1000 + n)
    client = Client(port, timeout=60)
    try:
        while time.monotonic() < deadline and next(budget) < limit:
            kind, path, headers, expected = plan.pick(rng)
            started = time.perf_counter()
            try:
                status, _, elapsed, retried = client.get(path, headers)
            except (OSError, http.client.HTTPException) as exc:
                client.close()
                seconds = time.perf_counter() - started
                out.append(Sample(kind, path, 0, seconds, expected, error=type(exc).__name__))
                continue
            out.append(Sample(kind, path, status, elapsed, expected, retried))
    finally:
        client.close()


def soak(server: Server, plan: Plan, args, databases) -> Soak:
    result = Soak()
    budget = itertools.count()
    deadline = time.monotonic() + args.seconds
    outs: list[list[Sample]] = [[] for _ in range(args.clients)]
    threads = [
        threading.Thread(
            target=client_loop,
            args=(n, server.port, plan, args.seed, deadline, budget, args.max_requests, outs[n]),
            daemon=True,
        )
        for n in range(args.clients)
    ]
    boots = server.boots()
    meter = CpuMeter((server,), databases).start()
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    while any(t.is_alive() for t in threads):
        sizes = server.rss()
        if sizes:
            result.rss_peak = max(result.rss_peak, *sizes.values())
        if not result.rss_warm and sum(len(out) for out in outs) >= WARM:
            result.rss_warm = sizes
        time.sleep(1.0)
    for thread in threads:
        thread.join()
    result.seconds = time.perf_counter() - started
    result.samples = [s for out in outs for s in out]
    result.others = meter.stop()
    result.app_cpu_ms = meter.per_request_ms(meter.app, len(result.samples) or 1)
    result.db_cpu_ms = meter.per_request_ms(meter.db, len(result.samples) or 1)
    result.client_cpu_ms = meter.per_request_ms(meter.client, len(result.samples) or 1)
    result.boots = server.boots() - boots
    return result


# The report ------------------------------------------------------------------------------------
def ms(seconds: float) -> str:
    value = seconds * 1000
    return f"{value:.1f}" if value >= 10 else f"{value:.2f}"


def is_error(s: Sample) -> bool:
    return s.status == 0 or s.status >= 500


def mib(sizes: dict[int, int]) -> str:
    values = [kib / 1024 for kib in sizes.values()]
    if not values:
        return "–"
    return ", ".join(f"{v:.0f}" for v in values) + f" (median {statistics.median(values):.0f})"


def report(result: Soak, args, label, versions, settings, counts, command, load) -> str:
    samples = result.samples
    total = len(samples)
    errors = [s for s in samples if is_error(s)]
    unexpected = [s for s in samples if not is_error(s) and s.status != s.expected]
    retried = sum(s.retried for s in samples)
    seconds = [s.seconds for s in samples if not is_error(s)]
    statuses = Counter(s.status for s in samples)
    lines = [
        HEADING,
        "",
        f"The site on {label} under gunicorn with the committed `gunicorn.conf.py` (its "
        f"defaults: {settings['workers']} workers × {settings['threads']} threads, "
        f"`max_requests` {settings['max_requests']} ± {settings['max_requests_jitter']}; the "
        "page cache on, as in production; no access log), production settings, on loopback, "
        f"with the full synthetic snapshot ({counts['occupations']:,} occupations) and the real "
        f"ONS SOC files. {args.clients} client threads in one Python process, each with its own "
        "keep-alive `http.client` connection, sent requests back to back for "
        f"{args.seconds:g} s or {args.max_requests:,} requests, whichever came first; every "
        "latency was kept. The clients wait for nothing between requests, so the server is "
        "saturated throughout and most of a request's latency is queueing: the mean latency, "
        f"{ms(statistics.fmean(seconds)) if seconds else '–'} ms, is about the clients divided "
        f"by the throughput ({args.clients} / {total / result.seconds:,.0f} per second).",
        "",
        "| measure | value |",
        "| --- | ---: |",
        f"| requests | {total:,} in {result.seconds:.1f} s |",
        f"| requests per second | {total / result.seconds:,.0f} |",
        f"| errors (5xx or failed connection) | **{len(errors)}** |",
        f"| answers other than expected | **{len(unexpected)}** |",
        f"| stale keep-alive connections opened again (request sent again once) | {retried} |",
        f"| latency p50 / p95 / p99 (ms) | {ms(percentile(seconds, 50))} / "
        f"{ms(percentile(seconds, 95))} / {ms(percentile(seconds, 99))} |",
        f"| slowest (ms) | {ms(max(seconds))} |",
        "| statuses | "
        + ", ".join(f"{status or 'no answer'}: {n:,}" for status, n in sorted(statuses.items()))
        + " |",
        f"| workers recycled during the run (`max_requests`) | {result.boots} |",
        f"| worker RSS at start, MiB (booted, before any request) | {mib(result.rss_start)} |",
        f"| worker RSS after the first {WARM:,} requests, MiB | {mib(result.rss_warm)} |",
        f"| worker RSS at the end, MiB | {mib(result.rss_end)} |",
        f"| largest worker RSS seen (sampled every second), MiB | {result.rss_peak / 1024:.0f} |",
        "| CPU per request: app (gunicorn), database (PostgreSQL; SQLite's is in the app's), "
        f"clients (ms) | {result.app_cpu_ms:.1f}, {result.db_cpu_ms:.1f}, "
        f"{result.client_cpu_ms:.1f} |",
        f"| cores kept busy by other processes meanwhile | {result.others:.1f} of {CORES} |",
        "",
        "| kind | share | requests | expected | p50 (ms) | p95 (ms) | p99 (ms) | errors |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for kind in MIX:
        of_kind = [s for s in samples if s.kind == kind]
        if not of_kind:
            continue
        ok = [s.seconds for s in of_kind if not is_error(s)] or [0.0]
        lines.append(
            f"| {kind} | {MIX[kind] / sum(MIX.values()):.0%} | {len(of_kind):,} | "
            f"{of_kind[0].expected} | {ms(percentile(ok, 50))} | {ms(percentile(ok, 95))} | "
            f"{ms(percentile(ok, 99))} | {sum(is_error(s) for s in of_kind)} |"
        )
    lines += ["", "The slowest requests:", ""]
    for sample in sorted(samples, key=lambda s: -s.seconds)[:5]:
        answer = sample.status or "no answer"
        lines.append(f"- {ms(sample.seconds)} ms: {sample.kind}, `{sample.path}` ({answer})")
    if errors or unexpected:
        lines += ["", "What went wrong:", ""]
        for (kind, status, expected, error), n in Counter(
            (s.kind, s.status, s.expected, s.error) for s in errors + unexpected
        ).most_common(10):
            lines.append(f"- {kind}: {status or error} instead of {expected} ({n}×)")
        examples = {(s.kind, s.status): s.path for s in errors + unexpected}
        lines += ["", "For example: " + ", ".join(f"`{p}`" for p in list(examples.values())[:5])]
    lines += [
        "",
        *machine_and_command(
            versions, load, command, "Machine (the clients share its cores with the server):"
        ),
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_common_arguments(parser)
    parser.add_argument(
        "--database", choices=("postgresql", "sqlite"), default="postgresql", help="(postgresql)"
    )
    parser.add_argument("--seconds", type=float, default=60, help="at most (default 60)")
    parser.add_argument(
        "--max-requests", type=int, default=200_000, help="at most (default 200,000)"
    )
    parser.add_argument("--clients", type=int, default=32, help="concurrent clients (32)")
    parser.add_argument("--docs", type=Path, help="replace the Soak run section of this file")
    parser.add_argument(
        "--quiet-wait",
        type=float,
        default=60,
        help="seconds to wait at most for other processes to leave the CPU first (default 60)",
    )
    args = parser.parse_args(argv)
    if args.seconds <= 0 or args.max_requests < 1 or args.clients < 1:
        parser.error("--seconds, --max-requests and --clients must be positive")

    soc_dir = resolve_soc_dir(args.soc_dir)
    load = load_average()
    versions: dict[str, str] = {}
    try:
        with tempfile.TemporaryDirectory(prefix="occmaps-soak-") as tmp:
            work = Path(tmp)
            counts = write_snapshot(work / "snapshot", seed=args.seed, occupations=args.occupations)
            databases = make_databases(args.database, work)
            try:
                label = databases.label
                versions[label] = databases.version()
                url = prepare_database(databases, work / "snapshot", counts["occupations"], soc_dir)
                static_root = work / "static"
                collectstatic(static_root, url)
                env = base_env(url, static_root)
                settings = gunicorn_settings(env)
                versions["gunicorn"] = settings["version"]
                port = free_port()
                found = probe(env, counts["largest_route"]["slug"], f"{HOST}:{port}")
                with Server("soak", env, port, work / "gunicorn-soak.log") as server:
                    server.start()
                    rss_start = server.rss()
                    status, _, headers, _ = request_once(port, "/")
                    if status != 200 or "ETag" not in headers:
                        raise BenchError(f"/: {status}, no ETag")
                    plan = Plan(found, headers["ETag"])
                    Quiet(args.quiet_wait).wait((server,), databases)
                    log(
                        f"{label}: soaking {args.clients} clients for {args.seconds:g} s "
                        f"(at most {args.max_requests:,} requests) on port {port}"
                    )
                    result = soak(server, plan, args, databases)
                    result.rss_start = rss_start
                    result.rss_end = server.rss()
            finally:
                release(databases)
    except BenchError as exc:
        log(f"Soak failed: {exc}")
        return 1
    command = command_line(argv, args.database)
    markdown = report(result, args, label, versions, settings, counts, command, load)
    print(markdown)
    if args.output:
        args.output.parent.mkdir(parents=True, exist_ok=True)
        args.output.write_text(markdown, encoding="utf-8")
        log(f"Wrote {args.output}.")
    if args.docs:
        document = args.docs.read_text(encoding="utf-8") if args.docs.exists() else ""
        args.docs.write_text(replace_section(document, HEADING, markdown), encoding="utf-8")
        log(f"Updated {HEADING!r} in {args.docs}.")
    bad = [s for s in result.samples if is_error(s) or s.status != s.expected]
    return 2 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
