"""Send public reads to a read replica when one is configured (``DATABASE_REPLICA_URL``).

Only anonymous GET and HEAD requests for public pages read from the replica (the middleware
marks them); the admin, management commands and every write use the primary.
"""

from contextvars import ContextVar

from django.conf import settings

public_read: ContextVar[bool] = ContextVar("occmaps_public_read", default=False)


class ReplicaRouter:
    @staticmethod
    def has_replica() -> bool:
        return "replica" in settings.DATABASES

    def db_for_read(self, model, **hints):
        if public_read.get() and self.has_replica():
            return "replica"
        return "default"

    def db_for_write(self, model, **hints):
        return "default"

    def allow_relation(self, obj1, obj2, **hints):
        return True

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == "default"
