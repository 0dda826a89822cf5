from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from routes.models import Route

BUNDLED = Path(settings.BASE_DIR) / "fixtures"


class Command(BaseCommand):
    help = (
        "Load the real public data bundled in fixtures/ through the real importers: the ONS SOC "
        "files (import_soc fixtures/soc), then the occupational maps (import_maps on the harvest "
        "index, the complete Digital route and the samples from other routes)."
    )

    def add_arguments(self, parser):
        parser.add_argument("folder", nargs="?", type=Path, default=BUNDLED)
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Do nothing if the database already holds a map.",
        )

    def handle(self, *args, folder: Path, if_empty: bool, verbosity: int, **options):
        if if_empty and Route.objects.exists():
            if verbosity:
                self.stdout.write("The database already holds a map; nothing was loaded.")
            return
        maps = folder / "occupational-maps"
        sources = [maps / "index.json", maps / "digital", maps / "samples"]
        missing = [str(path) for path in [folder / "soc", *sources] if not path.exists()]
        if missing:
            raise CommandError(f"the bundled data is incomplete: {', '.join(missing)} not found")
        common = {"verbosity": verbosity, "stdout": self.stdout, "stderr": self.stderr}
        call_command("import_soc", str(folder / "soc"), **common)
        call_command("import_maps", *map(str, sources), **common)
