"""core.spreadsheet: CSV cells a spreadsheet cannot run (OWASP CSV injection), read back as
they were."""

import csv
import io

import pytest

from core.spreadsheet import SafeWriter, formula_safe, formula_unsafe, starts_formula


@pytest.mark.parametrize(
    ("value", "written"),
    [
        ('=HYPERLINK("http://evil.example","Software developer")', "'=HYPERLINK("),
        ("=cmd|' /C calc'!A0", "'=cmd|"),
        ("+1+cmd|' /C calc'!A0", "'+1+cmd"),
        ("-2+3+cmd|' /C calc'!A0", "'-2+3"),
        ("@SUM(1+9)*cmd|' /C calc'!A0", "'@SUM"),
        ("\t=1+1", "'\t=1+1"),
        ("\r=1+1", "'\r=1+1"),
        ("-", "'-"),
        ("+44 20 7946 0000", "'+44"),
    ],
)
def test_a_cell_a_spreadsheet_would_run_gets_a_leading_quote(value, written):
    safe = formula_safe(value)
    assert safe == "'" + value
    assert safe.startswith(written)
    assert formula_unsafe(safe) == value


@pytest.mark.parametrize(
    "value",
    ["Software developer", "-1.5", "+3", "-2", "1e5", "-.5", "", "a=b", "OCC0118", "3544/00"],
)
def test_plain_text_and_numbers_are_left_alone(value):
    assert formula_safe(value) == value
    assert formula_unsafe(value) == value


@pytest.mark.parametrize("value", [None, 7, -3, 2.5, True])
def test_values_that_are_not_text_are_left_to_the_writer(value):
    assert formula_safe(value) is value


@pytest.mark.parametrize("value", ["'=1+1", "''=1+1", "'+x", "'plain", "'"])
def test_quotes_already_there_survive_the_round_trip(value):
    safe = formula_safe(value)
    assert formula_unsafe(safe) == value
    if starts_formula(value.lstrip("'")):
        assert safe == "'" + value
    else:
        assert safe == value


def test_the_writer_neutralises_every_cell_and_reads_back_exactly():
    rows = [
        ["code", "title", "version", "cluster"],
        ["OCC0118", '=HYPERLINK("http://evil.example","x")', "-1.5", "@cluster"],
        ["OCC0119A", "Data analyst", "+2", "-cmd|' /C calc'!A0"],
    ]
    stream = io.StringIO(newline="")
    writer = SafeWriter(stream, lineterminator="\n")
    writer.writerow(rows[0])
    writer.writerows(rows[1:])
    written = list(csv.reader(io.StringIO(stream.getvalue(), newline="")))
    assert written[1] == ["OCC0118", '\'=HYPERLINK("http://evil.example","x")', "-1.5", "'@cluster"]
    assert written[2] == ["OCC0119A", "Data analyst", "+2", "'-cmd|' /C calc'!A0"]
    assert [[formula_unsafe(cell) for cell in row] for row in written] == rows
