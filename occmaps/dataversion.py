"""The data version: it changes whenever the data shown on the site may have changed.

Every import records itself and every admin save writes a log entry, so the newest of each
names the version. Cached downloads (and, later, pages) carry it in their keys.
"""

from django.contrib.admin.models import LogEntry
from django.db.models import Max

from occmaps.models import ImportRecord


def data_version() -> str:
    imported = ImportRecord.objects.succeeded().aggregate(latest=Max("pk"))["latest"] or 0
    edited = LogEntry.objects.aggregate(latest=Max("pk"))["latest"] or 0
    return f"{imported}.{edited}"
