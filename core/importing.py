"""What every importer shares for writing: syncing rows, the lock, and the run itself (validate,
then write in one transaction, record it, report one summary line). Problems are in
``core.problems``, the field parsers in ``core.parsers``."""

from __future__ import annotations

import fcntl
import hashlib
import os
import tempfile
import time
from collections.abc import Callable, Hashable, Iterable
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from django.db import connection, models, transaction
from django.utils import timezone

from core import releases
from core.models import DataVersion, ImportRecord
from core.problems import Problem


@dataclass
class SyncResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    deleted: int = 0
    changed_keys: set = field(default_factory=set)
    objects: dict = field(default_factory=dict)

    @property
    def changes(self) -> int:
        return self.created + self.updated + self.deleted


def sync_rows(
    model: type[models.Model],
    desired: dict[Hashable, dict],
    existing: dict[Hashable, models.Model],
    *,
    delete_missing: bool,
    batch_size: int = 500,
) -> SyncResult:
    """Make the rows ``existing`` (keyed like ``desired``) hold the values in ``desired``.

    New keys are created with ``bulk_create``, changed rows written with ``bulk_update`` (only
    the fields that changed), and rows whose key is not desired are deleted if asked.
    ``result.objects`` maps every desired key to its saved instance.
    """
    result = SyncResult()
    to_create: list[tuple[Hashable, models.Model]] = []
    to_update: list[models.Model] = []
    update_fields: set[str] = set()
    for key, values in desired.items():
        instance = existing.get(key)
        if instance is None:
            to_create.append((key, model(**values)))
            continue
        changed = [name for name, value in values.items() if getattr(instance, name) != value]
        if changed:
            for name in changed:
                setattr(instance, name, values[name])
            update_fields.update(changed)
            to_update.append(instance)
            result.changed_keys.add(key)
        else:
            result.unchanged += 1
        result.objects[key] = instance
    if to_create:
        model.objects.bulk_create([obj for _, obj in to_create], batch_size=batch_size)
        for key, obj in to_create:
            result.objects[key] = obj
            result.changed_keys.add(key)
        result.created = len(to_create)
    if to_update:
        model.objects.bulk_update(to_update, sorted(update_fields), batch_size=batch_size)
        result.updated = len(to_update)
    if delete_missing:
        gone = [obj.pk for key, obj in existing.items() if key not in desired]
        delete_in_batches(model, gone, batch_size)
        result.deleted = len(gone)
    return result


def delete_in_batches(model: type[models.Model], pks: list, batch_size: int = 500) -> None:
    """Delete ``model`` rows by primary key, a batch at a time (a database limits how many
    parameters one query may take)."""
    for start in range(0, len(pks), batch_size):
        model.objects.filter(pk__in=pks[start : start + batch_size]).delete()


def keyed(objects: Iterable[models.Model], key: Callable[[models.Model], Hashable]) -> dict:
    return {key(obj): obj for obj in objects}


@dataclass
class ImportOutcome:
    """What an importer's write step did, by kind of record."""

    counts: dict[str, SyncResult] = field(default_factory=dict)
    notes: list[str | Problem] = field(default_factory=list)
    kept_edits: list[str] = field(default_factory=list)
    main: str = ""
    #: The data's own date, where the source gives one (a harvest date, "Last Updated").
    data_date: date | None = None

    def add(self, name: str, result: SyncResult) -> SyncResult:
        self.counts[name] = result
        return result

    def totals(self) -> SyncResult:
        main = self.counts.get(self.main)
        if main is not None:
            return main
        total = SyncResult()
        for result in self.counts.values():
            total.created += result.created
            total.updated += result.updated
            total.unchanged += result.unchanged
            total.deleted += result.deleted
        return total

    @property
    def changed(self) -> bool:
        return any(result.changes for result in self.counts.values())

    def as_dict(self, seconds: float, *, dry_run: bool = False) -> dict:
        """The outcome as data: what ``--report`` writes and benchmarks read."""

        def numbers(result: SyncResult) -> dict:
            return {
                "created": result.created,
                "updated": result.updated,
                "unchanged": result.unchanged,
                "removed": result.deleted,
            }

        return {
            "main": self.main,
            "dry_run": dry_run,
            "changed": self.changed,
            "seconds": round(seconds, 3),
            "totals": numbers(self.totals()),
            "counts": {name: numbers(result) for name, result in self.counts.items()},
            "notes": problem_details(self.notes),
        }


def problem_details(notes) -> list[dict]:
    """The structured notes (those that are :class:`Problem`), as data."""
    return [note.as_dict() for note in notes if isinstance(note, Problem)]


class DryRunRollback(Exception):
    pass


class ImportBusy(Exception):
    """Another import (or a staff edit) is writing: this one refuses rather than interleave."""

    MESSAGE = (
        "Another import is running (or a staff edit is being saved); nothing was changed. "
        "Try again when it has finished."
    )


#: The PostgreSQL advisory lock all imports share (any fixed number; this one spells "occmaps").
ADVISORY_LOCK_KEY = 0x6F63636D617073


#: How often a write that may wait for the lock tries it again (seconds).
LOCK_POLL_SECONDS = 0.1
#: How long an import waits for the lock: long enough for a staff edit being saved (a fraction
#: of a second), not for another import.
IMPORT_WAIT_SECONDS = 3
#: How a write waits before trying the lock again (tests replace it to act meanwhile).
pause = time.sleep


@contextmanager
def import_lock(wait: float = 0):
    """Hold the one import lock for the duration of a write, or raise :class:`ImportBusy`.

    Every write that makes releases takes it (imports, and staff edits in the admin), so that
    releases are made one at a time, each from what one write changed. A write ``wait``s for
    it up to that many seconds. Writers take it through :func:`locked_transaction`.

    PostgreSQL: a transaction-level advisory lock (call inside the transaction; it is released
    at commit or rollback, and when a killed importer's connection drops). SQLite: an exclusive
    lock on a file beside the database, released when the process ends however it ends.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:

            def try_lock() -> bool:
                cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [ADVISORY_LOCK_KEY])
                return cursor.fetchone()[0]

            _take(try_lock, wait)
        yield
        return
    name = str(connection.settings_dict["NAME"])
    if "mode=memory" in name or ":memory:" in name:
        name += f"#{os.getpid()}"  # an in-memory database belongs to this process alone
    digest = hashlib.sha256(name.encode()).hexdigest()[:16]
    path = Path(tempfile.gettempdir()) / f"occmaps-import-{digest}.lock"
    with path.open("a") as handle:

        def try_lock() -> bool:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                return False
            return True

        _take(try_lock, wait)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _take(try_lock: Callable[[], bool], wait: float) -> None:
    """Try the lock until it is taken, or raise :class:`ImportBusy` once ``wait`` has passed."""
    deadline = time.monotonic() + wait
    while not try_lock():
        if time.monotonic() >= deadline:
            raise ImportBusy(ImportBusy.MESSAGE)
        pause(LOCK_POLL_SECONDS)


@contextmanager
def locked_transaction(wait: float = 0, using: str | None = None):
    """One transaction that holds the import lock from before its first read until it has
    committed or rolled back, or :class:`ImportBusy` before anything is read or written.

    PostgreSQL's lock belongs to the transaction, so it is taken inside it; SQLite's file lock
    is taken before the transaction begins and released after it ends, so that no other writer
    can start between the last write and the commit."""
    if connection.vendor == "postgresql":
        with transaction.atomic(using=using), import_lock(wait):
            yield
    else:
        with import_lock(wait), transaction.atomic(using=using):
            yield


def run_import(
    *,
    kind: str,
    source: str,
    write: Callable[[], ImportOutcome],
    dry_run: bool = False,
) -> tuple[ImportOutcome, ImportRecord | None, float]:
    """Run ``write`` in one transaction and record it. A dry run is rolled back and not recorded.
    If the write changed what the site compares between releases, the record gets a release
    (``core.releases``).

    Validation happens before this is called: ``write`` may still raise :class:`ImportRejected`
    for problems that need the database to see, and then nothing it wrote is kept.
    """
    started = timezone.now()
    clock = time.perf_counter()
    outcome: ImportOutcome | None = None
    try:
        with locked_transaction(wait=IMPORT_WAIT_SECONDS):
            before = releases.snapshot()
            outcome = write()
            if dry_run:
                raise DryRunRollback
            elapsed = time.perf_counter() - clock
            DataVersion.bump()
            record = ImportRecord.objects.create(
                kind=kind,
                source=source,
                started_at=started,
                finished_at=timezone.now(),
                outcome=ImportRecord.Outcome.SUCCEEDED,
                data_date=outcome.data_date,
                **_record_counts(outcome),
                summary=summary_line(outcome, elapsed),
            )
            # What changed, compared with ``before`` in this transaction: a release, if anything.
            releases.record(
                before,
                kind=kind,
                source=source,
                data_date=outcome.data_date,
                import_record=record,
            )
    except DryRunRollback:
        return outcome, None, time.perf_counter() - clock
    return outcome, record, elapsed


def _record_counts(outcome: ImportOutcome) -> dict:
    totals = outcome.totals()
    return {
        "created": totals.created,
        "updated": totals.updated,
        "unchanged": totals.unchanged,
        "removed": totals.deleted,
        "counts": {
            name: {
                "created": r.created,
                "updated": r.updated,
                "unchanged": r.unchanged,
                "removed": r.deleted,
            }
            for name, r in outcome.counts.items()
        },
        "problems": [str(note) for note in outcome.kept_edits + outcome.notes],
        "problem_details": problem_details(outcome.notes),
    }


def record_failure(kind: str, source: str, problems: list[Problem], started) -> ImportRecord:
    """Keep a record of a rejected import (for staff); it changes no data."""
    return ImportRecord.objects.create(
        kind=kind,
        source=source,
        started_at=started,
        finished_at=timezone.now(),
        outcome=ImportRecord.Outcome.FAILED,
        problems=[str(p) for p in problems],
        summary=f"Rejected: {len(problems)} problem(s); nothing was changed.",
    )


def summary_line(outcome: ImportOutcome, seconds: float, *, dry_run: bool = False) -> str:
    totals = outcome.totals()
    label = outcome.main or "records"
    prefix = "Dry run, nothing written. " if dry_run else ""
    if not outcome.changed:
        return f"{prefix}No changes: {totals.unchanged} {label} unchanged ({seconds:.2f} s)."
    verbs = (
        ("to create", "to update", "to remove") if dry_run else ("created", "updated", "removed")
    )
    label = label[:1].upper() + label[1:]
    return (
        f"{prefix}{label}: {totals.created} {verbs[0]}, {totals.updated} {verbs[1]}, "
        f"{totals.unchanged} unchanged, {totals.deleted} {verbs[2]} ({seconds:.2f} s)."
    )
