"""The files of /downloads/: built once per data version and kept as files that every worker on
the machine shares (``settings.DOWNLOADS_DIR``).

Why files rather than the cache: the default cache is each worker's own memory, so each of the
five workers built the 8 MB map export again just to show its size (1.6 s of CPU and about
70 MB each). A shared cache (Redis) would hold one copy, but every download would then pass
8 MB through it into a worker's memory, and Redis and memcached cap or slow such values. A file
is written once, sent from disk in chunks (``FileResponse``), and its size is a ``stat``.

A file is built whole, in memory, and then moved into place (``os.replace``), so a database
failure part-way leaves no file and the request answers 503; no reader sees half a file. One
worker builds while the others wait on a lock file, then read what it wrote.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import io
import logging
import os
import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from django.conf import settings
from django.db import connection

from core import dataversion
from importers.exports import (
    SOC2010_COLUMNS,
    SOC2020_SUB_UNIT_GROUP_COLUMNS,
    maps_json,
    soc2010_mapping_csv,
    soc2020_sub_unit_group_mapping_csv,
)

logger = logging.getLogger(__name__)

#: A folder of another data version is removed once it is this old (seconds): long enough for a
#: request that began before an import to finish sending its file.
KEEP_OLD_VERSIONS = 600


@dataclass(frozen=True)
class Download:
    name: str
    title: str
    content_type: str
    description: str
    columns: list[str]

    def build(self, site: str) -> bytes:
        if self.name == "soc2010-mapping.csv":
            return soc2010_mapping_csv()
        if self.name == "soc2020-sub-unit-group-mapping.csv":
            return soc2020_sub_unit_group_mapping_csv()
        return maps_json(site)


DOWNLOADS = {
    d.name: d
    for d in [
        Download(
            "soc2010-mapping.csv",
            "Occupations mapped to SOC 2010",
            "text/csv; charset=utf-8",
            "One row for each occupation with a SOC 2010 mapping: its closest SOC 2010 unit group.",
            SOC2010_COLUMNS,
        ),
        Download(
            "soc2020-sub-unit-group-mapping.csv",
            "Occupations mapped to SOC 2020 extension sub-unit groups",
            "text/csv; charset=utf-8",
            "One row for each occupation and sub-unit group; primary says which one is the "
            "occupation's main match (yes or no).",
            SOC2020_SUB_UNIT_GROUP_COLUMNS,
        ),
        Download(
            "occupational-maps.json",
            "The whole map as JSON",
            "application/json; charset=utf-8",
            "Every route, pathway, cluster and occupation, with products, SOC codes and "
            "progression, in the shapes of the Occupational Maps API (occupations as API "
            "occupation objects). The import_maps command reads it back.",
            [],
        ),
    ]
}


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def database_folder() -> Path:
    """The folder of this database's files: two sites on one machine never share files."""
    identity = f"{connection.vendor}:{connection.settings_dict.get('HOST') or ''}:"
    identity += str(connection.settings_dict["NAME"])
    return Path(settings.DOWNLOADS_DIR) / _digest(identity)


def version_folder(site: str) -> Path:
    """The folder of the current data version's files for ``site`` (the map export's links are
    absolute). The version's time is in the name too, so a database made anew, whose versions
    start again from 1, never finds the files of the old one."""
    current = dataversion.current()  # held by the worker: no query
    stamp = f"v{current.number}-{current.changed_at}"
    return database_folder() / stamp / _digest(site)


def stored_file(download: Download, site: str, folder: Path | None = None) -> Path:
    """The download's file for the current data version (in ``folder``, the
    :func:`version_folder` of ``site``), built now if no worker has built it.

    The version is read before the data, so a file may hold data newer than its version (an
    import committed meanwhile), never older; the next request, under the new version, builds
    again."""
    folder = folder or version_folder(site)
    target = folder / download.name
    if target.exists():
        return target
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / ".lock").open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # one worker builds; the others wait, then read it
        try:
            if not target.exists():
                _write(target, download.build(site))
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
    _remove_old_versions(folder.parent.name)
    return target


def opened(download: Download, site: str, folder: Path | None = None) -> tuple[BinaryIO, int]:
    """The download's content to send and its size: from its stored file or, when the folder
    cannot be written (a read-only disk, a wrong ``DOWNLOADS_DIR``), built for this request
    alone, so that the visitor still gets it."""
    try:
        path = stored_file(download, site, folder)
        return path.open("rb"), path.stat().st_size
    except OSError as error:
        logger.warning("downloads folder unusable, %s built in memory: %s", download.name, error)
        content = download.build(site)
        return io.BytesIO(content), len(content)


def _write(target: Path, content: bytes) -> None:
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".", suffix=".part")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(content)
        os.replace(temporary, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def _remove_old_versions(current: str) -> None:
    """Remove the folders of other data versions once no request can still be sending them."""
    now = time.time()
    for folder in database_folder().iterdir():
        if folder.name == current or not folder.is_dir():
            continue
        with contextlib.suppress(OSError):
            if now - folder.stat().st_mtime > KEEP_OLD_VERSIONS:
                shutil.rmtree(folder)
