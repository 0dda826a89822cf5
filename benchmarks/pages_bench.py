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

The work is split by job: ``pages_common.py`` (the pages, the targets, the results),
``pages_machine.py`` (the machine's other work), ``pages_server.py`` (the app under gunicorn,
the timing client and ``wrk``) and ``pages_report.py`` (the Markdown); this module picks the
pages, runs each database and writes the report.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from benchmarks.import_bench import (  # noqa: E402
    DEFAULT_PG_URL,
    BenchError,
    PostgresDatabases,
    SqliteDatabases,
    load_average,
    redact,
)
from benchmarks.pages_common import (  # noqa: E402
    HOST,
    P95_LUA,
    PAGES,
    DatabaseResults,
    log,
)
from benchmarks.pages_machine import (  # noqa: E402
    CpuMeter,
    Quiet,
)
from benchmarks.pages_report import (  # noqa: E402
    report,
)
from benchmarks.pages_server import (  # noqa: E402
    Server,
    base_env,
    collectstatic,
    ensure_wrk,
    free_port,
    gunicorn_settings,
    prepare_database,
    request_once,
    run_wrk,
    time_page,
    wrk_version,
)
from benchmarks.snapshot import FULL, write_snapshot  # noqa: E402


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
        "search with a typo": "/occupations/?q=enginer",
        "search, ONS job title": "/occupations/?q=manicurist",
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
    # A static file as big as each page, served by WhiteNoise (which finds its files when a
    # worker starts, so they are written first): the route map's is the throughput ceiling.
    for page in PAGES:
        (static_root / static_name(page.key)).write_bytes(
            b"<!doctype html>\n".ljust(results.probe["sizes"][page.key], b"x")
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
        # Each worker renders the most read pages into its cache when it first sees the data
        # version (occmaps/warming.py): set every worker of the cached server going, and let
        # it finish, before anything is timed.
        with ThreadPoolExecutor(4 * results.settings["workers"]) as pool:
            list(pool.map(lambda _: request_once(cached_port, "/about/"), range(32)))
        cached.wait_idle(timeout=180)
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
            results.static[page.key] = time_page(
                cached, f"/static/{static_name(page.key)}", args.requests, databases
            )
            results.cached[page.key] = time_page(cached, path, args.requests, databases)
            status, _, headers, _ = request_once(cached_port, path)
            if status == 200 and headers.get("ETag"):
                results.revalidated[page.key] = time_page(
                    cached,
                    path,
                    args.requests,
                    databases,
                    headers={"If-None-Match": headers["ETag"]},
                    expect=304,
                )
        results.render_others = meter.stop()
        status, _, headers, _ = request_once(cached_port, route_map)
        results.etag = headers.get("ETag", "")
        if status != 200 or not results.etag:
            raise BenchError(f"{route_map}: {status}, ETag {results.etag!r}")
        lua = work / "p95.lua"
        lua.write_text(P95_LUA)
        scenarios = [
            ("static", cached, f"/static/{static_name('route map')}", ()),
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


def static_name(key: str) -> str:
    return "bench-" + "".join(c if c.isalnum() else "-" for c in key.lower()) + ".html"


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
