"""A full-scale synthetic Occupational Maps snapshot, in the formats ``import_maps`` reads.

Every name, code and sentence is generated from word lists and a seeded ``random.Random``: none
of it is real data, and the same seed always writes the same files. At the default scale it has
the national map's shape: 15 routes, 35 pathways, about 170 clusters in rows across the three
bands, about 1,300 occupations (the largest route about 150), about 3,000 progression pairs (some
across routes) and about 2,000 products, with all four statuses, SOC 2010 and SOC 2020 unit groups
and SOC 2020 sub-unit groups, and a sprinkling of the source's quirks (placeholder dates, stray
spaces, HTML entities, letter-suffixed codes).

It writes ``routes.json``, ``green-themes.json`` and one API occupation object per file under a
folder per route (``<route-slug>/OCC0123.json``)::

    python benchmarks/snapshot.py OUTPUT_DIR [--occupations N] [--seed S]

Tests use :func:`generate` to write a small (or, with ``occupations=FULL``, the full) snapshot into
a temporary folder.

The work is split by job: ``snapshot_shape.py`` (the numbers and word lists),
``snapshot_map.py`` (the map's skeleton) and ``snapshot_records.py`` (the documents); this module
writes them.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import NamedTuple

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from benchmarks.snapshot_records import Generator  # noqa: E402
from benchmarks.snapshot_shape import FULL, SMALL  # noqa: E402


def write_snapshot(folder: Path, *, seed: int = 1, occupations: int = FULL) -> dict:
    """Write a snapshot of ``occupations`` occupations into ``folder`` (made if missing, and
    expected to hold no JSON yet); return the counts of what it wrote."""
    folder = Path(folder)
    if folder.is_dir() and any(folder.rglob("*.json")):
        raise FileExistsError(f"{folder} already holds JSON files: give an empty folder")
    generator = Generator(seed, occupations)
    files = 0
    product_links = 0
    sugs: set[str] = set()
    made: set[Path] = set()
    for relative, document in generator.files():
        path = folder / relative
        if path.parent not in made:
            path.parent.mkdir(parents=True, exist_ok=True)
            made.add(path.parent)
        path.write_text(json.dumps(document, separators=(",", ":")), encoding="utf-8")
        files += 1
        if isinstance(document, dict):
            product_links += len(document.get("products", []))
            sugs.update(g["code"] for g in document["soc"].get("soc2020SubUnitGroups", []))
    return generator.counts(files, product_links, sugs)


class Snapshot(NamedTuple):
    folder: Path
    counts: dict


def generate(tmp_dir: Path, *, occupations: int = SMALL, seed: int = 1) -> Snapshot:
    """For tests: write a snapshot into ``tmp_dir / "snapshot"``; ``occupations=FULL`` for the
    national scale. ``counts["largest_route"]["slug"]`` names the biggest route map."""
    folder = Path(tmp_dir) / "snapshot"
    return Snapshot(folder, write_snapshot(folder, seed=seed, occupations=occupations))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("output", type=Path, help="folder to write (made if missing; empty)")
    parser.add_argument("--occupations", type=int, default=FULL, help=f"default {FULL}")
    parser.add_argument("--seed", type=int, default=1, help="default 1")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    try:
        counts = write_snapshot(args.output, seed=args.seed, occupations=args.occupations)
    except (FileExistsError, ValueError) as exc:
        parser.error(str(exc))
    seconds = time.perf_counter() - started
    print(json.dumps(counts, indent=2))
    print(f"Wrote {counts['files']} files to {args.output} in {seconds:.2f} s.", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
