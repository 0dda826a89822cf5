"""The import lock held by someone else: another connection (PostgreSQL) or another open file
(SQLite), as a running import would hold it."""

import threading
from contextlib import contextmanager

from django.conf import settings
from django.db import connection

from core import importing
from core.importing import ADVISORY_LOCK_KEY, import_lock


class HeldLock:
    def __init__(self):
        self._release = None

    def release(self) -> None:
        """The other writer finishes (once; later calls do nothing)."""
        release, self._release = self._release, None
        if release is not None:
            release()


@contextmanager
def lock_held_elsewhere():
    held = HeldLock()
    if connection.vendor == "postgresql":
        import psycopg

        db = settings.DATABASES["default"]
        with psycopg.connect(
            dbname=connection.settings_dict["NAME"],
            user=db["USER"],
            host=db["HOST"],
            port=db["PORT"] or None,
            password=db["PASSWORD"] or None,
            autocommit=True,
        ) as other:
            other.execute("SELECT pg_advisory_lock(%s)", [ADVISORY_LOCK_KEY])
            held._release = lambda: other.execute(
                "SELECT pg_advisory_unlock(%s)", [ADVISORY_LOCK_KEY]
            )
            try:
                yield held
            finally:
                held.release()
        return
    locked, finish = threading.Event(), threading.Event()

    def hold():
        with import_lock():
            locked.set()
            finish.wait(30)

    thread = threading.Thread(target=hold)
    thread.start()
    locked.wait(30)

    def release():
        finish.set()
        thread.join(30)

    held._release = release
    try:
        yield held
    finally:
        held.release()


@contextmanager
def lock_held_until_waited_for(monkeypatch):
    """The lock held elsewhere until a write that wants it has found it held and paused: the
    other writer finishes then. Yields the list of the pauses the write makes."""
    pauses = []
    with lock_held_elsewhere() as held:

        def other_writer_finishes(seconds):
            pauses.append(seconds)
            held.release()

        monkeypatch.setattr(importing, "pause", other_writer_finishes)
        yield pauses
