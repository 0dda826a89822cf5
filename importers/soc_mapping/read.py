"""Reading a mapping CSV (its header and rows), then checking the rows against the database
inside the import's lock and transaction (:meth:`MappingFile.check`)."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

from core.problems import Problems
from core.spreadsheet import formula_unsafe
from importers.soc_mapping.layout import (
    FALSE,
    OCCUPATION_COLUMNS,
    REQUIRED,
    SOC2010,
    SOC_UNIT_RE,
    TRUE,
    fold,
    header_names,
)
from occupations.models import OCCUPATION_CODE_RE, Occupation, OccupationProduct, Product
from socmapping.models import (
    SUB_UNIT_GROUP_CODE_RE,
    SocGroup,
    SubUnitGroup,
)


@dataclass
class MappingData:
    scheme: str
    #: soc2010: occupation id → SOC 2010 group id.
    soc2010: dict[int, int] = field(default_factory=dict)
    #: soc2020ext: occupation id → {sub-unit group id: primary}.
    sub_unit_groups: dict[int, dict[int, bool]] = field(default_factory=dict)
    rows: int = 0
    notes: list[str] = field(default_factory=list)

    @property
    def occupations(self) -> int:
        return len(self.soc2010 if self.scheme == SOC2010 else self.sub_unit_groups)


@dataclass
class MappingFile:
    """A mapping file as read: its header and its non-blank rows with their line numbers."""

    label: str
    scheme: str
    header: list[str] = field(default_factory=list)
    columns: dict[str, int] = field(default_factory=dict)
    rows: list[tuple[int, list[str]]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def check(self) -> tuple[MappingData, Problems]:
        """Check every row against the database: call it inside the import's lock and
        transaction, so that what is checked is what is written to."""
        data = MappingData(self.scheme, notes=list(self.notes))
        problems = Problems()
        lookups = _Lookups(self.scheme)
        checker = _RowChecker(
            self.label, self.scheme, self.columns, self.header, lookups, data, problems
        )
        for line, cells in self.rows:
            data.rows += 1
            checker.check(line, cells)
        checker.finish()
        return data, problems


class _Lookups:
    """The codes a file may name, read from the database once."""

    def __init__(self, scheme: str):
        self.occupations = {
            code: pk for pk, code in Occupation.objects.values_list("pk", "code").iterator()
        }
        self.references: dict[str, set[str]] = {}
        self.codes_by_pk = {pk: code for code, pk in self.occupations.items()}
        for code, reference in Occupation.objects.exclude(standard_reference="").values_list(
            "code", "standard_reference"
        ):
            self.references.setdefault(reference.upper(), set()).add(code)
        for code, reference in OccupationProduct.objects.filter(
            product__type=Product.Type.APPRENTICESHIP
        ).values_list("occupation__code", "product__code"):
            self.references.setdefault(reference.upper(), set()).add(code)
        if scheme == SOC2010:
            self.soc2010 = dict(
                SocGroup.objects.soc2010().units().values_list("code", "pk").iterator()
            )
        else:
            self.sub_unit_groups = {
                code: (pk, unit)
                for code, pk, unit in SubUnitGroup.objects.values_list(
                    "code", "pk", "unit_group__code"
                ).iterator()
            }


def decode(raw: bytes, label: str, problems: Problems) -> str | None:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        problems.add(
            f"{label}:{line}",
            f"not UTF-8 text ({exc.reason} at byte {exc.start}): save the file as UTF-8 CSV",
        )
        return None


def read_file(path: Path, scheme: str) -> tuple[MappingFile, Problems]:
    problems = Problems()
    try:
        raw = Path(path).read_bytes()
    except FileNotFoundError:
        problems.add(str(path), "no such file")
        return MappingFile(str(path), scheme), problems
    except OSError as exc:
        problems.add(str(path), f"cannot be read: {exc}")
        return MappingFile(str(path), scheme), problems
    return read_bytes(raw, str(path), scheme)


def read_bytes(raw: bytes, label: str, scheme: str) -> tuple[MappingFile, Problems]:
    """Read a mapping file's header and rows (its checks against the database come later, in
    :meth:`MappingFile.check`); return it and every problem found so far."""
    problems = Problems()
    source = MappingFile(label, scheme)
    text = decode(raw, label, problems)
    if text is None:
        return source, problems
    if "\x00" in text:
        problems.add(label, "holds NUL characters: not a CSV text file (a spreadsheet?)")
        return source, problems
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        _read_rows(reader, source, problems)
    except csv.Error as exc:
        problems.add(f"{label}:{reader.line_num}", f"not valid CSV: {exc}")
    return source, problems


def _read_rows(reader, source: MappingFile, problems: Problems) -> None:
    header = next(reader, None)
    while header is not None and not any(cell.strip() for cell in header):
        header = next(reader, None)
    if header is None:
        problems.add(source.label, "empty: no header line")
        return
    header_line = reader.line_num
    columns = _columns(header, source.scheme, f"{source.label}:{header_line}", source, problems)
    if columns is None:
        return
    source.header, source.columns = header, columns
    last_line = header_line
    for cells in reader:
        line = last_line + 1
        last_line = reader.line_num
        if any(cell.strip() for cell in cells):
            # A cell the export quoted against spreadsheet formulas reads back as it was.
            source.rows.append((line, [formula_unsafe(cell) for cell in cells]))


def _columns(header, scheme, where, source: MappingFile, problems: Problems) -> dict | None:
    """Our column name → its index in the file; None (with a problem) if a required one is
    missing."""
    names = header_names(scheme)
    columns: dict[str, int] = {}
    ignored = []
    before = len(problems)
    for index, cell in enumerate(header):
        column = names.get(fold(cell))
        if column is None:
            if cell.strip():
                ignored.append(cell.strip())
            continue
        if column in columns:
            problems.add(
                where,
                f"header: {header[columns[column]]!r} and {cell!r} are both the {column} column",
            )
            continue
        columns[column] = index
    missing = [c for c in REQUIRED[scheme] if c not in columns]
    if not any(c in columns for c in OCCUPATION_COLUMNS):
        missing.insert(0, " or ".join(OCCUPATION_COLUMNS))
    if missing:
        found = ", ".join(repr(cell) for cell in header) or "nothing"
        problems.add(
            where,
            f"header: missing column(s) {', '.join(missing)} (found {found}); "
            f"a {scheme} file needs {', '.join(_needed(scheme))}",
        )
    if len(problems) > before:
        return None
    if ignored:
        source.notes.append(f"{where}: columns ignored: {', '.join(ignored)}")
    return columns


def _needed(scheme: str) -> list[str]:
    return ["occupation_code (or standard_reference)", *REQUIRED[scheme]]


class _RowChecker:
    def __init__(self, label, scheme, columns, header, lookups: _Lookups, data, problems):
        self.label = label
        self.scheme = scheme
        self.columns = columns
        self.header = header
        self.lookups = lookups
        self.data = data
        self.problems = problems
        #: soc2010: occupation id → (line, SOC code); soc2020ext: (occupation, SUG) → line.
        self.seen: dict = {}
        #: soc2020ext: occupation id → [(line, primary)].
        self.lines: dict[int, list[tuple[int, bool]]] = {}
        #: soc2020ext: occupations with a row whose code or flag is unreadable: their primaries
        #: are not counted (the row's own problem says enough).
        self.unsure: set[int] = set()

    def name(self, column: str) -> str:
        """The column as the file names it."""
        return self.header[self.columns[column]].strip()

    def value(self, cells: list[str], column: str) -> str:
        index = self.columns.get(column)
        if index is None or index >= len(cells):
            return ""
        return cells[index].strip()

    def check(self, line: int, cells: list[str]) -> None:
        where = f"{self.label}:{line}"
        before = len(self.problems)
        if len(cells) > len(self.header) and any(c.strip() for c in cells[len(self.header) :]):
            self.problems.add(
                where,
                f"row: {len(cells)} fields but the header has {len(self.header)}: a comma too "
                "many, or a value that needs quotes?",
            )
        occupation = self.occupation(cells, where)
        if self.scheme == SOC2010:
            self.check_soc2010(cells, where, line, occupation, before)
        else:
            self.check_sub_unit_group(cells, where, line, occupation, before)

    def occupation(self, cells: list[str], where: str) -> int | None:
        code = self.value(cells, "occupation_code").upper()
        reference = self.value(cells, "standard_reference").upper()
        if code:
            if not re.match(OCCUPATION_CODE_RE, code):
                self.problems.add(
                    where,
                    f"{self.name('occupation_code')}: {code!r}: not an occupation code like "
                    "OCC0118",
                )
                return None
            pk = self.lookups.occupations.get(code)
            if pk is None:
                self.problems.add(
                    where, f"{self.name('occupation_code')}: {code}: no such occupation"
                )
                return None
            if reference and code not in self.lookups.references.get(reference, set()):
                self.data.notes.append(
                    f"{where}: {self.name('standard_reference')}: {reference}: not a standard "
                    f"listed for {code}; the occupation code is used"
                )
            return pk
        if not reference:
            named = " and ".join(self.name(c) for c in OCCUPATION_COLUMNS if c in self.columns)
            self.problems.add(where, f"{named}: empty: the row names no occupation")
            return None
        codes = sorted(self.lookups.references.get(reference, set()))
        if not codes:
            self.problems.add(
                where,
                f"{self.name('standard_reference')}: {reference}: no occupation has this standard",
            )
            return None
        if len(codes) > 1:
            self.problems.add(
                where,
                f"{self.name('standard_reference')}: {reference}: names {len(codes)} occupations "
                f"({', '.join(codes)}): give the occupation code",
            )
            return None
        return self.lookups.occupations[codes[0]]

    def _code(self, cells, where, column, pattern, example) -> str | None:
        value = self.value(cells, column)
        if not value:
            self.problems.add(where, f"{self.name(column)}: empty: every row needs one")
            return None
        if not re.match(pattern, value):
            self.problems.add(where, f"{self.name(column)}: {value!r}: not a code like {example}")
            return None
        return value

    def check_soc2010(self, cells, where, line, occupation, before) -> None:
        code = self._code(cells, where, "soc2010_code", SOC_UNIT_RE, "2136")
        group = None
        if code is not None:
            group = self.lookups.soc2010.get(code)
            if group is None:
                self.problems.add(
                    where,
                    f"{self.name('soc2010_code')}: {code}: no such SOC 2010 unit group in the "
                    "database",
                )
        if occupation is None or code is None:
            return
        if occupation in self.seen:
            first, first_code = self.seen[occupation]
            occupation_code = self.lookups.codes_by_pk[occupation]
            if first_code == code:
                self.problems.add(where, f"row: a duplicate of line {first} ({occupation_code})")
            else:
                self.problems.add(
                    where,
                    f"{self.name('soc2010_code')}: {code}: {occupation_code} is also on line "
                    f"{first} (with {first_code}): one SOC 2010 unit group per occupation",
                )
            return
        self.seen[occupation] = (line, code)
        if len(self.problems) == before:
            self.data.soc2010[occupation] = group

    def check_sub_unit_group(self, cells, where, line, occupation, before) -> None:
        code = self._code(cells, where, "sub_unit_group_code", SUB_UNIT_GROUP_CODE_RE, "3544/00")
        known = None
        if code is not None:
            known = self.lookups.sub_unit_groups.get(code)
            if known is None:
                self.problems.add(
                    where,
                    f"{self.name('sub_unit_group_code')}: {code}: no such SOC 2020 sub-unit "
                    "group in the database",
                )
        unit = self.value(cells, "soc2020_unit_group")
        if code is not None and unit and unit != code[:4]:
            self.problems.add(
                where,
                f"{self.name('soc2020_unit_group')}: {unit!r}: sub-unit group {code} is in unit "
                f"group {code[:4]}",
            )
        raw_primary = self.value(cells, "primary")
        primary = raw_primary.lower() in TRUE
        if raw_primary.lower() not in TRUE | FALSE:
            shown = repr(raw_primary) if raw_primary else "empty"
            self.problems.add(where, f"{self.name('primary')}: {shown}: not yes or no")
            code = None
        if occupation is None:
            return
        if code is None:
            self.unsure.add(occupation)
            return
        if (occupation, code) in self.seen:
            self.problems.add(
                where,
                f"row: {self.lookups.codes_by_pk[occupation]} and {code} are also on line "
                f"{self.seen[(occupation, code)]}",
            )
            return
        self.seen[(occupation, code)] = line
        self.lines.setdefault(occupation, []).append((line, primary))
        if len(self.problems) == before and known is not None:
            self.data.sub_unit_groups.setdefault(occupation, {})[known[0]] = primary

    def finish(self) -> None:
        for occupation, lines in self.lines.items():
            primaries = [line for line, primary in lines if primary]
            if len(primaries) == 1 or (occupation in self.unsure and len(primaries) == 0):
                continue
            code = self.lookups.codes_by_pk[occupation]
            marked = f" (lines {', '.join(map(str, primaries))})" if primaries else ""
            self.problems.add(
                f"{self.label}:{lines[0][0]}",
                f"{self.name('primary')}: {len(primaries)} of {code}'s {len(lines)} sub-unit "
                f"groups marked primary{marked}: exactly one must be",
            )
