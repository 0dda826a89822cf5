"""The recorder the kernel's hook calls (``core.releases``): a release of what a write changed."""

from __future__ import annotations

from collections import Counter

from django.utils import timezone

from changes import diff, snapshot
from changes.models import Change, RecordState, Release


class ReleaseRecorder:
    def snapshot(self) -> snapshot.State:
        return snapshot.take()

    def record(
        self, before: snapshot.State, *, kind: str, source: str, data_date, import_record
    ) -> Release | None:
        changes, states = diff.compare(before, snapshot.take())
        if not changes:
            return None
        counts = Counter(change.kind for change in changes)
        release = Release.objects.create(
            # Every write that makes releases holds the import lock (imports and staff edits):
            # one release at a time. The number's uniqueness would refuse a second writer.
            number=Release.objects.latest_number() + 1,
            created_at=import_record.finished_at if import_record else timezone.now(),
            data_date=data_date,
            kind=kind,
            source=source,
            import_record=import_record,
            counts=dict(sorted(counts.items())),
            total=len(changes),
            occupations_changed=len({c.occupation_code for c in changes if c.occupation_code}),
        )
        for row in [*changes, *states]:
            row.release = release
        Change.objects.bulk_create(changes, batch_size=1000)
        RecordState.objects.bulk_create(states, batch_size=1000)
        return release
