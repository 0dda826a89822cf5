from django.apps import AppConfig
from django.db.models.signals import post_migrate


class OccmapsConfig(AppConfig):
    name = "occmaps"
    verbose_name = "Data imports"

    def ready(self):
        from occmaps.roles import setup_roles_after_migrate

        # After the other apps: permissions exist once every app has migrated.
        post_migrate.connect(setup_roles_after_migrate, dispatch_uid="occmaps_setup_roles")
