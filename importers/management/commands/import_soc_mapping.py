from pathlib import Path

from core.management.base import ImportCommand
from core.problems import ImportRejected
from importers.soc_mapping import SCHEMES, MappingWriter, read_file


class Command(ImportCommand):
    help = (
        "Import a SOC mapping CSV: soc2010 (each occupation's SOC 2010 unit group) or soc2020ext "
        "(each occupation's SOC 2020 extension sub-unit groups, one primary). The file is the "
        "whole mapping of the occupations it names; the layout is described in "
        "importers/soc_mapping/."
    )
    kind = "soc mapping"

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("--scheme", required=True, choices=SCHEMES, help="which mapping")
        parser.add_argument("file", type=Path, help="the CSV file (UTF-8)")

    def handle(self, *args, **options):
        self.kind = f"{options['scheme']} mapping"
        return super().handle(*args, **options)

    def source_label(self, options) -> str:
        return str(options["file"])

    def read(self, options):
        source, problems = read_file(options["file"], options["scheme"])
        if problems:
            raise ImportRejected(problems)
        if options["verbosity"] >= 2:
            self.stdout.write(
                f"Read {len(source.rows)} row(s); they are checked against the database inside "
                "the import's lock and transaction."
            )
        return MappingWriter(source).write
