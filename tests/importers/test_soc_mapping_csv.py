"""import_soc_mapping and export_soc_mapping: the SOC 2010 and SOC 2020 extension mapping CSVs."""

import csv
import io
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from core.models import ImportRecord
from importers.soc_mapping import COLUMNS, DISCLAIMER, export_csv, fold
from occupations.models import Occupation
from socmapping.models import SocMapping, SubUnitGroupMapping
from tests.bundled import import_digital
from tests.snapshot import data_snapshot

pytestmark = pytest.mark.django_db

SOC2010_HEADER = "occupation_code,standard_reference,occupation_title,soc2010_code,soc2010_title"
SOC2020EXT_HEADER = (
    "occupation_code,standard_reference,occupation_title,soc2020_unit_group,sub_unit_group_code,"
    "sub_unit_group_title,primary"
)


@pytest.fixture
def digital(db):
    """The real Digital route: 64 occupations, the SOC groups and sub-unit groups they name."""
    import_digital()


def export(scheme: str, **options) -> str:
    out = StringIO()
    call_command("export_soc_mapping", scheme=scheme, stdout=out, **options)
    return out.getvalue()


def run(scheme: str, path: Path, **options) -> str:
    out = StringIO()
    call_command(
        "import_soc_mapping", str(path), scheme=scheme, stdout=out, stderr=StringIO(), **options
    )
    return out.getvalue()


def rejected(scheme: str, path: Path, **options) -> str:
    err = StringIO()
    with pytest.raises(CommandError, match="Nothing was changed"):
        call_command(
            "import_soc_mapping", str(path), scheme=scheme, stdout=StringIO(), stderr=err, **options
        )
    return err.getvalue()


def save(tmp_path: Path, content: str | bytes, name="mapping.csv") -> Path:
    path = tmp_path / name
    if isinstance(content, str):
        content = content.encode("utf-8")
    path.write_bytes(content)
    return path


def rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def soc2010_rows() -> list[tuple]:
    return sorted(
        SocMapping.objects.values_list("occupation__code", "soc2010__code", "soc2020__code")
    )


def sub_unit_group_rows() -> list[tuple]:
    return sorted(
        SubUnitGroupMapping.objects.values_list(
            "occupation__code", "sub_unit_group__code", "is_primary"
        )
    )


# Export ----------------------------------------------------------------------------------------


def test_soc2010_export_has_one_row_per_mapped_occupation(digital):
    text = export("soc2010")
    table = rows(text)
    assert text.splitlines()[0] == SOC2010_HEADER
    assert table[0] == COLUMNS["soc2010"]
    assert len(table) - 1 == SocMapping.objects.filter(soc2010__isnull=False).count() == 56
    assert table[1:4] == [
        [
            "OCC0116",
            "ST0116",
            "Software developer",
            "2136",
            "Programmers and software development professionals",
        ],
        [
            "OCC0117",
            "ST0117",
            "Business Analyst",
            "2423",
            "Management consultants and business analysts",
        ],
        [
            "OCC0118",
            "ST0118",
            "Data analyst",
            "3539",
            "Business and related associate professionals n.e.c.",
        ],
    ]
    codes = [row[0] for row in table[1:]]
    assert codes == sorted(codes)
    assert text.endswith("\n") and "\r" not in text


def test_soc2020ext_export_has_one_row_per_sub_unit_group_mapping(digital):
    text = export("soc2020ext")
    table = rows(text)
    assert text.splitlines()[0] == SOC2020EXT_HEADER
    assert len(table) - 1 == SubUnitGroupMapping.objects.count() == 157
    assert table[1:4] == [
        [
            "OCC0116",
            "ST0116",
            "Software developer",
            "2134",
            "2134/03",
            "Software developers",
            "yes",
        ],
        [
            "OCC0116",
            "ST0116",
            "Software developer",
            "2134",
            "2134/02",
            "Computer programmers",
            "no",
        ],
        [
            "OCC0116",
            "ST0116",
            "Software developer",
            "2141",
            "2141/01",
            "Application designers",
            "no",
        ],
    ]
    # Each occupation's primary first, then the rest by code.
    by_occupation: dict[str, list[list[str]]] = {}
    for row in table[1:]:
        by_occupation.setdefault(row[0], []).append(row)
    assert list(by_occupation) == sorted(by_occupation)
    for group in by_occupation.values():
        assert [row[6] for row in group] == ["yes"] + ["no"] * (len(group) - 1)
        assert [row[4] for row in group[1:]] == sorted(row[4] for row in group[1:])
        assert all(row[4].startswith(row[3] + "/") for row in group)


def test_export_to_a_file(digital, tmp_path):
    path = tmp_path / "soc2020ext.csv"
    out = export("soc2020ext", output=str(path))
    assert out == f"Wrote 157 soc2020ext mapping row(s) to {path}.\n"
    assert path.read_bytes() == export("soc2020ext").encode("utf-8")
    assert export_csv("soc2020ext") == export("soc2020ext")


def test_export_of_an_empty_database_is_the_header(db):
    assert export("soc2010") == SOC2010_HEADER + "\n"


def test_export_to_an_unwritable_place_fails_clearly(digital, tmp_path):
    with pytest.raises(CommandError, match="Cannot write"):
        export("soc2010", output=str(tmp_path / "no" / "such" / "dir.csv"))


def test_the_disclaimer_says_what_the_mappings_are():
    assert "best-fit judgement" in DISCLAIMER
    assert "not an official" in DISCLAIMER
    assert "ONS descriptions" in DISCLAIMER


# Round trips -----------------------------------------------------------------------------------


def test_soc2010_round_trip(digital, tmp_path):
    first = export("soc2010")
    before = soc2010_rows()
    SocMapping.objects.update(soc2010=None)

    out = run("soc2010", save(tmp_path, first))

    assert "Unit group mappings: 0 created, 56 updated, 0 unchanged, 0 removed" in out
    assert export("soc2010") == first
    assert soc2010_rows() == before


def test_soc2010_makes_a_missing_mapping_row(digital, tmp_path):
    first = export("soc2010")
    SocMapping.objects.filter(occupation__code="OCC0118").delete()
    out = run("soc2010", save(tmp_path, first))
    assert "Unit group mappings: 1 created, 0 updated, 55 unchanged, 0 removed" in out
    assert export("soc2010") == first
    # This file does not carry the SOC 2020 unit group: the remade row has none.
    mapping = SocMapping.objects.get(occupation__code="OCC0118")
    assert (mapping.soc2010.code, mapping.soc2020) == ("3539", None)


def test_soc2020ext_round_trip(digital, tmp_path):
    first = export("soc2020ext")
    before = sub_unit_group_rows()
    SubUnitGroupMapping.objects.all().delete()

    out = run("soc2020ext", save(tmp_path, first))

    assert "Sub-unit group mappings: 157 created, 0 updated, 0 unchanged, 0 removed" in out
    assert export("soc2020ext") == first
    assert sub_unit_group_rows() == before


def test_second_import_reports_no_changes(digital, tmp_path):
    for scheme, count in (("soc2010", 56), ("soc2020ext", 157)):
        path = save(tmp_path, export(scheme), f"{scheme}.csv")
        before = data_snapshot()
        out = run(scheme, path)
        assert out.strip().startswith(f"No changes: {count} ")
        assert data_snapshot() == before
        record = ImportRecord.objects.first()
        assert (record.kind, record.source, record.outcome) == (
            f"{scheme} mapping",
            str(path),
            "succeeded",
        )


def test_dry_run_changes_nothing(digital, tmp_path):
    path = save(tmp_path, export("soc2020ext"))
    SubUnitGroupMapping.objects.filter(occupation__code="OCC0118").delete()
    before = data_snapshot()
    out = run("soc2020ext", path, dry_run=True)
    assert "Dry run, nothing written. Sub-unit group mappings: 2 to create, 0 to update" in out
    assert data_snapshot() == before


# What an import changes ------------------------------------------------------------------------


def test_soc2020ext_replaces_the_named_occupations_only(digital, tmp_path):
    """OCC0118's primary moves to another sub-unit group (the old primary stays, not primary), a
    group is dropped and one added; OCC0116 keeps its groups; the rest are not in the file."""
    untouched = [r for r in sub_unit_group_rows() if r[0] not in {"OCC0116", "OCC0118"}]
    text = "\n".join(
        [
            SOC2020EXT_HEADER,
            "OCC0118,ST0118,Data analyst,2433,2433/04,Statistical data scientists,yes",
            "OCC0118,ST0118,Data analyst,3544,3544/00,Data analysts,no",
            "OCC0118,ST0118,Data analyst,3133,3133/01,Database administrators,no",
            "OCC0116,ST0116,Software developer,2134,2134/03,Software developers,yes",
            "OCC0116,ST0116,Software developer,2134,2134/02,Computer programmers,no",
            "",
        ]
    )
    out = run("soc2020ext", save(tmp_path, text), verbosity=2)

    assert "sub-unit group mappings: 1 created, 2 updated, 2 unchanged, 1 removed" in out
    assert [r for r in sub_unit_group_rows() if r[0] == "OCC0118"] == [
        ("OCC0118", "2433/04", True),
        ("OCC0118", "3133/01", False),
        ("OCC0118", "3544/00", False),
    ]
    assert [r for r in sub_unit_group_rows() if r[0] == "OCC0116"] == [
        ("OCC0116", "2134/02", False),
        ("OCC0116", "2134/03", True),
    ]
    assert [r for r in sub_unit_group_rows() if r[0] not in {"OCC0116", "OCC0118"}] == untouched
    assert "No changes" in run("soc2020ext", save(tmp_path, text))


def test_soc2010_sets_the_named_occupations_only(digital, tmp_path):
    others = [r for r in soc2010_rows() if r[0] != "OCC0118"]
    text = f"{SOC2010_HEADER}\nOCC0118,ST0118,Data analyst,2137,Web design professionals\n"
    out = run("soc2010", save(tmp_path, text))
    assert "Unit group mappings: 0 created, 1 updated, 0 unchanged, 0 removed" in out
    mapping = SocMapping.objects.select_related("soc2010", "soc2020").get(
        occupation__code="OCC0118"
    )
    assert (mapping.soc2010.code, mapping.soc2020.code) == ("2137", "3544")
    assert [r for r in soc2010_rows() if r[0] != "OCC0118"] == others


def test_alternative_soc2010_headers(digital, tmp_path):
    """IfATE-style headers, a byte order mark, CRLF lines, padding, a blank line, an extra
    column; occupations found by their standard reference alone."""
    SocMapping.objects.update(soc2010=None)
    text = (
        "\ufeffStandard reference,Title,SOC code,SOC title,Route\r\n"
        "ST0118 ,Data analyst, 3539,Business and related associate professionals n.e.c.,Digital\r\n"
        "\r\n"
        "st0116,Software developer,2136,Programmers,Digital\r\n"
    )
    out = run("soc2010", save(tmp_path, text), verbosity=2)
    assert "columns ignored: Route" in out
    assert "Unit group mappings: 0 created, 2 updated" in out
    assert dict(
        SocMapping.objects.filter(soc2010__isnull=False).values_list(
            "occupation__code", "soc2010__code"
        )
    ) == {"OCC0118": "3539", "OCC0116": "2136"}


@pytest.mark.parametrize(
    "header",
    [
        "OCC code,Reference,SOC 2010",
        "stdCode,referenceNumber,SOC2010 code",
        "Occupation Code,ST code,soc_code",
        "occupation-code,standard reference,soc2010_code",
    ],
)
def test_soc2010_header_spellings(digital, tmp_path, header):
    SocMapping.objects.update(soc2010=None)
    out = run("soc2010", save(tmp_path, f"{header}\nOCC0119C,ST0119,2137\n"))
    assert "1 updated" in out
    assert SocMapping.objects.get(occupation__code="OCC0119C").soc2010.code == "2137"


def test_alternative_soc2020ext_headers(digital, tmp_path):
    text = (
        "OCC code,Occupation title,SOC_2020_ext,SUG title,Primary SUG\n"
        "OCC0118,Data analyst,2433/04,Statistical data scientists,Y\n"
        "OCC0118,Data analyst,3544/00,Data analysts,n\n"
        "OCC0116,Software developer,2134/03,Software developers,TRUE\n"
        "OCC0116,Software developer,2134/02,Computer programmers,false\n"
        "OCC0795,Data technician,3544/00,Data analysts,1\n"
        "OCC0795,Data technician,3133/01,Database administrators,0\n"
        "OCC0795,Data technician,4152/00,Data entry administrators,No\n"
    )
    run("soc2020ext", save(tmp_path, text))
    mapped = {r for r in sub_unit_group_rows() if r[0] in {"OCC0116", "OCC0118", "OCC0795"}}
    assert mapped == {
        ("OCC0118", "2433/04", True),
        ("OCC0118", "3544/00", False),
        ("OCC0116", "2134/03", True),
        ("OCC0116", "2134/02", False),
        ("OCC0795", "3544/00", True),
        ("OCC0795", "3133/01", False),
        ("OCC0795", "4152/00", False),
    }


@pytest.mark.parametrize(
    "header",
    [
        "occupation_code,SOC 2020 ext,is_primary",
        "Occupation code,Sub-unit group,Primary",
        "stdCode,SUG code,primary",
    ],
)
def test_soc2020ext_header_spellings(digital, tmp_path, header):
    text = f"{header}\nOCC0118,2433/04,yes\nOCC0118,3544/00,no\n"
    out = run("soc2020ext", save(tmp_path, text))
    assert "2 updated" in out
    assert [r for r in sub_unit_group_rows() if r[0] == "OCC0118"] == [
        ("OCC0118", "2433/04", True),
        ("OCC0118", "3544/00", False),
    ]


def test_a_reference_that_is_not_the_occupations_is_a_note(digital, tmp_path):
    text = f"{SOC2010_HEADER}\nOCC0118,ST0116,Data analyst,3539,x\n"
    path = save(tmp_path, text)
    out = run("soc2010", path, verbosity=2)
    assert (
        f"note: {path}:2: standard_reference: ST0116: not a standard listed for OCC0118; the "
        "occupation code is used" in out
    )


def test_header_folding():
    assert fold("SOC 2020 ext") == fold("soc_2020_ext") == fold("SOC-2020-Ext") == "soc2020ext"


# Rejections: every problem with its place; nothing written. ----------------------------------

GOOD_2010 = "OCC0118,ST0118,Data analyst,3539,Business and related associate professionals n.e.c."
GOOD_2020 = [
    "OCC0118,ST0118,Data analyst,3544,3544/00,Data analysts,yes",
    "OCC0118,ST0118,Data analyst,2433,2433/04,Statistical data scientists,no",
]


def soc2010_file(*lines: str) -> str:
    return "\n".join([SOC2010_HEADER, GOOD_2010, *lines]) + "\n"


def soc2020_file(*lines: str) -> str:
    return "\n".join([SOC2020EXT_HEADER, *GOOD_2020, *lines]) + "\n"


REJECTIONS = {
    "soc2010 missing column": (
        "soc2010",
        "occupation_code,occupation_title,soc2010_title\nOCC0118,Data analyst,x\n",
        ":1: header: missing column(s) soc2010_code (found 'occupation_code', 'occupation_title', "
        "'soc2010_title'); a soc2010 file needs occupation_code (or standard_reference), "
        "soc2010_code",
    ),
    "no occupation column": (
        "soc2010",
        "Title,SOC code\nData analyst,3539\n",
        ":1: header: missing column(s) occupation_code or standard_reference (found 'Title', "
        "'SOC code')",
    ),
    "a soc2020ext file read as soc2010": (
        "soc2010",
        soc2020_file(),
        ":1: header: missing column(s) soc2010_code",
    ),
    "two columns for one": (
        "soc2010",
        "occupation_code,OCC code,soc2010_code\nOCC0118,OCC0118,3539\n",
        ":1: header: 'occupation_code' and 'OCC code' are both the occupation_code column",
    ),
    "unknown occupation": (
        "soc2010",
        soc2010_file("OCC9999,ST9999,Nothing,2136,x"),
        ":3: occupation_code: OCC9999: no such occupation",
    ),
    "malformed occupation": (
        "soc2010",
        soc2010_file("OC118,,Data analyst,2136,x"),
        ":3: occupation_code: 'OC118': not an occupation code like OCC0118",
    ),
    "unknown reference": (
        "soc2010",
        "standard_reference,soc2010_code\nST9999,2136\n",
        ":2: standard_reference: ST9999: no occupation has this standard",
    ),
    "ambiguous reference": (
        "soc2010",
        "standard_reference,soc2010_code\nST0973,2136\n",
        ":2: standard_reference: ST0973: names 3 occupations (OCC0973A, OCC0973B, OCC0973C): "
        "give the occupation code",
    ),
    "no occupation in the row": (
        "soc2010",
        soc2010_file(",,Someone,2136,x"),
        ":3: occupation_code and standard_reference: empty: the row names no occupation",
    ),
    "empty soc code": (
        "soc2010",
        soc2010_file("OCC0116,ST0116,Software developer,,"),
        ":3: soc2010_code: empty: every row needs one",
    ),
    "malformed soc code": (
        "soc2010",
        soc2010_file("OCC0116,ST0116,Software developer,2136.0,x"),
        ":3: soc2010_code: '2136.0': not a code like 2136",
    ),
    "soc 2020 code in a soc2010 file": (
        "soc2010",
        soc2010_file("OCC0116,ST0116,Software developer,3544,Data analysts"),
        ":3: soc2010_code: 3544: no such SOC 2010 unit group in the database",
    ),
    "duplicate row": (
        "soc2010",
        soc2010_file(GOOD_2010),
        ":3: row: a duplicate of line 2 (OCC0118)",
    ),
    "two codes for one occupation": (
        "soc2010",
        soc2010_file("OCC0118,ST0118,Data analyst,2136,x"),
        ":3: soc2010_code: 2136: OCC0118 is also on line 2 (with 3539): one SOC 2010 unit group "
        "per occupation",
    ),
    "a field too many": (
        "soc2010",
        soc2010_file("OCC0116,ST0116,Software developer,2136,Programmers, and developers"),
        ":3: row: 6 fields but the header has 5",
    ),
    "bad quoting": (
        "soc2010",
        soc2010_file('OCC0116,ST0116,"Software" developer,2136,x'),
        ":3: not valid CSV: ',' expected after '\"'",
    ),
    "latin-1": (
        "soc2010",
        soc2010_file("OCC0116,ST0116,Software développeur,2136,x").encode("latin-1"),
        ":3: not UTF-8 text (invalid continuation byte at byte",
    ),
    "a spreadsheet": (
        "soc2010",
        b"PK\x03\x04\x14\x00\x00\x00\x08\x00",
        ": holds NUL characters: not a CSV text file (a spreadsheet?)",
    ),
    "empty file": ("soc2010", "", ": empty: no header line"),
    "soc2020ext missing primary": (
        "soc2020ext",
        "occupation_code,sub_unit_group_code\nOCC0118,3544/00\n",
        ":1: header: missing column(s) primary (found 'occupation_code', 'sub_unit_group_code')",
    ),
    "malformed sub-unit group": (
        "soc2020ext",
        soc2020_file("OCC0118,ST0118,Data analyst,3544,3544-01,x,no"),
        ":4: sub_unit_group_code: '3544-01': not a code like 3544/00",
    ),
    "unknown sub-unit group": (
        "soc2020ext",
        soc2020_file("OCC0118,ST0118,Data analyst,3544,3544/07,x,no"),
        ":4: sub_unit_group_code: 3544/07: no such SOC 2020 sub-unit group in the database",
    ),
    "empty sub-unit group": (
        "soc2020ext",
        soc2020_file("OCC0118,ST0118,Data analyst,3544,,x,no"),
        ":4: sub_unit_group_code: empty: every row needs one",
    ),
    "wrong unit group": (
        "soc2020ext",
        soc2020_file("OCC0118,ST0118,Data analyst,2433,3133/01,x,no"),
        ":4: soc2020_unit_group: '2433': sub-unit group 3133/01 is in unit group 3133",
    ),
    "two primaries": (
        "soc2020ext",
        soc2020_file("OCC0118,ST0118,Data analyst,3133,3133/01,x,yes"),
        ":2: primary: 2 of OCC0118's 3 sub-unit groups marked primary (lines 2, 4): exactly one "
        "must be",
    ),
    "no primary": (
        "soc2020ext",
        soc2020_file(
            "OCC0116,ST0116,Software developer,2134,2134/03,x,no",
            "OCC0116,ST0116,Software developer,2134,2134/02,x,no",
        ),
        ":4: primary: 0 of OCC0116's 2 sub-unit groups marked primary: exactly one must be",
    ),
    "not yes or no": (
        "soc2020ext",
        soc2020_file("OCC0118,ST0118,Data analyst,3133,3133/01,x,maybe"),
        ":4: primary: 'maybe': not yes or no",
    ),
    "empty primary": (
        "soc2020ext",
        soc2020_file("OCC0118,ST0118,Data analyst,3133,3133/01,x,"),
        ":4: primary: empty: not yes or no",
    ),
    "duplicate sub-unit group": (
        "soc2020ext",
        soc2020_file("OCC0118,ST0118,Data analyst,2433,2433/04,Statistical data scientists,no"),
        ":4: row: OCC0118 and 2433/04 are also on line 3",
    ),
}


@pytest.mark.parametrize("case", REJECTIONS, ids=list(REJECTIONS))
def test_a_broken_file_changes_nothing(digital, tmp_path, case):
    scheme, content, expected = REJECTIONS[case]
    path = save(tmp_path, content)
    before = data_snapshot()
    records = ImportRecord.objects.count()

    err = rejected(scheme, path)

    assert f"{path}{expected}" in err
    assert len(err.strip().splitlines()) == 1, err
    assert data_snapshot() == before
    assert ImportRecord.objects.count() == records + 1
    assert ImportRecord.objects.first().outcome == "failed"


def test_every_problem_is_listed(digital, tmp_path):
    text = soc2020_file(
        "OCC9999,,Nobody,3544,3544/00,x,yes",
        "OCC0116,ST0116,Software developer,2134,2134/3,x,yes",
        "OCC0795,ST0795,Data technician,3544,3544/00,x,perhaps",
    )
    before = data_snapshot()
    err = rejected("soc2020ext", save(tmp_path, text))
    assert [line.split(": ", 1)[1] for line in err.strip().splitlines()] == [
        "occupation_code: OCC9999: no such occupation",
        "sub_unit_group_code: '2134/3': not a code like 3544/00",
        "primary: 'perhaps': not yes or no",
    ]
    assert data_snapshot() == before


def test_a_missing_file_is_rejected(db, tmp_path):
    err = rejected("soc2010", tmp_path / "nope.csv")
    assert f"{tmp_path / 'nope.csv'}: no such file" in err


def test_a_rejected_dry_run_records_nothing(digital, tmp_path):
    rejected("soc2010", save(tmp_path, soc2010_file(GOOD_2010)), dry_run=True)
    assert not ImportRecord.objects.filter(outcome="failed").exists()


def test_occupations_are_not_created_by_a_mapping(digital, tmp_path):
    count = Occupation.objects.count()
    run("soc2010", save(tmp_path, export("soc2010")))
    assert Occupation.objects.count() == count


def test_the_checks_against_the_database_run_inside_the_import_lock(digital, tmp_path):
    """What the file names is looked up while the import holds its lock (in its transaction),
    so another import cannot change it between the checks and the write."""
    from contextlib import contextmanager
    from unittest import mock

    from core import importing
    from importers.soc_mapping import read as soc_mapping

    held, seen = [], []
    real_lock, real_lookups = importing.import_lock, soc_mapping._Lookups.__init__

    @contextmanager
    def spy_lock(wait=0):
        with real_lock(wait):
            held.append(True)
            try:
                yield
            finally:
                held.pop()

    def spy_lookups(self, scheme):
        seen.append(bool(held))
        real_lookups(self, scheme)

    path = save(tmp_path, export("soc2010"))
    with (
        mock.patch.object(importing, "import_lock", spy_lock),
        mock.patch.object(soc_mapping._Lookups, "__init__", spy_lookups),
    ):
        run("soc2010", path)
    assert seen == [True]


# Formulas (OWASP CSV injection) ----------------------------------------------------------------

FORMULAS = {
    "OCC0117": '=HYPERLINK("http://evil.example","Software developer")',
    "OCC0118": "=cmd|' /C calc'!A0",
    "OCC0119A": "+1+cmd|' /C calc'!A0",
    "OCC0120A": "-2+3+cmd|' /C calc'!A0",
    "OCC0116": "@SUM(1+9)*cmd|' /C calc'!A0",
}


@pytest.mark.parametrize("scheme", ["soc2010", "soc2020ext"])
def test_the_export_writes_no_cell_a_spreadsheet_would_run(digital, scheme):
    for code, title in FORMULAS.items():
        Occupation.objects.filter(code=code).update(title=title)
    written = rows(export(scheme))
    title = COLUMNS[scheme].index("occupation_title")
    titles = {row[0]: row[title] for row in written[1:]}
    assert {code: titles[code] for code in FORMULAS if code in titles} == {
        code: "'" + formula for code, formula in FORMULAS.items() if code in titles
    }
    assert len([code for code in FORMULAS if code in titles]) >= 4
    for row in written:
        for cell in row:
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), cell


@pytest.mark.parametrize("scheme", ["soc2010", "soc2020ext"])
def test_a_neutralised_export_reads_back_as_it_was(digital, tmp_path, scheme):
    from importers.soc_mapping import read_bytes

    for code, title in FORMULAS.items():
        Occupation.objects.filter(code=code).update(title=title)
    first = export(scheme)
    source, problems = read_bytes(first.encode(), "mapping.csv", scheme)
    assert not problems
    title = COLUMNS[scheme].index("occupation_title")
    read_titles = {cells[0]: cells[title] for _, cells in source.rows}
    database = dict(Occupation.objects.values_list("code", "title"))
    assert read_titles == {code: database[code] for code in read_titles}
    before = soc2010_rows() if scheme == "soc2010" else sub_unit_group_rows()
    if scheme == "soc2010":
        SocMapping.objects.update(soc2010=None)
    else:
        SubUnitGroupMapping.objects.all().delete()
    run(scheme, save(tmp_path, first))
    assert (soc2010_rows() if scheme == "soc2010" else sub_unit_group_rows()) == before
    assert export(scheme) == first
