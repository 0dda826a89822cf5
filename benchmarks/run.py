"""Run every benchmark and refresh its section of ``docs/performance.md`` (``make bench``).

The scripts run one after the other, each in its own process, as one would run them by hand:

- ``benchmarks/import_bench.py``: the import commands (the "Imports" section);
- ``benchmarks/pages_bench.py``: the pages under gunicorn (the "Pages" section).

Each writes its Markdown into ``benchmarks/out/`` and the section of the same heading in
``docs/performance.md`` is replaced by it: from the heading to the next heading of any level, so
that the generated part is refreshed and hand-written sub-sections after it (``### ...``) stay.
A section not yet in the file is added at its end. A script that fails leaves its section as it
was, and the run ends with an error.

Both need PostgreSQL (``BENCH_PG_URL``, default ``postgres://postgres@127.0.0.1:5432/postgres``)
unless ``--databases sqlite`` is given; ``pages_bench`` needs ``wrk`` too (it installs Debian's
package when it runs as root)::

    .venv/bin/python benchmarks/run.py [--databases sqlite,postgresql] [--only pages]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DOC = REPO / "docs" / "performance.md"
OUT = REPO / "benchmarks" / "out"
BENCHMARKS = {
    "imports": ("## Imports", "benchmarks/import_bench.py"),
    "pages": ("## Pages", "benchmarks/pages_bench.py"),
}
DEFAULT_PG_URL = "postgres://postgres@127.0.0.1:5432/postgres"


def replace_section(document: str, heading: str, body: str) -> str:
    """``document`` with the section under ``heading`` (up to the next heading of any level)
    replaced by ``body``, which starts with that heading; appended when it is missing."""
    body = body.strip("\n") + "\n"
    lines = document.splitlines(keepends=True)
    start = next((i for i, line in enumerate(lines) if line.rstrip() == heading), None)
    if start is None:
        return document.rstrip("\n") + "\n\n" + body
    end = start + 1
    in_code = False
    while end < len(lines):
        line = lines[end]
        if line.startswith("```"):
            in_code = not in_code
        elif not in_code and line.startswith("#"):
            break
        end += 1
    tail = "".join(lines[end:])
    return "".join(lines[:start]) + body + ("\n" + tail if tail else "")


def postgres_answers() -> str | None:
    """None if PostgreSQL answers at BENCH_PG_URL, else why not."""
    import psycopg

    url = os.environ.get("BENCH_PG_URL") or DEFAULT_PG_URL
    try:
        psycopg.connect(url, connect_timeout=5).close()
    except psycopg.Error as exc:
        return str(exc).strip()
    return None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--only", choices=sorted(BENCHMARKS), action="append", help="run only this (repeatable)"
    )
    parser.add_argument(
        "--databases", help="passed to each script: sqlite, postgresql (default both)"
    )
    parser.add_argument("--doc", type=Path, default=DOC, help="the file to update")
    args = parser.parse_args(argv)

    databases = args.databases or "sqlite,postgresql"
    if "postgresql" in databases:
        problem = postgres_answers()
        if problem:
            print(
                f"PostgreSQL does not answer ({problem}).\n`make bench` needs a PostgreSQL server "
                "and an account that may create databases: start it (for example "
                "`pg_ctlcluster 15 main start`), set BENCH_PG_URL, or run "
                "`.venv/bin/python benchmarks/run.py --databases sqlite`.",
                file=sys.stderr,
            )
            return 1
    OUT.mkdir(parents=True, exist_ok=True)
    failed = []
    for name in args.only or list(BENCHMARKS):
        heading, script = BENCHMARKS[name]
        output = OUT / f"{name}.md"
        command = [sys.executable, script, "--output", str(output.relative_to(REPO))]
        if args.databases:
            command += ["--databases", args.databases]
        print(f"== {' '.join(command)}", file=sys.stderr, flush=True)
        started = time.perf_counter()
        process = subprocess.run(command, cwd=REPO, stdout=subprocess.DEVNULL, check=False)
        took = time.perf_counter() - started
        if process.returncode:
            print(f"== {script} failed ({process.returncode}) after {took:.0f} s", file=sys.stderr)
            failed.append(script)
            continue
        print(f"== {script}: {took:.0f} s", file=sys.stderr, flush=True)
        section = output.read_text(encoding="utf-8")
        document = args.doc.read_text(encoding="utf-8") if args.doc.exists() else ""
        args.doc.write_text(replace_section(document, heading, section), encoding="utf-8")
        print(f"== updated {heading!r} in {args.doc}", file=sys.stderr, flush=True)
    if failed:
        print(f"Failed: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
