"""The hook that makes a release of every write that changes the data.

The kernel cannot know what the comparable state of the maps is (that belongs to the apps above
it), so an app above connects a :class:`Recorder` here (``changes`` does, in its
``AppConfig.ready``), and the import machinery (``core.importing.run_import``) and the admin's
save path (``core.admin_tools.RecordsReleasesMixin``) call it around their writes: a snapshot of
the state before, then, in the same transaction, a comparison with the state after, kept as a
release if anything differs. With no recorder connected, writes go on as before.
"""

from __future__ import annotations

from contextlib import contextmanager
from datetime import date
from typing import Any, Protocol


class Recorder(Protocol):
    def snapshot(self) -> Any:
        """The comparable state now."""

    def record(
        self, before: Any, *, kind: str, source: str, data_date: date | None, import_record
    ) -> Any:
        """Compare ``before`` with the state now; keep the differences as a release (and return
        it), or return ``None`` if nothing differs."""


_recorder: Recorder | None = None


def connect(recorder: Recorder) -> None:
    global _recorder
    _recorder = recorder


def snapshot() -> Any:
    return None if _recorder is None else _recorder.snapshot()


def record(
    before: Any,
    *,
    kind: str,
    source: str,
    data_date: date | None = None,
    import_record=None,
) -> Any:
    if _recorder is None or before is None:
        return None
    return _recorder.record(
        before, kind=kind, source=source, data_date=data_date, import_record=import_record
    )


@contextmanager
def recorded(*, kind: str, source: str):
    """Around a write in the caller's transaction: a release of what it changed, if anything.
    Nothing is recorded if the write raises."""
    before = snapshot()
    yield
    record(before, kind=kind, source=source)
