import os
from pathlib import Path

from django.core.management.base import CommandError

from core.management.base import ImportCommand
from core.problems import ImportRejected
from importers.maps import MapsWriter, read_paths
from importers.maps.fetch import ApiClient, read_api


class Command(ImportCommand):
    help = (
        "Import Occupational Maps API JSON: occupation files (a directory, a file of one or a "
        "list), the routes and green themes (or a harvest index), and progression edges; or "
        "the live API with --api-url."
    )
    kind = "maps"

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("sources", nargs="*", type=Path, help="JSON files or directories")
        parser.add_argument(
            "--api-url",
            default="",
            help="Read the live API at this base URL (for example .../api/v1) instead of files.",
        )
        parser.add_argument(
            "--api-key",
            default=os.environ.get("OCCMAPS_API_KEY", ""),
            help="The API's subscription key (default: the OCCMAPS_API_KEY variable).",
        )
        parser.add_argument(
            "--timeout", type=float, default=30, help="Seconds to wait for each API answer."
        )
        parser.add_argument(
            "--retries",
            type=int,
            default=4,
            help="Tries after the first when the API is unreachable or busy (waiting 1 s, 2 s, "
            "4 s ... between them, or as long as it asks).",
        )
        parser.add_argument(
            "--overwrite-edits",
            action="store_true",
            help="Take the imported values even where staff edited an occupation since.",
        )
        parser.add_argument(
            "--prune",
            action="store_true",
            help="This is a full import: remove routes, occupations and products it lacks.",
        )

    def source_label(self, options) -> str:
        if options["api_url"]:
            return options["api_url"]
        return " ".join(str(p) for p in options["sources"])

    def read(self, options):
        if bool(options["sources"]) == bool(options["api_url"]):
            raise CommandError("Give either JSON files or folders, or --api-url, not both.")
        verbose = options["verbosity"] >= 2
        if options["api_url"]:
            if not options["api_url"].startswith(("http://", "https://")):
                raise CommandError("--api-url must start with http:// or https://")
            client = ApiClient(
                options["api_url"],
                options["api_key"],
                timeout=options["timeout"],
                retries=options["retries"],
            )
            data, problems = read_api(client, progress=self.stdout.write if verbose else None)
        else:
            data, problems = read_paths(options["sources"])
        if problems:
            raise ImportRejected(problems)
        if verbose:
            self.stdout.write(
                f"Read {data.files} document(s): {len(data.occupations)} occupations, "
                f"{len(data.routes)} routes, {len(data.clusters)} clusters."
            )
        return MapsWriter(
            data, prune=options["prune"], overwrite_edits=options["overwrite_edits"]
        ).write
