"""The data version: it changes whenever the data shown on the site may have changed.

Every import bumps it in its own transaction, and every save or delete in the admin (each writes
a log entry) bumps it too. Cached pages and downloads carry it in their keys and ETags.

Each worker process holds the version in memory and reads it again at most once every
``DATA_VERSION_REFRESH_SECONDS`` (one second): from the shared cache (Redis, when ``CACHE_URL``
names one) under :data:`SHARED_KEY`, else from the database, which is always the fallback. A
bump through :meth:`core.models.DataVersion.bump` (every import and admin save) writes the new
version to the shared cache when its transaction commits and makes its own process read it
again at once, so:

- after an import or an admin save, every worker serves the new version within one refresh
  interval (at most ~1 s);
- after a change made without that code (SQL by hand, or a process using another cache), the
  shared key may still hold the old version for up to its own lifetime (one second) before the
  workers read the database: at most ~2 s. Without a shared cache each worker reads the
  database itself, and the bound is ~1 s.

When a read replica is configured, the version is read from the database the pages read from
(never from the shared cache), so that a page is never rendered from a replica that has not yet
caught up with the version it is cached under.

If the refresh fails (the database unreachable), the last known version is kept, so that cached
pages keep being served while the database is away; the refresh is tried again a second later.
"""

import logging
import threading
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache, caches
from django.core.cache.backends.dummy import DummyCache
from django.core.cache.backends.locmem import LocMemCache
from django.db import Error, transaction

from core.models import DataVersion

logger = logging.getLogger("occmaps.dataversion")

#: The key under which the shared cache holds the current version (number, Unix time).
SHARED_KEY = "occmaps:data-version"
#: How long the shared cache keeps a version read from the database (whole seconds).
SHARED_SECONDS = 1


@dataclass(frozen=True)
class Version:
    number: int
    changed_at: int  # Unix time, whole seconds: the pages' Last-Modified

    @property
    def etag(self) -> str:
        return f'"v{self.number}"'


class _Held:
    """This process's copy of the version and when it was read (``time.monotonic()``)."""

    version: Version | None = None
    read_at: float = float("-inf")
    lock = threading.Lock()


def current() -> Version:
    """The data version as this process knows it: at most one refresh interval old.

    One thread refreshes while the others go on with the version held. Raises the database's
    error only when no version has been read yet and the database cannot be reached.
    """
    held = _Held.version
    if (
        held is not None
        and time.monotonic() - _Held.read_at < settings.DATA_VERSION_REFRESH_SECONDS
    ):
        return held
    if held is not None and not _Held.lock.acquire(blocking=False):
        return held  # another thread is reading it
    if held is None:
        _Held.lock.acquire()
    try:
        return refresh()
    finally:
        _Held.lock.release()


def refresh() -> Version:
    """Read the version now (shared cache, else database) and hold it."""
    try:
        version = _read()
    except Error as error:
        if _Held.version is None:
            raise
        logger.warning("data version not refreshed, the last known is kept: %s", str(error)[:200])
        _Held.read_at = time.monotonic()
        return _Held.version
    _Held.version, _Held.read_at = version, time.monotonic()
    return version


def forget() -> None:
    """Read the version again at the next request (after a bump, and between tests)."""
    _Held.version, _Held.read_at = None, float("-inf")


def data_version() -> str:
    return str(current().number)


def _read() -> Version:
    shared = uses_shared_cache()
    if shared:
        found = _cache_call(cache.get, SHARED_KEY)
        if found is not None:
            return Version(*found)
    row = DataVersion.current()
    version = Version(row.version, int(row.changed_at.timestamp()))
    if shared:
        # ``add``: a newer version written by a bump's commit meanwhile is not overwritten.
        _cache_call(cache.add, SHARED_KEY, (version.number, version.changed_at), SHARED_SECONDS)
    return version


def uses_shared_cache() -> bool:
    """A cache every worker shares (not one per process), and no read replica."""
    if "replica" in settings.DATABASES:
        return False
    return not isinstance(caches["default"], LocMemCache | DummyCache)


def _cache_call(method, *args):
    try:
        return method(*args)
    except Exception as error:
        logger.warning("shared cache unavailable for the data version: %s", str(error)[:200])
        return None


def announce_bump() -> None:
    """Called by ``DataVersion.bump()`` inside its transaction: this process reads the version
    again at once, and when the transaction commits the shared cache gets the new version."""
    forget()
    if uses_shared_cache():
        _cache_call(cache.delete, SHARED_KEY)

    def committed():
        forget()
        if uses_shared_cache():
            row = DataVersion.current()
            _cache_call(
                cache.set,
                SHARED_KEY,
                (row.version, int(row.changed_at.timestamp())),
                SHARED_SECONDS,
            )

    # robust: a failure here is logged; the import or save has committed all the same.
    transaction.on_commit(committed, robust=True)


def bump_after_admin_change(sender, instance, created, **kwargs) -> None:
    if created:
        DataVersion.bump()
