from django.apps import AppConfig
from django.db.models.signals import post_migrate, post_save


class CoreConfig(AppConfig):
    """The kernel: import records, the data version, staff roles and the import machinery.

    It imports no domain app. Its label stays ``occmaps`` (the app this code used to live in),
    so the tables (``occmaps_importrecord``, ``occmaps_dataversion``), the migration history in
    ``core/migrations/`` (moved unchanged), content types and permissions all keep their names:
    no data migration is needed.
    """

    name = "core"
    label = "occmaps"
    verbose_name = "Data imports"

    def ready(self):
        from django.contrib.admin.models import LogEntry

        from core.dataversion import bump_after_admin_change
        from core.roles import setup_roles_after_migrate

        # Every add, change or delete in the admin writes a log entry: a new data version.
        post_save.connect(bump_after_admin_change, sender=LogEntry, dispatch_uid="occmaps_bump")

        # After the other apps: permissions exist once every app has migrated.
        post_migrate.connect(setup_roles_after_migrate, dispatch_uid="occmaps_setup_roles")
