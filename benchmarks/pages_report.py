"""The page benchmark's Markdown report: tables per database, the targets and the verdicts."""

from __future__ import annotations

import statistics

from benchmarks.import_bench import (
    machine_and_command,
)
from benchmarks.pages_common import (
    CACHED_SHARE,
    PAGE_MS,
    PAGES,
    REVALIDATION_SHARE,
    ROUTE_MAP_QUERIES,
    DatabaseResults,
)
from benchmarks.pages_machine import (
    CORES,
)

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
        "database CPU (ms) | cached median (ms) | 304 median (ms) | static file median (ms) |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    probe_ = results.probe
    for page in PAGES:
        timing = results.uncached[page.key]
        cached = results.cached.get(page.key)
        revalidated = results.revalidated.get(page.key)
        static = results.static.get(page.key)
        label = page.label
        if page.key == "occupation":
            label += f" ({probe_['occupation_links']})"
        elif page.key == "SOC unit group":
            label += f" ({probe_['unit_group_occupations']})"
        lines.append(
            f"| {label} | `{probe_['paths'][page.key]}` | {timing.size / 1024:,.1f} | "
            f"{probe_['queries'][page.key]} | {ms(timing.median_ms)} | {ms(timing.p95_ms)} | "
            f"{ms(timing.app_cpu_ms)} | {ms(timing.db_cpu_ms)} | "
            f"{ms(cached.median_ms) if cached else '–'} | "
            f"{ms(revalidated.median_ms) if revalidated else '–'} | "
            f"{ms(static.median_ms) if static else '–'} |"
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
            ("cached", CACHED_SHARE, f"cached route map ≥ {CACHED_SHARE:.0%} of the static file"),
            ("304", REVALIDATION_SHARE, f"a 304 ≥ {REVALIDATION_SHARE:.0%} of the static file"),
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
    for key, limit in PAGE_MS.items():
        label = next(page.label for page in PAGES if page.key == key)
        what = f"{label}, uncached median < {limit:g} ms"
        for r in all_results:
            got = r.uncached[key].median_ms
            if r.label == "PostgreSQL":
                over = got - limit
                short = f"{over:.1f} ms ({over / limit:.0%}) over" if over >= 0 else ""
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
        "database, the cache emptied first (the data version is held by the worker: no query).",
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
