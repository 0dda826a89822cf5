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

    def source_label(self, options) -> str:
        return options["source"]

    def read(self, options):
        data, problems = read_source(options["source"])
        if problems:
            raise ImportRejected(problems)
        if options["verbosity"] >= 2:
            self.stdout.write(
                f"Read {data.records} record(s): {len(data.standards)} standards "
                "(the latest version of each is used)."
            )
        return StandardsWriter(data).write
