from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from routes.models import Route

DEFAULT_SAMPLE = Path(settings.BASE_DIR) / "fixtures" / "sample"


class Command(BaseCommand):
    help = (
        "Load the bundled sample map through the real importers: import_soc on its soc/ folder, "
        "then import_maps on the folder."
    )

    def add_arguments(self, parser):
        parser.add_argument("folder", nargs="?", type=Path, default=DEFAULT_SAMPLE)
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Do nothing if the database already holds a map.",
        )

    def handle(self, *args, folder: Path, if_empty: bool, verbosity: int, **options):
        if if_empty and Route.objects.exists():
            if verbosity:
                self.stdout.write("The database already holds a map; the sample was not loaded.")
            return
        if not folder.is_dir():
            raise CommandError(f"{folder}: no such folder")
        common = {"verbosity": verbosity, "stdout": self.stdout, "stderr": self.stderr}
        call_command("import_soc", str(folder / "soc"), **common)
        call_command("import_maps", str(folder), **common)
