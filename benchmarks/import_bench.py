"""Time the import commands at national scale, on SQLite and on PostgreSQL.

For each database and each repetition the script makes a fresh database (a temporary SQLite file,
or a PostgreSQL database it creates and drops), migrates it, and then times, each in its own
``manage.py`` process as an operator would run it:

1. ``import_maps`` of the synthetic full-scale snapshot (:mod:`benchmarks.snapshot`) into the
   empty database;
2. the same ``import_maps`` again (nothing changes);
3. ``import_soc`` of the real ONS SOC 2020 Volume 1 and coding index (from
   ``fixtures/soc``, the bundled ONS files) into that database, which now holds the map;
4. the same ``import_soc`` again.

It prints a Markdown section (the median and the fastest wall-clock time of each step, the
machine and the exact command) and with ``--output FILE`` writes it there too::

    .venv/bin/python benchmarks/import_bench.py --output benchmarks/out/imports.md

PostgreSQL is reached through ``BENCH_PG_URL`` (an account that may create databases; default
``postgres://postgres@127.0.0.1:5432/postgres``).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shlex
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

import django  # noqa: E402
import psycopg  # noqa: E402
from psycopg import sql  # noqa: E402

from benchmarks.snapshot import FULL, write_snapshot  # noqa: E402

DEFAULT_PG_URL = "postgres://postgres@127.0.0.1:5432/postgres"
# Production settings (DEBUG off) with a throwaway key: the commands serve no requests.
COMMAND_ENV = {"SECRET_KEY": "bench", "ALLOWED_HOSTS": "localhost"}
SOC_FILES = ("soc2020-volume1-*.xlsx", "soc2020-volume2-coding-index-*.xlsx")


@dataclass(frozen=True)
class Step:
    key: str
    label: str
    target: float | None = None  # seconds, from the issue


STEPS = (
    Step("migrate", "`migrate` (empty database; not an import)"),
    Step("maps-first", "`import_maps`, first import into the empty database", 10.0),
    Step("maps-repeat", "`import_maps`, repeated (nothing changes)", 5.0),
    Step("soc-first", "`import_soc` (Volume 1 + coding index) into the map's database"),
    Step("soc-repeat", "`import_soc`, repeated (nothing changes)"),
)


@dataclass
class Run:
    wall: float  # seconds, the whole process
    cpu: float  # seconds of CPU used by the manage.py process (not the database server)
    own: float | None  # the time the command reports for its write transaction
    summary: str
    report: dict | None = None  # the command's --report: its outcome as data


@dataclass
class Results:
    runs: dict[tuple[str, str], list[Run]] = field(default_factory=dict)

    def add(self, database: str, step: str, run: Run) -> None:
        self.runs.setdefault((database, step), []).append(run)


class BenchError(Exception):
    pass


# Databases ---------------------------------------------------------------------------------------
class SqliteDatabases:
    label = "SQLite"

    def __init__(self, folder: Path):
        self.folder = folder

    def version(self) -> str:
        return sqlite3.sqlite_version

    def create(self, n: int) -> str:
        path = self.folder / f"bench-{n}.sqlite3"
        path.unlink(missing_ok=True)
        self.path = path
        return f"sqlite:///{path}"

    def drop(self) -> None:
        for suffix in ("", "-journal", "-wal", "-shm"):
            Path(f"{self.path}{suffix}").unlink(missing_ok=True)


class PostgresDatabases:
    label = "PostgreSQL"

    def __init__(self, admin_url: str):
        self.admin_url = admin_url
        try:
            self.admin = psycopg.connect(admin_url, autocommit=True)
        except psycopg.Error as exc:
            raise BenchError(
                f"cannot connect to PostgreSQL at {redact(admin_url)} (set BENCH_PG_URL, or "
                f"--databases sqlite): {exc}"
            ) from exc
        self.name = ""

    def version(self) -> str:
        return self.admin.execute("SHOW server_version").fetchone()[0]

    def create(self, n: int) -> str:
        self.name = f"occmaps_bench_{os.getpid()}_{n}"
        self.admin.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(self.name)))
        self.admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(self.name)))
        return urlunsplit(urlsplit(self.admin_url)._replace(path=f"/{self.name}"))

    def drop(self) -> None:
        if self.name:
            self.admin.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(self.name))
            )
            self.name = ""

    def close(self) -> None:
        self.drop()
        self.admin.close()


def redact(url: str) -> str:
    parts = urlsplit(url)
    if parts.password:
        netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
        return urlunsplit(parts._replace(netloc=netloc))
    return url


# Running the commands --------------------------------------------------------------------------
def manage(args: list[str], database_url: str, report_path: Path | None = None) -> Run:
    """Run one manage.py command; an import also writes its outcome to ``report_path``."""
    env = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "DATABASE_URL"}}
    env.update(COMMAND_ENV, DATABASE_URL=database_url)
    if report_path is not None:
        report_path.unlink(missing_ok=True)
        args = [*args, "--report", str(report_path)]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    process = subprocess.run(
        [sys.executable, str(REPO / "manage.py"), *args],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if process.returncode:
        raise BenchError(
            f"manage.py {' '.join(args)} failed ({process.returncode}):\n"
            f"{process.stdout[-2000:]}{process.stderr[-4000:]}"
        )
    lines = process.stdout.strip().splitlines()
    summary = lines[-1] if lines else ""
    report = json.loads(report_path.read_text()) if report_path and report_path.exists() else None
    return Run(wall, cpu, report["seconds"] if report else None, summary, report)


def expect(run: Run, check, what: str) -> None:
    """``check`` is given the command's ``--report`` (its outcome as data), never its wording."""
    if run.report is None or not check(run.report):
        raise BenchError(f"{what}: unexpected outcome {run.report!r} ({run.summary!r})")


def bench_database(
    databases, snapshot: Path, occupations: int, soc: list[Path], repeat: int, results, log
) -> None:
    label = databases.label
    for n in range(1, repeat + 1):
        url = databases.create(n)
        try:
            steps = [
                ("migrate", ["migrate", "--no-input"], None),
                (
                    "maps-first",
                    ["import_maps", str(snapshot)],
                    lambda r: r["totals"]["created"] == occupations,
                ),
                ("maps-repeat", ["import_maps", str(snapshot)], lambda r: not r["changed"]),
            ]
            if soc:
                files = [str(p) for p in soc]
                steps += [
                    ("soc-first", ["import_soc", *files], lambda r: r["totals"]["created"] > 0),
                    ("soc-repeat", ["import_soc", *files], lambda r: not r["changed"]),
                ]
            for key, args, check in steps:
                report = Path(tempfile.gettempdir()) / f"occmaps-bench-{os.getpid()}.json"
                run = manage(args, url, report if check else None)
                if check:
                    expect(run, check, f"{label} run {n} {key}")
                results.add(label, key, run)
                log(f"{label} run {n}: {key}: {run.wall:.2f} s wall, {run.cpu:.2f} s CPU")
        finally:
            databases.drop()


# The report ------------------------------------------------------------------------------------
def load_average() -> str:
    return ", ".join(f"{x:.2f}" for x in os.getloadavg())


def machine(versions: dict[str, str], load_at_start: str) -> list[str]:
    cpu = "unknown"
    memory = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
                break
    except OSError:
        cpu = platform.processor() or cpu
    lines = [
        f"- CPU: {cpu}, {os.cpu_count()} cores",
        f"- Memory: {memory}",
        f"- OS: {platform.platform()}",
        f"- Python {platform.python_version()}, Django {django.get_version()}",
    ]
    lines += [f"- {name} {version}" for name, version in versions.items()]
    lines.append(
        f"- Load average (1, 5, 15 min) at the start: {load_at_start}; at the end: {load_average()}"
    )
    return lines


def table(results: Results, labels: list[str]) -> list[str]:
    lines = [
        "| step | database | median (s) | fastest (s) | CPU, median (s) | "
        "write transaction, median (s) | target | met |",
        "| --- | --- | ---: | ---: | ---: | ---: | --- | --- |",
    ]
    for step in STEPS:
        for label in labels:
            runs = results.runs.get((label, step.key))
            if not runs:
                continue
            median = statistics.median(r.wall for r in runs)
            fastest = min(r.wall for r in runs)
            cpu = statistics.median(r.cpu for r in runs)
            owns = [r.own for r in runs if r.own is not None]
            own = f"{statistics.median(owns):.2f}" if owns else "–"
            target = f"< {step.target:g} s" if step.target else "–"
            met = ("yes" if median < step.target else "**no**") if step.target else "–"
            lines.append(
                f"| {step.label} | {label} | {median:.2f} | {fastest:.2f} | {cpu:.2f} | {own} | "
                f"{target} | {met} |"
            )
    return lines


def machine_and_command(versions, load, command: str, heading: str = "Machine:") -> list[str]:
    """The closing lines every benchmark report shares: where it ran, and how to run it again."""
    return [heading, "", *machine(versions, load), "", "Command:", "", "```sh", command, "```", ""]


def report(results, labels, versions, counts, generated, soc, repeat, command, load) -> str:
    products = counts["products"]
    lines = [
        "## Imports",
        "",
        f"Wall-clock time of each command in its own `manage.py` process (Python start-up and "
        f"Django set-up included), {repeat} run{'s' if repeat > 1 else ''} of each on a fresh "
        "database: the median and the fastest. *CPU* is the command process's own CPU time "
        "(the PostgreSQL server's is not in it); *write transaction* is the time the command "
        "itself reports, which leaves out reading and checking the input.",
        "",
        *table(results, labels),
        "",
        f"- Maps data: the synthetic full-scale snapshot from `benchmarks/snapshot.py` (seed "
        f"{counts['seed']}, generated in {generated:.2f} s): {counts['occupations']:,} "
        f"occupations in {counts['files']:,} files, {counts['routes']} routes, "
        f"{counts['pathways']} pathways, {counts['clusters']} clusters, "
        f"{counts['progression_pairs']:,} progression pairs, {products:,} products "
        f"({counts['product_links']:,} product links), {counts['sub_unit_groups']:,} sub-unit "
        f"groups; the largest route has {counts['largest_route']['occupations']} occupations.",
    ]
    if soc:
        lines.append(
            "- SOC data: the real ONS files "
            + " and ".join(f"`{p.name}`" for p in soc)
            + ", imported into the database that holds the map."
        )
    else:
        lines.append("- SOC data: not found, so `import_soc` was not timed.")
    lines += [
        "- Environment of each command: `SECRET_KEY=bench ALLOWED_HOSTS=localhost "
        "DATABASE_URL=...` (production settings, `DEBUG` off).",
        "",
        *machine_and_command(versions, load, command),
    ]
    return "\n".join(lines)


def find_soc_files(folder: Path) -> list[Path]:
    found = []
    for pattern in SOC_FILES:
        matches = sorted(folder.glob(pattern))
        if not matches:
            return []
        found.append(matches[-1])
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--output", type=Path, help="also write the Markdown section here")
    parser.add_argument("--repeat", type=int, default=3, help="runs per step (default 3)")
    parser.add_argument("--occupations", type=int, default=FULL, help=f"default {FULL}")
    parser.add_argument("--seed", type=int, default=1, help="the snapshot's seed (default 1)")
    parser.add_argument(
        "--databases",
        default="sqlite,postgresql",
        help="comma-separated: sqlite, postgresql (default both)",
    )
    parser.add_argument(
        "--soc-dir",
        type=Path,
        default=REPO / "fixtures" / "soc",
        help="folder holding the ONS SOC 2020 Volume 1 and coding index xlsx "
        "(default fixtures/soc, the bundled ONS files)",
    )
    args = parser.parse_args(argv)
    wanted = [d.strip().lower() for d in args.databases.split(",") if d.strip()]
    unknown = set(wanted) - {"sqlite", "postgresql"}
    if unknown or not wanted or args.repeat < 1:
        parser.error("--databases takes sqlite and/or postgresql; --repeat at least 1")

    def log(message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    soc = find_soc_files(args.soc_dir)
    if not soc:
        log(f"No SOC 2020 Volume 1 and coding index in {args.soc_dir}: import_soc not timed.")
    load = load_average()
    results = Results()
    versions: dict[str, str] = {}
    labels: list[str] = []
    with tempfile.TemporaryDirectory(prefix="occmaps-bench-") as tmp:
        folder = Path(tmp) / "snapshot"
        started = time.perf_counter()
        counts = write_snapshot(folder, seed=args.seed, occupations=args.occupations)
        generated = time.perf_counter() - started
        counts["seed"] = args.seed
        log(f"Snapshot: {counts['occupations']} occupations in {generated:.2f} s.")
        try:
            for name in wanted:
                if name == "sqlite":
                    databases = SqliteDatabases(Path(tmp))
                else:
                    databases = PostgresDatabases(os.environ.get("BENCH_PG_URL") or DEFAULT_PG_URL)
                try:
                    versions[databases.label] = databases.version()
                    labels.append(databases.label)
                    bench_database(
                        databases, folder, counts["occupations"], soc, args.repeat, results, log
                    )
                finally:
                    if isinstance(databases, PostgresDatabases):
                        databases.close()
        except BenchError as exc:
            log(f"Benchmark failed: {exc}")
            return 1
    python = sys.executable
    if python.startswith(f"{REPO}{os.sep}"):
        python = os.path.relpath(python, REPO)
    command = shlex.join([python, *sys.argv[:1], *(argv if argv is not None else sys.argv[1:])])
    if os.environ.get("BENCH_PG_URL") and "postgresql" in wanted:
        command = f"BENCH_PG_URL={shlex.quote(redact(os.environ['BENCH_PG_URL']))} {command}"
    markdown = report(results, labels, versions, counts, generated, soc, args.repeat, command, load)
    print(markdown)
    if args.output:
        args.output.parent.mkdir(parents=True, exist_ok=True)
        args.output.write_text(markdown, encoding="utf-8")
        log(f"Wrote {args.output}.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
