import io
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from importers.soc_mapping import SCHEMES, export_rows, write_csv


class Command(BaseCommand):
    help = (
        "Write a SOC mapping CSV from the database, in the layout import_soc_mapping reads: "
        "soc2010 (one row per occupation) or soc2020ext (one row per sub-unit group)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--scheme", required=True, choices=SCHEMES, help="which mapping")
        parser.add_argument(
            "--output", type=Path, help="the file to write (default: standard output)"
        )

    def handle(self, *args, **options):
        scheme = options["scheme"]
        rows = export_rows(scheme)
        output = Path(options["output"]) if options["output"] else None
        if output is None:
            # The CSV is the whole output (ready to redirect to a file), written in one go.
            text = io.StringIO(newline="")
            write_csv(scheme, text, rows)
            self.stdout.write(text.getvalue(), ending="")
            return
        try:
            with output.open("w", encoding="utf-8", newline="") as stream:
                write_csv(scheme, stream, rows)
        except OSError as exc:
            raise CommandError(f"Cannot write {output}: {exc}") from exc
        if options["verbosity"] >= 1:
            self.stdout.write(f"Wrote {len(rows)} {scheme} mapping row(s) to {output}.")
