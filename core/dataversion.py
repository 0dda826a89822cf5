"""The data version: it changes whenever the data shown on the site may have changed.

Every import bumps it in its own transaction, and every save or delete in the admin (each writes
a log entry) bumps it too. Cached pages and downloads carry it in their keys and ETags.
"""

from core.models import DataVersion


def data_version() -> str:
    return str(DataVersion.current().version)


def bump_after_admin_change(sender, instance, created, **kwargs) -> None:
    if created:
        DataVersion.bump()
