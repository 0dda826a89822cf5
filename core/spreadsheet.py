"""CSV cells that a spreadsheet cannot run.

A cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is read by Excel,
LibreOffice and Google Sheets as a formula (OWASP, "CSV Injection"). Every CSV the site or an
export writes passes its cells through :func:`formula_safe`, which puts a single quote in front of
such a cell; a number such as ``-1.5`` is left alone. :func:`formula_unsafe` undoes it, so a file
that was exported reads back as it was.
"""

import csv
import re
from collections.abc import Iterable
from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")
QUOTE = "'"


def starts_formula(value: str) -> bool:
    return value.startswith(FORMULA_STARTS) and not NUMBER.fullmatch(value)


def formula_safe(value: Any) -> Any:
    """The cell as written: a text that a spreadsheet would run gets a leading single quote."""
    if isinstance(value, str) and starts_formula(value.lstrip(QUOTE)):
        # Quotes already in front of a formula get one more, so that reading back is exact.
        return QUOTE + value
    return value


def formula_unsafe(value: str) -> str:
    """The value :func:`formula_safe` was given, from what it wrote."""
    if value.startswith(QUOTE) and starts_formula(value.lstrip(QUOTE)):
        return value[1:]
    return value


class SafeWriter:
    """``csv.writer`` whose every cell goes through :func:`formula_safe`."""

    def __init__(self, stream, **options):
        self.writer = csv.writer(stream, **options)

    def writerow(self, row: Iterable[Any]):
        return self.writer.writerow([formula_safe(cell) for cell in row])

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)
