"""The shape every import command shares: read and check, then write in one transaction."""

from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from core.importing import ImportBusy, ImportOutcome, record_failure, run_import, summary_line
from core.problems import ImportRejected, Problem

#: At most this many problems are printed; the rest are counted.
MAX_PROBLEMS_SHOWN = 200


class ImportCommand(BaseCommand):
    """Subclasses set ``kind`` and implement ``read`` (returning a writer callable or raising
    :class:`ImportRejected`) and ``source_label``."""

    kind = ""

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Check the input and report what would change, without changing anything.",
        )
        parser.add_argument(
            "--report",
            metavar="PATH",
            help="Also write the outcome as JSON to PATH: counts by kind, seconds, coded notes.",
        )

    def read(self, options):  # pragma: no cover - each command has its own
        raise NotImplementedError

    def source_label(self, options) -> str:  # pragma: no cover - each command has its own
        raise NotImplementedError

    def handle(self, *args, **options):
        started = timezone.now()
        source = self.source_label(options)
        try:
            write = self.read(options)
            if options["verbosity"] >= 2:
                self.stdout.write("Checked the input; writing in one transaction.")
                self.stdout.flush()
            outcome, _record, seconds = run_import(
                kind=self.kind, source=source, write=write, dry_run=options["dry_run"]
            )
        except ImportRejected as rejected:
            self.reject(rejected.problems, source, started, options)
        except ImportBusy as busy:
            raise CommandError(str(busy)) from None
        self.report(outcome, seconds, options)
        if options.get("report"):
            report = outcome.as_dict(seconds, dry_run=options["dry_run"])
            Path(options["report"]).write_text(json.dumps(report, indent=1) + "\n")

    def reject(self, problems: list[Problem], source: str, started, options):
        for problem in problems[:MAX_PROBLEMS_SHOWN]:
            self.stderr.write(str(problem))
        if len(problems) > MAX_PROBLEMS_SHOWN:
            self.stderr.write(f"... and {len(problems) - MAX_PROBLEMS_SHOWN} more problems")
        if not options["dry_run"]:
            record_failure(self.kind, source, problems, started)
        raise CommandError(
            f"Import rejected: {len(problems)} problem(s) in {source}. Nothing was changed."
        )

    def report(self, outcome: ImportOutcome, seconds: float, options) -> None:
        verbosity = options["verbosity"]
        if verbosity >= 2:
            for name, result in outcome.counts.items():
                self.stdout.write(
                    f"  {name}: {result.created} created, {result.updated} updated, "
                    f"{result.unchanged} unchanged, {result.deleted} removed"
                )
        if verbosity >= 1:
            for line in outcome.kept_edits:
                self.stdout.write(line)
        if outcome.notes:
            if verbosity >= 2:
                for note in outcome.notes:
                    self.stdout.write(f"  note: {note}")
            elif verbosity >= 1:
                self.stdout.write(f"{len(outcome.notes)} note(s); run with -v 2 to list them.")
        if verbosity >= 1:
            self.stdout.write(summary_line(outcome, seconds, dry_run=options["dry_run"]))
