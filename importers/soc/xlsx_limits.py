"""The size check an .xlsx file passes before any parser opens it.

An .xlsx file is a zip archive of XML parts. A small archive can unpack to gigabytes (a "zip
bomb": one cell of a billion spaces compresses a thousand to one), and a parser that unpacks it
fills the memory before it can refuse. The archive's directory says how large each part
unpacks to, and Python's ``zipfile`` (which the parsers read through) never gives more than
that, so checking the directory is enough, and takes a millisecond: nothing is unpacked.

The real ONS files are well inside the limits: the coding index (3.9 MB) unpacks to 26 MB, its
largest part (the index's sheet) to 23 MB, at 7 to 1.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

from django.template.defaultfilters import filesizeformat

from core.problems import Problems

MIB = 1024 * 1024
#: The most one part of a workbook may unpack to (the largest real one: 23 MB).
MAX_MEMBER_BYTES = 128 * MIB
#: The most the whole workbook may unpack to (the real coding index: 26 MB).
MAX_TOTAL_BYTES = 256 * MIB
#: The most a part larger than :data:`RATIO_FROM_BYTES` may unpack to per byte it takes in the
#: archive (real sheets: 3 to 7; a bomb: hundreds or thousands).
MAX_RATIO = 100
RATIO_FROM_BYTES = MIB
#: The most parts a workbook may have (the real ones: 28 and 42).
MAX_MEMBERS = 10_000


def _size(number: int) -> str:
    return filesizeformat(number).replace("\xa0", " ")


def within_limits(path: Path, label: str, problems: Problems) -> bool:
    """True if the archive at ``path`` may be given to a parser; else False, with a problem
    naming the file, the part and the limit. A file that is not a zip archive is left to the
    parser to refuse in its own words."""
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return True
    if len(members) > MAX_MEMBERS:
        problems.add(
            label, f"refused before reading: {len(members):,} parts (at most {MAX_MEMBERS:,})"
        )
        return False
    total = 0
    for member in members:
        size = member.file_size
        total += size
        if size > RATIO_FROM_BYTES and size > MAX_RATIO * max(member.compress_size, 1):
            ratio = size // max(member.compress_size, 1)
            problems.add(
                label,
                f"refused before reading: its part {member.filename} unpacks to {_size(size)} "
                f"from {_size(member.compress_size)}, {ratio:,} to 1 (at most {MAX_RATIO} to "
                "1): not a spreadsheet's data",
            )
            return False
        if size > MAX_MEMBER_BYTES:
            problems.add(
                label,
                f"refused before reading: its part {member.filename} unpacks to {_size(size)} "
                f"(at most {_size(MAX_MEMBER_BYTES)} for one part of a workbook)",
            )
            return False
    if total > MAX_TOTAL_BYTES:
        problems.add(
            label,
            f"refused before reading: it unpacks to {_size(total)} (at most "
            f"{_size(MAX_TOTAL_BYTES)} for a workbook)",
        )
        return False
    return True
