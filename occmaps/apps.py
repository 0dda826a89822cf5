from django.apps import AppConfig
from django.db.models.signals import post_migrate, post_save


class OccmapsConfig(AppConfig):
    name = "occmaps"
    verbose_name = "Data imports"

    def ready(self):
        from django.contrib.admin.models import LogEntry

        from occmaps.dataversion import bump_after_admin_change
        from occmaps.roles import setup_roles_after_migrate

        # Every add, change or delete in the admin writes a log entry: a new data version.
        post_save.connect(bump_after_admin_change, sender=LogEntry, dispatch_uid="occmaps_bump")

        # After the other apps: permissions exist once every app has migrated.
        post_migrate.connect(setup_roles_after_migrate, dispatch_uid="occmaps_setup_roles")
