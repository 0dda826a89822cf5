"""The mapping CSVs written from the database, in the layout the importer reads."""

from __future__ import annotations

import io
from collections.abc import Iterable
from typing import TextIO

from core.spreadsheet import SafeWriter
from importers.soc_mapping.layout import (
    COLUMNS,
    SCHEMES,
    SOC2010,
    SOC2020EXT,
)
from socmapping.models import (
    SocMapping,
    SubUnitGroupMapping,
)


def _yes_no(value: bool) -> str:
    return "yes" if value else "no"


def export_rows(scheme: str) -> list[list[str]]:
    """The rows of the export (without the header), from the database, sorted."""
    if scheme == SOC2010:
        mappings = SocMapping.objects.filter(soc2010__isnull=False).select_related(
            "occupation", "soc2010"
        )
        rows = [
            [
                m.occupation.code,
                m.occupation.standard_reference,
                m.occupation.title,
                m.soc2010.code,
                m.soc2010.title,
            ]
            for m in mappings
        ]
        return sorted(rows, key=lambda row: row[0])
    if scheme != SOC2020EXT:
        raise ValueError(f"unknown scheme {scheme!r}: {' or '.join(SCHEMES)}")
    mappings = SubUnitGroupMapping.objects.select_related(
        "occupation", "sub_unit_group__unit_group"
    )
    # Sorted here, not by the database: PostgreSQL's collation may not sort codes as SQLite does.
    ordered = sorted(
        mappings, key=lambda m: (m.occupation.code, not m.is_primary, m.sub_unit_group.code)
    )
    return [
        [
            m.occupation.code,
            m.occupation.standard_reference,
            m.occupation.title,
            m.sub_unit_group.unit_group.code,
            m.sub_unit_group.code,
            m.sub_unit_group.title,
            _yes_no(m.is_primary),
        ]
        for m in ordered
    ]


def write_csv(scheme: str, stream: TextIO, rows: Iterable[list[str]] | None = None) -> int:
    """Write the export to ``stream`` (opened with ``newline=""``); return the number of rows.
    A cell a spreadsheet would run as a formula is written with a leading quote
    (``core.spreadsheet``); the importer takes it off again."""
    rows = export_rows(scheme) if rows is None else list(rows)
    writer = SafeWriter(stream, lineterminator="\n")
    writer.writerow(COLUMNS[scheme])
    writer.writerows(rows)
    return len(rows)


def export_csv(scheme: str) -> str:
    stream = io.StringIO(newline="")
    write_csv(scheme, stream)
    return stream.getvalue()
