"""What a SOC import has read and checked, and the files' fixed names and columns."""

from __future__ import annotations

import re
import zipfile
from collections import Counter
from dataclasses import dataclass, field
from xml.etree.ElementTree import ParseError

import python_calamine

from socmapping.models import (
    SUB_UNIT_GROUP_CODE_RE,
    SocGroup,
)

VOLUME1 = "SOC 2020 Volume 1"
CODING_INDEX = "SOC 2020 coding index"
SOC2010_STRUCTURE = "SOC 2010 structure"

VOLUME1_SHEET = "SOC2020 descriptions"
INDEX_SHEET = "SOC2020 coding index"
WORKBOOK_SUFFIXES = {".xlsx", ".xlsm"}
ZIP_MAGIC = b"PK\x03\x04"
STRUCTURE_HEADER = ["code", "level", "title"]
BLANK = "<blank>"

Level = SocGroup.Level
LEVELS = [Level.MAJOR, Level.SUB_MAJOR, Level.MINOR, Level.UNIT]
LEVEL_NAMES = {
    Level.MAJOR: "major group",
    Level.SUB_MAJOR: "sub-major group",
    Level.MINOR: "minor group",
    Level.UNIT: "unit group",
}
PARENT_LEVEL = {Level.SUB_MAJOR: Level.MAJOR, Level.MINOR: Level.SUB_MAJOR, Level.UNIT: Level.MINOR}
CODE_PATTERNS = {
    level: re.compile(rf"[1-9][0-9]{{{digits - 1}}}")
    for level, digits in SocGroup.LEVEL_DIGITS.items()
}
UNIT_CODE = CODE_PATTERNS[Level.UNIT]
SUB_UNIT_CODE = re.compile(SUB_UNIT_GROUP_CODE_RE)
TITLE_MAX = SocGroup._meta.get_field("title").max_length

#: Volume 1's columns (found by their header, ignoring case and runs of white space).
VOLUME1_CODE_COLUMNS = {
    Level.MAJOR: "SOC 2020 Major Group",
    Level.SUB_MAJOR: "SOC 2020 Sub-Major Group",
    Level.MINOR: "SOC 2020 Minor Group",
    Level.UNIT: "SOC 2020 Unit Group",
}
VOLUME1_TEXT_COLUMNS = {
    "title": "SOC 2020 Group Title",
    "description": "Group Description",
    "entry_routes": "Typical Entry Routes And Associated Qualifications",
    "tasks": "Tasks",
    "related_job_titles": "Related Job Titles",
}
#: The coding index's columns this importer reads (it has 22).
INDEX_COLUMNS = {
    "soc2010": "SOC_2010",
    "soc2020": "SOC_2020",
    "ext": "SOC_2020_ext",
    "soc2010_title": "SOC2010_unit_group_title",
    "soc2020_title": "SOC2020_unit_group_title",
    "ext_title": "SOC2020_ext_SUG_title",
}
#: The columns that may give an entry's job title, the better first.
INDEX_TITLE_COLUMNS = ("INDEXOCC_-_natural_word_order", "INDEXOCC")
#: The workbooks' errors when a file is not a workbook after all, or a broken one.
WORKBOOK_ERRORS = (
    zipfile.BadZipFile,
    python_calamine.CalamineError,
    KeyError,
    ValueError,
    TypeError,
    EOFError,
    OSError,
    ParseError,
)


# What was read -------------------------------------------------------------------------------


@dataclass
class SocFile:
    """One file met: what it was recognised as (``kind``) and what was read, or why skipped."""

    label: str
    kind: str = ""
    note: str = ""


@dataclass
class Group:
    """A group from a structure source (Volume 1 or the SOC 2010 structure)."""

    where: str
    level: str
    fields: dict


@dataclass
class TitleVote:
    """The titles the coding index gives one code: how many rows give each, and the first."""

    first_row: int
    titles: Counter = field(default_factory=Counter)
    first_rows: dict[str, int] = field(default_factory=dict)

    def add(self, title: str, row: int) -> None:
        self.titles[title] += 1
        self.first_rows.setdefault(title, row)

    def winner(self) -> str:
        """The title most rows give (the first met on a tie); empty titles do not vote."""
        voted = [(title, n) for title, n in self.titles.items() if title]
        return max(voted, key=lambda item: item[1])[0] if voted else ""

    def dissent(self) -> str:
        winner = self.winner()
        return ", ".join(
            f"{title!r} ({n} row{'s' if n > 1 else ''} from row {self.first_rows[title]})"
            for title, n in self.titles.items()
            if title != winner
        )


@dataclass
class CodingIndex:
    label: str
    rows: int = 0
    junk_rows: int = 0
    units: dict[int, dict[str, TitleVote]] = field(default_factory=lambda: {2010: {}, 2020: {}})
    sub_unit_groups: dict[str, TitleVote] = field(default_factory=dict)
    pairs: Counter = field(default_factory=Counter)
    #: The index entries: (job title, SOC 2020 unit group, sub-unit group or "").
    entries: set[tuple[str, str, str]] = field(default_factory=set)

    def unit_title(self, version: int, code: str) -> str:
        return self.units[version][code].winner()


@dataclass
class SocData:
    """Everything read, cleaned and checked."""

    files: list[SocFile] = field(default_factory=list)
    #: Groups from the structure sources, by version and code.
    groups: dict[int, dict[str, Group]] = field(default_factory=dict)
    #: The file that gave each version's structure.
    structure_sources: dict[int, str] = field(default_factory=dict)
    index: CodingIndex | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def recognised(self) -> list[SocFile]:
        return [f for f in self.files if f.kind]

    def report_lines(self) -> list[str]:
        """One line per file (read or skipped), then the coding index's skipped rows."""
        lines = [
            f"Read {f.label}: {f.kind}: {f.note}" if f.kind else f"Skipped {f.label}: {f.note}"
            for f in self.files
        ]
        if self.index is not None:
            lines.append(
                f"Skipped {self.index.junk_rows:,} coding index row(s) holding the placeholder "
                "'}}}}' instead of a code."
            )
        return lines
