from pathlib import Path

from core.management.base import ImportCommand
from core.problems import ImportRejected
from importers.soc import SocWriter, read_paths


class Command(ImportCommand):
    help = (
        "Import the ONS SOC files: SOC 2020 Volume 1 and the SOC 2020 coding index (xlsx) and "
        "the SOC 2010 structure (CSV: code,level,title). Give files or directories (their own "
        "files are read, not their folders); files are recognised by their content."
    )
    kind = "soc"

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("paths", nargs="+", type=Path, help="SOC files or directories")
        parser.add_argument(
            "--prune",
            action="store_true",
            help=(
                "Remove SOC groups of a version whose structure is imported, sub-unit groups "
                "and index pairs that the import lacks (keeping any still mapped to occupations)."
            ),
        )

    def source_label(self, options) -> str:
        return " ".join(str(p) for p in options["paths"])

    def read(self, options):
        data, problems = read_paths(options["paths"])
        if problems:
            raise ImportRejected(problems)
        if options["verbosity"] >= 1:
            for line in data.report_lines():
                self.stdout.write(line)
        return SocWriter(data, prune=options["prune"]).write
