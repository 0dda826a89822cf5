"""import_soc on the real ONS files, and every way it refuses bad input.

The real files are imported once for the module (the coding index takes a few seconds to read);
each test's own changes are rolled back, so every test starts from that first good import.
"""

import csv
from collections import Counter
from io import StringIO
from pathlib import Path

import openpyxl
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from core.models import ImportRecord
from importers.soc import split_items
from socmapping.models import SocGroup, SocIndexEntry, SocIndexPair, SocMapping, SubUnitGroup
from tests.factories import make_occupation
from tests.snapshot import data_snapshot

pytestmark = pytest.mark.django_db

SOC2010_CSV = "soc2010-structure.csv"
VOLUME1 = "soc2020-volume1-structure-and-descriptions-2025-04-16.xlsx"
INDEX = "soc2020-volume2-coding-index-2025-04-16.xlsx"

GROUPS = {
    (2010, "major"): 9,
    (2010, "sub_major"): 25,
    (2010, "minor"): 90,
    (2010, "unit"): 369,
    (2020, "major"): 9,
    (2020, "sub_major"): 26,
    (2020, "minor"): 104,
    (2020, "unit"): 412,
}
# The coding index (version 12) holds 1,367 distinct valid SOC_2020_ext codes, as the derived
# table does; ONS speaks of 1,369 sub-unit groups. The index can only show the sub-unit groups
# some entry is coded to: no code is numbered out of sequence (each unit group's run is /01 to
# /NN, plus /99 or /00), so the two missing are presumably groups of the published extension
# with no index entry in this version. The index cannot tell which; 1,367 is what it gives.
SUB_UNIT_GROUPS = 1367
PAIRS = 675
# The index's job titles (natural word order) with their unit and sub-unit group: 31,961 coded
# rows, the same title and codes repeated (with different qualifiers) counted once.
INDEX_ENTRIES = 29645
# 231 rows hold '}}}}' in every code column; 3 more (rows 11939, 28482 and 28707, new in V12)
# have SOC_2010 '}}}}' but a real SOC 2020 code 8160, whose sub-unit group 8160/00 other rows
# give. All 234 are skipped.
JUNK_ROWS = 234

INDEX_HEADER = [
    "UNIQUE ID",
    "SOC_2010",
    "SOC_2020",
    "SOC_2020_ext",
    "INDEXOCC",
    "SOC2010_unit_group_title",
    "SOC2020_unit_group_title",
    "SOC2020_ext_SUG_title",
]


def run(*args, **options) -> str:
    out, err = StringIO(), StringIO()
    call_command("import_soc", *map(str, args), stdout=out, stderr=err, **options)
    return out.getvalue() + err.getvalue()


def rejected(*args, **options) -> str:
    err = StringIO()
    with pytest.raises(CommandError) as caught:
        call_command("import_soc", *map(str, args), stdout=StringIO(), stderr=err, **options)
    return err.getvalue() + str(caught.value)


@pytest.fixture(scope="module")
def soc(bundled_data) -> Path:
    return bundled_data / "soc"


@pytest.fixture(scope="module")
def imported(django_db_setup, django_db_blocker, soc) -> str:
    """The real files, imported once (committed); the output at -v 2."""
    with django_db_blocker.unblock():
        output = run(soc, verbosity=2)
    yield output
    with django_db_blocker.unblock():
        SocGroup.objects.all().delete()  # and with them the sub-unit groups and pairs
        ImportRecord.objects.filter(kind="soc").delete()


def write_workbook(path: Path, sheet: str, rows: list[list]) -> Path:
    workbook = openpyxl.Workbook()
    worksheet = workbook.active
    worksheet.title = sheet
    for row in rows:
        worksheet.append(row)
    workbook.save(path)
    return path


def write_csv(path: Path, rows: list[list]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(rows)
    return path


def index_row(soc2010, soc2020, ext, sug_title="Chairpersons") -> list:
    titles = {1115: "Chief executives and senior officials", 1116: "Elected officers"}
    return [
        "a1aa",
        soc2010,
        soc2020,
        ext,
        "Chair",
        titles.get(soc2010, "}}}}"),
        "Chief executives and senior officials",
        sug_title,
    ]


# The real files ------------------------------------------------------------------------------


def test_real_files_give_both_hierarchies(imported):
    assert Counter(SocGroup.objects.values_list("version", "level")) == GROUPS
    # Every group below a major group hangs from the group whose code is one digit shorter.
    codes = dict(SocGroup.objects.values_list("pk", "code"))
    for group in SocGroup.objects.all():
        if group.level == SocGroup.Level.MAJOR:
            assert group.parent_id is None
        else:
            assert codes[group.parent_id] == group.code[:-1], group

    chain = SocGroup.objects.get(version=2010, code="1115")
    names = []
    while chain is not None:
        names.append((chain.version, chain.code, chain.level))
        chain = chain.parent
    assert names == [
        (2010, "1115", "unit"),
        (2010, "111", "minor"),
        (2010, "11", "sub_major"),
        (2010, "1", "major"),
    ]
    # The file's capitals become the ONS publication's sentence case, as its other titles are.
    assert SocGroup.objects.get(version=2010, code="1").title == (
        "Managers, directors and senior officials"
    )
    assert SocGroup.objects.get(version=2010, code="21").title == (
        "Science, research, engineering and technology professionals"
    )
    assert not SocGroup.objects.filter(version=2010, title__regex=r"^[^a-z]+$").exists()
    # The structure CSV's titles win; the index has a double space in this one.
    assert SocGroup.objects.get(version=2010, code="1242").title == (
        "Residential, day and domiciliary care managers and proprietors"
    )


def test_real_files_give_the_soc2020_descriptions(imported):
    unit = SocGroup.objects.select_related("parent__parent__parent").get(version=2020, code="3544")
    assert unit.title == "Data analysts"
    assert (unit.parent.code, unit.parent.parent.code, unit.parent.parent.parent.code) == (
        "354",
        "35",
        "3",
    )
    assert unit.description.startswith("Data analysts gather and organise a variety of data")
    assert unit.entry_routes.startswith("Entrants usually possess a relevant degree")
    assert unit.tasks == [
        "gathers, cleans and collates datasets and develops data management processes and policies",
        "analyses data to identify trends and patterns in a variety of fields, such as opinion "
        "polling, predicting demand for goods and services, or the testing of new medications",
        "creates visual representations of data, such as data dashboards and graphs",
        "presents findings for technical or non-technical audiences to inform the decisions of "
        "companies, government or other organisations",
    ]
    assert unit.related_job_titles == [
        "Data analyst",
        "Data officer",
        "Data quality analyst",
        "Information management analyst",
        "Organisation and methods analyst",
    ]
    # '<blank>' cells are empty; every unit group has tasks and job titles, no other level has.
    major = SocGroup.objects.get(version=2020, code="3")
    assert (major.entry_routes, major.tasks, major.related_job_titles) == ("", [], [])
    units = SocGroup.objects.soc2020().units()
    assert all(u.tasks and u.related_job_titles and u.description for u in units)
    assert not SocGroup.objects.soc2020().exclude(level="unit").exclude(tasks=[]).exists()
    # No item keeps its '~' or stray white space.
    for group in units:
        for item in group.tasks + group.related_job_titles:
            assert item == item.strip() and not item.startswith("~") and "  " not in item


def test_real_files_give_sub_unit_groups_and_pairs(imported, soc):
    groups = {s.code: s for s in SubUnitGroup.objects.select_related("unit_group")}
    assert len(groups) == SUB_UNIT_GROUPS
    with (soc / "derived" / "soc2020-ext-sub-unit-groups.csv").open(encoding="utf-8") as f:
        derived = {row["soc2020_ext_code"]: row for row in csv.DictReader(f)}
    assert set(groups) == set(derived)
    for code, row in derived.items():
        assert groups[code].unit_group.code == row["soc2020_unit_group"] == code[:4]
        assert groups[code].unit_group.version == 2020
        assert groups[code].title == row["sub_unit_group_title"]
    # One index row titles 8214/99 "Rail transport operatives n.e.c."; 59 rows say this.
    assert groups["8214/99"].title == "Delivery drivers and couriers n.e.c."
    # Row 8179 codes a marketing director 1132 with sub-unit group 1139/02: it stays in 1139.
    assert groups["1139/02"].title == "Administration directors"

    pairs = {
        (p.soc2010.code, p.soc2020.code): p.index_entries
        for p in SocIndexPair.objects.select_related("soc2010", "soc2020")
    }
    assert len(pairs) == PAIRS
    with (soc / "derived" / "soc2010-soc2020-index-pairs.csv").open(encoding="utf-8") as f:
        derived_pairs = {
            (row["soc2010_unit_group"], row["soc2020_unit_group"]): int(row["n_index_entries"])
            for row in csv.DictReader(f)
        }
    assert pairs == derived_pairs
    pair = SocIndexPair.objects.get(soc2010__code="1115", soc2020__code="1111")
    assert (pair.soc2010.version, pair.soc2020.version, pair.index_entries) == (2010, 2020, 51)
    assert str(pair) == "SOC 2010 1115 – SOC 2020 1111: 51 index entries"


def test_real_files_report(imported, soc):
    lines = imported.splitlines()
    assert f"Skipped {soc}/derived/: a folder inside a folder: not read" in lines
    assert (
        f"Read {soc / SOC2010_CSV}: SOC 2010 structure: "
        "9 major, 25 sub-major, 90 minor and 369 unit groups"
    ) in lines
    assert (
        f"Read {soc / VOLUME1}: SOC 2020 Volume 1: "
        "9 major, 26 sub-major, 104 minor and 412 unit groups"
    ) in lines
    assert (
        f"Read {soc / INDEX}: SOC 2020 coding index: 32,195 index entries: 1,367 sub-unit "
        "groups, 369 SOC 2010 and 412 SOC 2020 unit groups, 675 SOC 2010 – SOC 2020 unit group "
        "pairs"
    ) in lines
    assert (
        f"Skipped {JUNK_ROWS} coding index row(s) holding the placeholder '}}}}}}}}' instead of "
        "a code."
    ) in lines
    assert "  SOC groups: 1044 created, 0 updated, 0 unchanged, 0 removed" in lines
    assert f"  sub-unit groups: {SUB_UNIT_GROUPS} created, 0 updated, 0 unchanged, 0 removed" in (
        lines
    )
    assert f"  index pairs: {PAIRS} created, 0 updated, 0 unchanged, 0 removed" in lines
    assert f"  index entries: {INDEX_ENTRIES} created, 0 updated, 0 unchanged, 0 removed" in lines
    assert (
        f"  note: {soc / INDEX}:8179: SOC_2020_ext 1139/02 is not in its SOC_2020 unit group "
        "1132 (other rows place it in 1139); the entry counts for SOC 2010 1132 – SOC 2020 1132 "
        "only"
    ) in lines
    assert "other rows give 'Rail transport operatives n.e.c.' (1 row from row 8931)" in imported
    assert lines[-1].lower().startswith("soc groups: 1044 created, 0 updated, 0 unchanged, 0 ")
    record = ImportRecord.objects.get(kind="soc")
    assert (record.outcome, record.created) == ("succeeded", 1044)


def test_second_import_changes_nothing(imported, soc):
    before = data_snapshot()
    output = run(soc, verbosity=2)
    assert "  SOC groups: 0 created, 0 updated, 1044 unchanged, 0 removed" in output
    assert f"  sub-unit groups: 0 created, 0 updated, {SUB_UNIT_GROUPS} unchanged" in output
    assert f"  index pairs: 0 created, 0 updated, {PAIRS} unchanged" in output
    assert f"  index entries: 0 created, 0 updated, {INDEX_ENTRIES} unchanged" in output
    assert "No changes: 1044 SOC groups unchanged" in output
    assert data_snapshot() == before


def test_dry_run_changes_nothing(imported, soc):
    SocGroup.objects.filter(version=2020, code="3544").update(title="Data people", tasks=[])
    SocGroup.objects.filter(version=2010, code="9279").delete()
    before = data_snapshot()
    records = ImportRecord.objects.count()
    output = run(soc / SOC2010_CSV, soc / VOLUME1, dry_run=True)
    assert "Dry run, nothing written. " in output
    assert "1 to create, 1 to update, 1042 unchanged, 0 to remove" in output
    assert data_snapshot() == before
    assert ImportRecord.objects.count() == records


def test_files_are_recognised_by_content_not_name(imported, soc, tmp_path):
    folder = tmp_path / "mixed"
    folder.mkdir()
    (folder / "structure.txt").symlink_to(soc / SOC2010_CSV)
    (folder / "README.md").write_text("# SOC files\n", encoding="utf-8")
    write_csv(folder / "other.csv", [["code", "title"], ["1", "A"]])
    write_workbook(folder / "book.xlsx", "Sheet", [["a", "b"]])
    (folder / "nested").mkdir()
    output = run(folder)
    assert f"Read {folder / 'structure.txt'}: SOC 2010 structure: 9 major" in output
    assert f"Skipped {folder / 'README.md'}: not a SOC file" in output
    assert f"Skipped {folder / 'other.csv'}: not a SOC file" in output
    assert (
        f"Skipped {folder / 'book.xlsx'}: a workbook without a 'SOC2020 descriptions' or "
        "'SOC2020 coding index' sheet"
    ) in output
    assert f"Skipped {folder / 'nested'}/: a folder inside a folder" in output
    assert "No changes: 493 SOC groups unchanged" in output  # the SOC 2010 groups


def test_fills_in_unit_groups_the_maps_importer_made(imported, soc):
    SocGroup.objects.all().delete()
    made = SocGroup.objects.create(version=2020, code="3544", level="unit", title="")
    output = run(soc / VOLUME1)
    assert "soc groups: 550 created, 1 updated, 0 unchanged, 0 removed" in output.lower()
    unit = SocGroup.objects.get(version=2020, code="3544")
    assert unit.pk == made.pk
    assert unit.title == "Data analysts"
    assert unit.description.startswith("Data analysts gather")
    assert len(unit.tasks) == 4
    assert unit.parent.code == "354"


def test_coding_index_alone_creates_what_it_needs(imported, tmp_path):
    SocGroup.objects.all().delete()
    index = write_workbook(
        tmp_path / "index.xlsx",
        "SOC2020 coding index",
        [
            INDEX_HEADER,
            index_row(1115, 1111, "1111/01"),
            index_row(1115, 1111, "1111/01"),
            index_row(1115, 1111, "1111/01", sug_title="Chair people"),
            ["a1ab", "}}}}", "}}}}", "}}}}/}}", "Director", "}}}}", "}}}}", "}}}}"],
            index_row(1116, 1111, "1111/02", sug_title="Chief executives"),
            index_row(1116, 1111, "1111/01"),  # one more Chairpersons
            [None] * 8,
        ],
    )
    output = run(index, verbosity=2)
    assert "  SOC groups: 3 created" in output
    assert "  sub-unit groups: 2 created" in output
    assert "  index pairs: 2 created" in output
    assert "Skipped 1 coding index row(s)" in output
    assert (
        f"note: {index}: sub-unit group 1111/01: titled 'Chairpersons' as 3 rows have it; other "
        "rows give 'Chair people' (1 row from row 4)"
    ) in output
    assert "2 SOC 2010 unit group(s) from the coding index have no minor group" in output
    assert "1 SOC 2020 unit group(s) from the coding index have no minor group" in output
    unit = SocGroup.objects.get(version=2020, code="1111")
    assert (unit.level, unit.title, unit.parent) == (
        "unit",
        "Chief executives and senior officials",
        None,
    )
    assert SubUnitGroup.objects.get(code="1111/01").title == "Chairpersons"
    assert dict(SocIndexPair.objects.values_list("soc2010__code", "index_entries")) == {
        "1115": 3,
        "1116": 2,
    }

    # Run again, the index fills in an empty title (it never overwrites one) and links unit
    # groups to a minor group that is now in the database.
    SocGroup.objects.filter(version=2020, code="1111").update(title="")
    SocGroup.objects.filter(version=2010, code="1115").update(title="Kept as it is")
    minor = SocGroup.objects.create(version=2010, code="111", level="minor", title="Chiefs")
    output = run(index, verbosity=2)
    assert "  SOC groups: 0 created, 3 updated, 0 unchanged" in output
    assert "SOC 2010 unit group(s) from the coding index have no minor group" not in output
    assert SocGroup.objects.get(version=2020, code="1111").title == (
        "Chief executives and senior officials"
    )
    unit = SocGroup.objects.get(version=2010, code="1115")
    assert (unit.title, unit.parent) == ("Kept as it is", minor)


def test_tasks_and_job_titles_become_lists_of_clean_items():
    assert split_items("~one\n\n~two  words\n\n~three &amp; four") == [
        "one",
        "two words",
        "three & four",
    ]
    assert split_items("~one\n~two\n  continued") == ["one", "two continued"]
    assert split_items("<blank>") == split_items(None) == []


def test_prune_removes_groups_the_structure_lacks_unless_used(imported, soc):
    SocGroup.objects.create(version=2010, code="9998", level="unit", title="Gone")
    mapped = SocGroup.objects.create(version=2010, code="9997", level="unit", title="Mapped")
    SocMapping.objects.create(occupation=make_occupation(), soc2010=mapped)
    holder = SocGroup.objects.create(version=2020, code="9990", level="unit", title="Holder")
    SubUnitGroup.objects.create(code="9990/01", title="Kept", unit_group=holder)
    output = run(soc / SOC2010_CSV, soc / VOLUME1, prune=True, verbosity=2)
    assert "  SOC groups: 0 created, 0 updated, 1044 unchanged, 1 removed" in output
    assert "note: Kept SOC 2010 unit group 9997: not in the import, but occupations are mapped" in (
        output
    )
    assert "note: Kept SOC 2020 unit group 9990: not in the import, but it has sub-unit groups" in (
        output
    )
    assert not SocGroup.objects.filter(code="9998").exists()
    assert SocGroup.objects.filter(code__in=["9997", "9990"]).count() == 2
    # Without --prune nothing goes.
    SocGroup.objects.create(version=2010, code="9996", level="unit", title="Stays")
    run(soc / SOC2010_CSV)
    assert SocGroup.objects.filter(code="9996").exists()


def test_prune_removes_sub_unit_groups_and_pairs_the_index_lacks(imported, tmp_path):
    index = write_workbook(
        tmp_path / "index.xlsx",
        "SOC2020 coding index",
        [INDEX_HEADER, index_row(1115, 1111, "1111/01")],
    )
    output = run(index, prune=True, verbosity=2)
    assert (
        f"  sub-unit groups: 0 created, 0 updated, 1 unchanged, {SUB_UNIT_GROUPS - 1} removed"
        in (output)
    )
    # The one pair left is counted from this index's one row: 1 entry, not 51.
    assert f"  index pairs: 0 created, 1 updated, 0 unchanged, {PAIRS - 1} removed" in output
    assert list(SubUnitGroup.objects.values_list("code", flat=True)) == ["1111/01"]
    assert list(SocIndexEntry.objects.values_list("title", "sub_unit_group__code")) == [
        ("Chair", "1111/01")
    ]
    assert SocGroup.objects.count() == 1044  # no structure read: no group removed


# Rejected input ------------------------------------------------------------------------------


def volume1_without_tasks(tmp_path: Path) -> tuple[Path, list[str]]:
    header = [
        "SOC\n2020 Major Group",
        "SOC\n2020 Sub-Major Group",
        "SOC\n2020 Minor Group",
        "SOC 2020 Unit Group",
        "SOC\n2020 \nGroup Title",
        "Group  Description",
        "Typical Entry Routes And Associated Qualifications",
        "Related Job Titles",
    ]
    path = write_workbook(
        tmp_path / "volume1.xlsx",
        "SOC2020 descriptions",
        [header, [1, "<blank>", "<blank>", "<blank>", "Managers", "<blank>", "<blank>", "~A"]],
    )
    return path, [f"{path}: sheet SOC2020 descriptions: row 1: missing column(s) 'Tasks'"]


def volume1_with_bad_rows(tmp_path: Path) -> tuple[Path, list[str]]:
    header = [
        "SOC\n2020 Major Group",
        "SOC\n2020 Sub-Major Group",
        "SOC\n2020 Minor Group",
        "SOC 2020 Unit Group",
        "SOC\n2020 \nGroup Title",
        "Group  Description",
        "Typical Entry Routes And Associated Qualifications",
        "Tasks",
        "Related Job Titles",
    ]
    blank = "<blank>"
    path = write_workbook(
        tmp_path / "volume1.xlsx",
        "SOC2020 descriptions",
        [
            header,
            [1, blank, blank, blank, "Managers", "d", blank, blank, blank],
            [blank, 11, blank, blank, "Corporate managers", "d", blank, blank, blank],
            [blank, blank, blank, 1111, "Chief executives", "d", "e", "~t", "~j"],
            [blank, blank, 111, 1112, "Two codes", "d", "e", "~t", "~j"],
            [blank, blank, blank, 11111, "Five digits", "d", "e", "~t", "~j"],
        ],
    )
    return path, [
        f"{path}:4: unit group 1111: its minor group 111 is not in the file",
        f"{path}:5: codes in more than one group code column: SOC 2020 Minor Group 111, "
        "SOC 2020 Unit Group 1112",
        f"{path}:6: SOC 2020 Unit Group: '11111': a unit group code has 4 digits",
    ]


def structure_with_bad_rows(tmp_path: Path) -> tuple[Path, list[str]]:
    path = write_csv(
        tmp_path / "soc2010.csv",
        [
            ["code", "level", "title"],
            ["1", "major", "Managers"],
            ["11", "sub_major", "Corporate managers"],
            ["111", "minor", "Chief executives"],
            ["12345", "unit", "Five digits"],
            ["1116", "group", "Unknown level"],
            ["2221", "unit", "No parent"],
            ["1115", "unit", ""],
            ["111", "minor", "Twice"],
        ],
    )
    return path, [
        f"{path}:5: code: '12345': a unit group code has 4 digits",
        f"{path}:6: level: 'group': not one of major, sub_major, minor, unit",
        f"{path}:7: unit group 2221: its minor group 222 is not in the file",
        f"{path}:8: unit group 1115: the title is empty",
        f"{path}:9: minor group 111: also at {path}:4",
    ]


def index_with_stray_sub_unit_group(tmp_path: Path) -> tuple[Path, list[str]]:
    path = write_workbook(
        tmp_path / "index.xlsx",
        "SOC2020 coding index",
        [
            INDEX_HEADER,
            index_row(1115, 1111, "1111/01"),
            index_row(1115, 1111, "2134/03", sug_title="Web developers"),
            index_row(1115, 1111, "1111/1"),
            index_row(111, 1111, "1111/01"),
        ],
    )
    return path, [
        f"{path}:3: SOC_2020_ext: 2134/03: its first four digits are not its SOC_2020 unit "
        "group 1111",
        f"{path}:4: SOC_2020_ext: '1111/1': not a sub-unit group code like 2134/03",
        f"{path}:5: SOC_2010: '111': not a four-digit unit group code",
    ]


def index_without_ext_column(tmp_path: Path) -> tuple[Path, list[str]]:
    header = [name for name in INDEX_HEADER if name != "SOC_2020_ext"]
    path = write_workbook(tmp_path / "index.xlsx", "SOC2020 coding index", [header])
    return path, [f"{path}: sheet SOC2020 coding index: row 1: missing column(s) 'SOC_2020_ext'"]


def not_a_workbook(tmp_path: Path) -> tuple[Path, list[str]]:
    path = tmp_path / "soc2020-volume1.xlsx"
    path.write_text("code,level,title\n1,major,Managers\n", encoding="utf-8")
    return path, [f"{path}: cannot be opened as an Excel workbook: it is not an .xlsx file"]


def broken_workbook(tmp_path: Path) -> tuple[Path, list[str]]:
    path = tmp_path / "broken.xlsx"
    path.write_bytes(b"PK\x03\x04" + b"\0" * 100)
    return path, [f"{path}: cannot be opened as an Excel workbook"]


def nothing_recognised(tmp_path: Path) -> tuple[Path, list[str]]:
    folder = tmp_path / "empty-ish"
    folder.mkdir()
    (folder / "notes.txt").write_text("nothing here\n", encoding="utf-8")
    write_csv(folder / "other.csv", [["code", "level", "title", "description"], ["1", "a", "b"]])
    return folder, [
        f"{folder}: no SOC file recognised",
        f"{folder / 'notes.txt'}: not a SOC file",
        f"{folder / 'other.csv'}: not a SOC file",
    ]


def missing_path(tmp_path: Path) -> tuple[Path, list[str]]:
    path = tmp_path / "nowhere"
    return path, [f"{path}: no such file or directory"]


@pytest.mark.parametrize(
    "build",
    [
        volume1_without_tasks,
        volume1_with_bad_rows,
        structure_with_bad_rows,
        index_with_stray_sub_unit_group,
        index_without_ext_column,
        not_a_workbook,
        broken_workbook,
        nothing_recognised,
        missing_path,
    ],
)
def test_rejected_input_changes_nothing(imported, tmp_path, build):
    path, expected = build(tmp_path)
    before = data_snapshot()
    error = rejected(path)
    for text in expected:
        assert text in error
    assert "Nothing was changed." in error
    assert data_snapshot() == before
    assert ImportRecord.objects.filter(kind="soc", outcome="failed").count() == 1


def test_rejected_index_read_with_volume1(imported, soc, tmp_path):
    """Read with Volume 1, the index's SOC 2020 codes must be unit groups in it."""
    path = write_workbook(
        tmp_path / "index.xlsx",
        "SOC2020 coding index",
        [INDEX_HEADER, index_row(1115, 1111, "1111/01"), index_row(1115, 1110, "1110/01")],
    )
    before = data_snapshot()
    error = rejected(soc / VOLUME1, path)
    assert f"{path}:3: SOC_2020: 1110: not a unit group in {soc / VOLUME1}" in error
    assert data_snapshot() == before


def test_derived_tables_are_not_read(imported, soc):
    """The derived CSVs are conveniences, not ONS layouts: given alone, nothing is imported."""
    error = rejected(soc / "derived")
    assert f"{soc / 'derived'}: no SOC file recognised" in error
    assert f"{soc / 'derived' / 'soc2020-structure.csv'}: not a SOC file" in error


def test_two_files_of_one_kind_are_rejected(imported, soc, tmp_path):
    copy = tmp_path / "copy.csv"
    copy.write_bytes((soc / SOC2010_CSV).read_bytes())
    error = rejected(soc / SOC2010_CSV, copy)
    assert f"{copy}: a second SOC 2010 structure (the first is {soc / SOC2010_CSV})" in error
