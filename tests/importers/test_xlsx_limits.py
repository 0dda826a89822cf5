"""import_soc refuses an .xlsx zip bomb before parsing it: quickly, in little memory, with the
file and the limit named, and nothing changed (importers/soc/xlsx_limits.py)."""

import shutil
import time
import tracemalloc
import zipfile
import zlib
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.template.defaultfilters import filesizeformat

from core.problems import Problems
from importers.soc import xlsx_limits
from socmapping.models import SocGroup
from tests.snapshot import data_snapshot

pytestmark = pytest.mark.django_db

VOLUME1 = "soc2020-volume1-structure-and-descriptions-2025-04-16.xlsx"
INDEX = "soc2020-volume2-coding-index-2025-04-16.xlsx"
SHARED_STRINGS = "xl/sharedStrings.xml"
CHUNK = b"A" * (16 * 1024 * 1024)


class RepeatingDeflate:
    """Deflate whose every write ends in a full flush, so that the same 16 MiB chunk always
    compresses to the same bytes: computed once, a GiB of it is written in about a second."""

    def __init__(self):
        self.real = zlib.compressobj(9, zlib.DEFLATED, -15)
        self.piece = None

    def compress(self, data):
        if data is CHUNK and self.piece is not None:
            return self.piece
        out = self.real.compress(data) + self.real.flush(zlib.Z_FULL_FLUSH)
        if data is CHUNK:
            self.piece = out
        return out

    def flush(self):
        return self.real.flush()


def bomb(tmp_path: Path, soc: Path, gib: int) -> Path:
    """The real SOC 2020 volume 1 workbook, its shared strings given one more string of
    ``gib`` GiB of the letter A: a valid workbook of about ``gib`` MB."""
    path = tmp_path / f"bomb-{gib}-{VOLUME1}"
    with (
        zipfile.ZipFile(soc / VOLUME1) as real,
        zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out,
    ):
        for info in real.infolist():
            content = real.read(info)
            if info.filename != SHARED_STRINGS:
                out.writestr(info, content)
                continue
            head, tail = content.split(b"<si>", 1)
            with out.open(SHARED_STRINGS, "w", force_zip64=True) as member:
                member._compressor = RepeatingDeflate()
                member.write(head + b"<si><t>")
                for _ in range(gib * 64):
                    member.write(CHUNK)
                member.write(b"</t></si><si>" + tail)
    return path


def rejected(*args) -> str:
    err = StringIO()
    with pytest.raises(CommandError) as caught:
        call_command("import_soc", *map(str, args), stdout=StringIO(), stderr=err)
    return err.getvalue() + str(caught.value)


@pytest.fixture
def soc(bundled_data) -> Path:
    return bundled_data / "soc"


@pytest.mark.parametrize("gib", [1, 4])
def test_a_zip_bomb_is_refused_quickly_in_little_memory(soc, tmp_path, gib):
    path = bomb(tmp_path, soc, gib)
    assert path.stat().st_size < gib * 1_100_000 + (soc / VOLUME1).stat().st_size
    with zipfile.ZipFile(path) as archive:
        member = archive.getinfo(SHARED_STRINGS)
    assert member.file_size > gib * 2**30
    before = data_snapshot()

    tracemalloc.start()
    clock = time.perf_counter()
    error = rejected(path)
    elapsed = time.perf_counter() - clock
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()

    ratio = member.file_size // member.compress_size
    packed = filesizeformat(member.compress_size).replace("\xa0", " ")
    assert (
        f"{path}: refused before reading: its part {SHARED_STRINGS} unpacks to {gib}.0 GB from "
        f"{packed}, {ratio:,} to 1 (at most 100 to 1): not a spreadsheet's data"
    ) in error
    assert "Nothing was changed" in error
    assert elapsed < 2, elapsed
    assert peak < 20 * 2**20, peak
    assert data_snapshot() == before


def test_a_part_over_the_size_limit_is_refused(soc, tmp_path, monkeypatch):
    """The real coding index's largest part (its sheet, 22 MB) against a limit of 16 MiB."""
    monkeypatch.setattr(xlsx_limits, "MAX_MEMBER_BYTES", 16 * 2**20)
    path = tmp_path / INDEX
    shutil.copy(soc / INDEX, path)
    error = rejected(path)
    assert (
        f"{path}: refused before reading: its part xl/worksheets/sheet3.xml unpacks to 22.2 MB "
        "(at most 16.0 MB for one part of a workbook)"
    ) in error
    assert not SocGroup.objects.exists()


def test_a_workbook_over_the_total_limit_is_refused(soc, tmp_path, monkeypatch):
    monkeypatch.setattr(xlsx_limits, "MAX_TOTAL_BYTES", 24 * 2**20)
    path = tmp_path / INDEX
    shutil.copy(soc / INDEX, path)
    error = rejected(path)
    assert (
        f"{path}: refused before reading: it unpacks to 25.0 MB (at most 24.0 MB for a workbook)"
    ) in error
    assert not SocGroup.objects.exists()


def test_the_real_files_pass_the_check_in_milliseconds(soc):
    for name in (VOLUME1, INDEX):
        problems = Problems()
        clock = time.perf_counter()
        assert xlsx_limits.within_limits(soc / name, name, problems)
        assert time.perf_counter() - clock < 0.05
        assert not problems
