from pathlib import Path

from occmaps.importing import ImportRejected
from occmaps.management.base import ImportCommand
from occupations.importers.maps import MapsWriter, read_paths


class Command(ImportCommand):
    help = (
        "Import Occupational Maps API JSON: occupation files (a directory, a file of one or a "
        "list), the routes and green themes (or a harvest index), and progression edges."
    )
    kind = "maps"

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("sources", nargs="+", type=Path, help="JSON files or directories")
        parser.add_argument(
            "--prune",
            action="store_true",
            help="This is a full import: remove routes, occupations and products it lacks.",
        )

    def source_label(self, options) -> str:
        return " ".join(str(p) for p in options["sources"])

    def read(self, options):
        data, problems = read_paths(options["sources"])
        if problems:
            raise ImportRejected(problems)
        if options["verbosity"] >= 2:
            self.stdout.write(
                f"Read {data.files} file(s): {len(data.occupations)} occupations, "
                f"{len(data.routes)} routes, {len(data.clusters)} clusters."
            )
        return MapsWriter(data, prune=options["prune"]).write
