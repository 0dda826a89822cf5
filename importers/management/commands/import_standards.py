from core.fetching import Fetcher
from core.management.base import ImportCommand
from core.problems import ImportRejected
from importers.standards import StandardsWriter, read_source


class Command(ImportCommand):
    help = (
        "Import the apprenticeship standards JSON (/api/apprenticeshipstandards, a file or an "
        "http(s) URL): fill in the standard details (LARS code, duration, funding, EQA provider, "
        "...) of the apprenticeship products the maps import made."
    )
    kind = "standards"

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("source", help="a JSON file, or an http(s) URL to fetch")
        parser.add_argument(
            "--timeout", type=float, default=30, help="Seconds to wait for the server's answer."
        )
        parser.add_argument(
            "--retries",
            type=int,
            default=4,
            help="Tries after the first when the server is unreachable or busy (waiting 1 s, "
            "2 s, 4 s ... between them).",
        )

    def source_label(self, options) -> str:
        return options["source"]

    def read(self, options):
        fetcher = Fetcher(timeout=options["timeout"], retries=options["retries"])
        data, problems = read_source(options["source"], fetcher)
        if problems:
            raise ImportRejected(problems)
        if options["verbosity"] >= 2:
            self.stdout.write(
                f"Read {data.records} record(s): {len(data.standards)} standards "
                "(the latest version of each is used)."
            )
        return StandardsWriter(data).write
