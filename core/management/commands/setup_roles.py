from django.core.management.base import BaseCommand

from core.roles import setup_roles


class Command(BaseCommand):
    help = 'Create or update the staff groups "Map editors" and "Viewers" (safe to run again).'

    def handle(self, *args, **options):
        for name, count in setup_roles().items():
            self.stdout.write(f"{name}: {count} permissions")
