"""Reading and checking the ONS SOC files (see the package's docstring)."""

from __future__ import annotations

import csv
import functools
import re
from collections import Counter
from pathlib import Path

import python_calamine

from core.parsers import clean_text
from core.problems import Problems
from importers.soc import xlsx_limits
from importers.soc.data import (
    BLANK,
    CODE_PATTERNS,
    CODING_INDEX,
    INDEX_COLUMNS,
    INDEX_SHEET,
    INDEX_TITLE_COLUMNS,
    LEVEL_NAMES,
    LEVELS,
    PARENT_LEVEL,
    SOC2010_STRUCTURE,
    STRUCTURE_HEADER,
    SUB_UNIT_CODE,
    TITLE_MAX,
    UNIT_CODE,
    VOLUME1,
    VOLUME1_CODE_COLUMNS,
    VOLUME1_SHEET,
    VOLUME1_TEXT_COLUMNS,
    WORKBOOK_ERRORS,
    WORKBOOK_SUFFIXES,
    ZIP_MAGIC,
    CodingIndex,
    Group,
    Level,
    SocData,
    SocFile,
    TitleVote,
)
from socmapping.models import (
    SocGroup,
)


def read_paths(paths: list[Path]) -> tuple[SocData, Problems]:
    """Read and check every file under ``paths``; return the data and every problem."""
    data = SocData()
    problems = Problems()
    for path in list_files(paths, data, problems):
        read_file(path, data, problems)
    if not data.recognised and not problems:
        skipped = "; ".join(f"{f.label}: {f.note}" for f in data.files) or "no files"
        problems.add(
            ", ".join(str(p) for p in paths),
            f"no SOC file recognised (a SOC 2020 Volume 1 or coding index workbook, or a SOC "
            f"2010 structure CSV); skipped: {skipped}",
        )
    if data.index is not None:
        check_index(data, problems)
    return data, problems


def list_files(paths: list[Path], data: SocData, problems: Problems) -> list[Path]:
    """The files named, and the files directly inside the directories named (not deeper)."""
    files: list[Path] = []
    seen: set[Path] = set()
    for path in paths:
        if path.is_dir():
            for child in sorted(path.iterdir()):
                if child.is_dir():
                    note = "a folder inside a folder: not read"
                    data.files.append(SocFile(f"{child}/", note=note))
                else:
                    files.append(child)
        elif path.is_file():
            files.append(path)
        elif path.exists():
            problems.add(str(path), "not a file or a directory")
        else:
            problems.add(str(path), "no such file or directory")
    unique = []
    for path in files:
        if path.resolve() not in seen:
            seen.add(path.resolve())
            unique.append(path)
    return unique


def read_file(path: Path, data: SocData, problems: Problems) -> None:
    label = str(path)
    try:
        with path.open("rb") as handle:
            head = handle.read(4096)
    except OSError as exc:
        problems.add(label, f"cannot be read: {exc.strerror or exc}")
        return
    if head.startswith(ZIP_MAGIC):
        read_workbook(path, label, data, problems)
    elif path.suffix.lower() in WORKBOOK_SUFFIXES:
        problems.add(label, "cannot be opened as an Excel workbook: it is not an .xlsx file")
    elif is_structure_csv(head):
        read_soc2010_structure(path, label, data, problems)
    else:
        data.files.append(SocFile(label, note="not a SOC file"))


def is_structure_csv(head: bytes) -> bool:
    first_line = head.split(b"\n", 1)[0]
    try:
        text = first_line.decode("utf-8-sig")
    except UnicodeDecodeError:
        return False
    header = next(csv.reader([text]), [])
    return [name.strip().lower() for name in header] == STRUCTURE_HEADER


def header_key(value) -> str:
    """Headers and sheet names are matched ignoring case and runs of white space."""
    return re.sub(r"\s+", " ", str(value or "")).strip().lower()


def claim(data: SocData, kind: str, label: str, problems: Problems) -> bool:
    """Each kind of source may be given once; a second one is a problem."""
    for known in data.recognised:
        if known.kind == kind:
            problems.add(label, f"a second {kind} (the first is {known.label}): give one")
            return False
    return True


class Sheet:
    """One worksheet in the shape the readers expect: rows from cell A1, an empty cell ``None``,
    a whole number an ``int``. (calamine, which reads a workbook several times faster than a
    pure-Python reader, gives the used area only, ``""`` for an empty cell and floats.)"""

    def __init__(self, sheet: python_calamine.CalamineSheet):
        self.sheet = sheet
        self.title = sheet.name

    def iter_rows(self, values_only: bool = True):
        first_row, first_column = self.sheet.start or (0, 0)
        for _ in range(first_row):
            yield ()
        lead = (None,) * first_column
        for row in self.sheet.iter_rows():
            yield (*lead, *map(cell_value, row))


def cell_value(value):
    if value == "":
        return None
    if type(value) is float and value.is_integer():
        return int(value)
    return value


def read_workbook(path: Path, label: str, data: SocData, problems: Problems) -> None:
    if not xlsx_limits.within_limits(path, label, problems):
        return
    with path.open("rb") as handle:
        try:
            # A file object, so that the content is judged rather than the file's name.
            workbook = python_calamine.CalamineWorkbook.from_filelike(handle)
        except WORKBOOK_ERRORS as exc:
            if path.suffix.lower() in WORKBOOK_SUFFIXES:
                problems.add(label, f"cannot be opened as an Excel workbook: {exc}")
            else:
                data.files.append(SocFile(label, note="a zip archive, not an Excel workbook"))
            return
        try:
            sheets = {header_key(name): name for name in workbook.sheet_names}
            volume1 = sheets.get(header_key(VOLUME1_SHEET))
            index = sheets.get(header_key(INDEX_SHEET))
            if volume1 is None and index is None:
                data.files.append(
                    SocFile(
                        label,
                        note=f"a workbook without a {VOLUME1_SHEET!r} or {INDEX_SHEET!r} sheet",
                    )
                )
                return
            try:
                if volume1 is not None and claim(data, VOLUME1, label, problems):
                    sheet = Sheet(workbook.get_sheet_by_name(volume1))
                    read_volume1(sheet, label, data, problems)
                if index is not None and claim(data, CODING_INDEX, label, problems):
                    sheet = Sheet(workbook.get_sheet_by_name(index))
                    read_coding_index(sheet, label, data, problems)
            except WORKBOOK_ERRORS as exc:
                problems.add(label, f"cannot be read as an Excel workbook: {exc}")
        finally:
            workbook.close()


def cell(row: tuple, index: int):
    return row[index] if index < len(row) else None


def text_value(value) -> str:
    """A cell as text; ``<blank>`` (ONS's empty cell) and ``None`` are empty."""
    if value is None:
        return ""
    text = str(value)
    return "" if text.strip().lower() == BLANK else text


def code_text(value) -> str:
    """A code cell as text: the workbooks hold codes as numbers (1115) or text ('2134/03')."""
    if type(value) is int:
        return str(value)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return clean_text(text_value(value))


def split_items(value) -> list[str]:
    """Volume 1's lists: '~'-prefixed items separated by blank lines."""
    items = re.split(r"\n\s*\n|\n(?=\s*~)", text_value(value))
    cleaned = (clean_text(re.sub(r"^\s*~", "", item)) for item in items)
    return [item for item in cleaned if item]


def find_columns(header: tuple | None, wanted: dict, where: str, problems: Problems) -> dict | None:
    """Map each wanted column to its position in ``header``; report every one missing."""
    positions = {}
    for position, name in enumerate(header or ()):
        positions.setdefault(header_key(name), position)
    found = {}
    missing = []
    for key, name in wanted.items():
        if header_key(name) in positions:
            found[key] = positions[header_key(name)]
        else:
            missing.append(name)
    if missing:
        listed = ", ".join(repr(name) for name in missing)
        problems.add(where, f"row 1: missing column(s) {listed}")
        return None
    return found


def check_title(title: str, where: str, what: str, problems: Problems) -> bool:
    if not title:
        problems.add(where, f"{what}: the title is empty")
        return False
    if len(title) > TITLE_MAX:
        problems.add(where, f"{what}: the title is longer than {TITLE_MAX} characters")
        return False
    return True


def add_group(groups: dict[str, Group], code: str, group: Group, problems: Problems) -> None:
    known = groups.get(code)
    if known is not None:
        problems.add(group.where, f"{LEVEL_NAMES[group.level]} {code}: also at {known.where}")
        return
    groups[code] = group


def check_parents(groups: dict[str, Group], problems: Problems) -> None:
    """Every group below a major group needs its parent (its code less one digit) in the file."""
    for code, group in groups.items():
        if group.level == Level.MAJOR:
            continue
        parent_level = PARENT_LEVEL[group.level]
        parent = groups.get(code[:-1])
        if parent is None or parent.level != parent_level:
            problems.add(
                group.where,
                f"{LEVEL_NAMES[group.level]} {code}: its {LEVEL_NAMES[parent_level]} "
                f"{code[:-1]} is not in the file",
            )


def level_counts(groups: dict[str, Group]) -> str:
    counts = Counter(group.level for group in groups.values())
    parts = [f"{counts[level]:,} {LEVEL_NAMES[level].split()[0]}" for level in LEVELS]
    return f"{', '.join(parts[:-1])} and {parts[-1]} groups"


def read_volume1(sheet, label: str, data: SocData, problems: Problems) -> None:
    rows = sheet.iter_rows(values_only=True)
    columns = find_columns(
        next(rows, None),
        {**VOLUME1_CODE_COLUMNS, **VOLUME1_TEXT_COLUMNS},
        f"{label}: sheet {sheet.title}",
        problems,
    )
    if columns is None:
        return
    groups: dict[str, Group] = {}
    for number, row in enumerate(rows, start=2):
        where = f"{label}:{number}"
        filled = [
            (level, code) for level in LEVELS if (code := code_text(cell(row, columns[level])))
        ]
        if not filled:
            if any(text_value(value).strip() for value in row):
                problems.add(where, "no code in any of the four group code columns")
            continue
        if len(filled) > 1:
            found = ", ".join(f"{VOLUME1_CODE_COLUMNS[level]} {code}" for level, code in filled)
            problems.add(where, f"codes in more than one group code column: {found}")
            continue
        level, code = filled[0]
        if not CODE_PATTERNS[level].fullmatch(code):
            digits = SocGroup.LEVEL_DIGITS[level]
            problems.add(
                where,
                f"{VOLUME1_CODE_COLUMNS[level]}: {code!r}: a {LEVEL_NAMES[level]} code has "
                f"{digits} digit{'s' if digits > 1 else ''}",
            )
            continue
        title = clean_text(text_value(cell(row, columns["title"])))
        if not check_title(title, where, f"{LEVEL_NAMES[level]} {code}", problems):
            continue
        fields = {
            "title": title,
            "description": clean_text(text_value(cell(row, columns["description"]))),
            "entry_routes": clean_text(text_value(cell(row, columns["entry_routes"]))),
            "tasks": split_items(cell(row, columns["tasks"])),
            "related_job_titles": split_items(cell(row, columns["related_job_titles"])),
        }
        add_group(groups, code, Group(where, level, fields), problems)
    check_parents(groups, problems)
    data.groups[2020] = groups
    data.structure_sources[2020] = label
    data.files.append(SocFile(label, VOLUME1, level_counts(groups)))


def read_soc2010_structure(path: Path, label: str, data: SocData, problems: Problems) -> None:
    if not claim(data, SOC2010_STRUCTURE, label, problems):
        return
    groups: dict[str, Group] = {}
    line = 1
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            reader = csv.reader(handle)
            next(reader)  # the header, checked when the file was recognised
            for record in reader:
                line = reader.line_num
                read_structure_record(record, f"{label}:{line}", groups, problems)
    except UnicodeDecodeError as exc:
        problems.add(label, f"not UTF-8 text ({exc.reason} at byte {exc.start})")
        return
    except csv.Error as exc:
        problems.add(f"{label}:{line + 1}", f"not valid CSV: {exc}")
        return
    check_parents(groups, problems)
    data.groups[2010] = groups
    data.structure_sources[2010] = label
    data.files.append(SocFile(label, SOC2010_STRUCTURE, level_counts(groups)))


def read_structure_record(
    record: list[str], where: str, groups: dict[str, Group], problems: Problems
) -> None:
    if not any(value.strip() for value in record):
        return
    if len(record) != len(STRUCTURE_HEADER):
        problems.add(where, f"{len(record)} field(s): expected 3 (code, level, title)")
        return
    code, level, title = (clean_text(value) for value in record)
    if level not in LEVELS:
        problems.add(where, f"level: {level!r}: not one of {', '.join(LEVELS)}")
        return
    level = Level(level)
    if not CODE_PATTERNS[level].fullmatch(code):
        digits = SocGroup.LEVEL_DIGITS[level]
        problems.add(
            where,
            f"code: {code!r}: a {LEVEL_NAMES[level]} code has "
            f"{digits} digit{'s' if digits > 1 else ''}",
        )
        return
    if check_title(title, where, f"{LEVEL_NAMES[level]} {code}", problems):
        add_group(groups, code, Group(where, level, {"title": sentence_case(title)}), problems)


def sentence_case(title: str) -> str:
    """The structure file gives the SOC 2010 major and sub-major group titles in capitals
    ("PROFESSIONAL OCCUPATIONS"); the ONS publication sets every title in sentence case, as the
    file's own minor and unit group titles are. None of those titles holds an acronym."""
    return title.capitalize() if title.isupper() else title


def is_junk(value) -> bool:
    """ONS's placeholder '}}}}' (or '}}}}/}}', '}}}') stands where an entry has no code."""
    return isinstance(value, str) and "}" in value


def read_coding_index(sheet, label: str, data: SocData, problems: Problems) -> None:
    """Stream the ~32,000 rows; keep only what the import needs, counted by code."""
    rows = sheet.iter_rows(values_only=True)
    header = next(rows, None)
    columns = find_columns(header, INDEX_COLUMNS, f"{label}: sheet {sheet.title}", problems)
    if columns is None:
        return
    # The job title: in natural word order where the index gives it, else as indexed.
    titles = [
        position
        for name in INDEX_TITLE_COLUMNS
        for position, value in enumerate(header)
        if header_key(value) == header_key(name)
    ]
    index = CodingIndex(label)
    c2010, c2020, cext = columns["soc2010"], columns["soc2020"], columns["ext"]
    t2010, t2020, text = columns["soc2010_title"], columns["soc2020_title"], columns["ext_title"]
    width = max(columns.values()) + 1
    # Rows whose SOC_2020_ext is not in their SOC_2020 unit group: (row, ext, soc2010, soc2020).
    strays: list[tuple[int, str, str, str]] = []
    for number, row in enumerate(rows, start=2):
        if len(row) < width:
            row = (*row, *([None] * (width - len(row))))
        raw = (row[c2010], row[c2020], row[cext])
        if raw == (None, None, None):
            if any(value is not None for value in row):
                problems.add(f"{label}:{number}", "no SOC_2010, SOC_2020 or SOC_2020_ext code")
            continue
        index.rows += 1
        if any(is_junk(value) for value in raw):
            index.junk_rows += 1
            continue
        soc2010, soc2020, ext = (code_text(value) for value in raw)
        bad = [
            f"{name}: {code!r}: not {expected}"
            for name, code, pattern, expected in (
                ("SOC_2010", soc2010, UNIT_CODE, "a four-digit unit group code"),
                ("SOC_2020", soc2020, UNIT_CODE, "a four-digit unit group code"),
                ("SOC_2020_ext", ext, SUB_UNIT_CODE, "a sub-unit group code like 2134/03"),
            )
            if not pattern.match(code)
        ]
        if bad:
            problems.add(f"{label}:{number}", "; ".join(bad))
            continue
        title = next((t for t in (clean_text(text_value(row[p])) for p in titles) if t), "")
        if title:
            index.entries.add((title[:TITLE_MAX], soc2020, ext if ext[:4] == soc2020 else ""))
        vote(index.units[2010], soc2010, row[t2010], number)
        vote(index.units[2020], soc2020, row[t2020], number)
        index.pairs[(soc2010, soc2020)] += 1
        if ext[:4] == soc2020:
            vote(index.sub_unit_groups, ext, row[text], number)
        else:
            strays.append((number, ext, soc2010, soc2020))
    for number, ext, soc2010, soc2020 in strays:
        where = f"{label}:{number}"
        if ext in index.sub_unit_groups:
            # ONS's index has one such entry (a marketing director coded 1132 with the
            # sub-unit group 1139/02): the unit group is kept, the sub-unit group ignored.
            data.notes.append(
                f"{where}: SOC_2020_ext {ext} is not in its SOC_2020 unit group {soc2020} (other "
                f"rows place it in {ext[:4]}); the entry counts for SOC 2010 {soc2010} – SOC "
                f"2020 {soc2020} only"
            )
        else:
            problems.add(
                where,
                f"SOC_2020_ext: {ext}: its first four digits are not its SOC_2020 unit group "
                f"{soc2020}",
            )
    for code, titles in index.sub_unit_groups.items():
        check_votes(titles, label, f"sub-unit group {code}", data, problems)
    data.index = index
    data.files.append(
        SocFile(
            label,
            CODING_INDEX,
            f"{index.rows:,} index entries: {len(index.sub_unit_groups):,} sub-unit groups, "
            f"{len(index.units[2010]):,} SOC 2010 and {len(index.units[2020]):,} SOC 2020 unit "
            f"groups, {len(index.pairs):,} SOC 2010 – SOC 2020 unit group pairs",
        )
    )


def vote(store: dict[str, TitleVote], code: str, title, number: int) -> None:
    titles = store.get(code)
    if titles is None:
        titles = store[code] = TitleVote(number)
    titles.add(clean_title(title), number)


@functools.lru_cache(maxsize=4096)
def clean_title(value) -> str:
    """The index repeats a few thousand titles over 32,000 rows: clean each once."""
    return clean_text(text_value(value))


def check_votes(titles: TitleVote, label: str, what: str, data: SocData, problems) -> None:
    """A title is needed; where rows disagree, most rows win and the rest are noted."""
    winner = titles.winner()
    if not check_title(winner, f"{label}:{titles.first_row}", what, problems):
        return
    if len(titles.titles) > 1:
        data.notes.append(
            f"{label}: {what}: titled {winner!r} as {titles.titles[winner]} rows have it; "
            f"other rows give {titles.dissent()}"
        )


def check_index(data: SocData, problems: Problems) -> None:
    """The index's unit groups must be in the structure read with it; where there is none,
    its titles are what the import has for them."""
    index = data.index
    for version, column in ((2010, "SOC_2010"), (2020, "SOC_2020")):
        structure = data.groups.get(version)
        for code, titles in index.units[version].items():
            where = f"{index.label}:{titles.first_row}"
            if structure is not None:
                group = structure.get(code)
                if group is None or group.level != Level.UNIT:
                    problems.add(
                        where,
                        f"{column}: {code}: not a unit group in {data.structure_sources[version]}",
                    )
            else:
                check_votes(titles, index.label, f"SOC {version} unit group {code}", data, problems)
