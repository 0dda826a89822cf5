"""The downloads: no cell a spreadsheet would run, never a truncated file that looks whole, and
the files of /downloads/ built once per data version for every worker."""

import csv
import io
import json
import shutil
from contextlib import contextmanager
from io import StringIO
from unittest import mock

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db import OperationalError
from django.db.models.query import (
    FlatValuesListIterable,
    ModelIterable,
    ValuesIterable,
    ValuesListIterable,
)
from django.template.defaultfilters import filesizeformat
from django.urls import reverse

from core.models import DataVersion
from core.spreadsheet import formula_unsafe
from occupations.models import Occupation
from routes.models import Cluster
from site_pages.downloads import DOWNLOADS, Download

pytestmark = pytest.mark.django_db

HYPERLINK = '=HYPERLINK("http://evil.example","Software developer")'
CALC = "=cmd|' /C calc'!A0"


def body(response) -> str:
    if response.streaming:
        return b"".join(response.streaming_content).decode()
    return response.content.decode()


def csv_rows(response) -> list[dict]:
    assert response.status_code == 200
    return list(csv.DictReader(io.StringIO(body(response), newline="")))


@pytest.fixture
def planted(tmp_path, bundled_data):
    """The real Digital route imported with OCC0118's title, version and cluster name changed
    to formulas (as a hostile source could), in a copy of its real file."""
    maps = bundled_data / "occupational-maps"
    folder = tmp_path / "digital"
    shutil.copytree(maps / "digital", folder)
    path = folder / "OCC0118.json"
    document = json.loads(path.read_text())
    document["name"] = CALC
    document["versionNo"] = "+1+cmd|' /C calc'!A0"
    cluster = document["mapHierarchy"]["clusterName"]
    for other in folder.glob("*.json"):  # every record of the cluster names it the same
        record = json.loads(other.read_text())
        if record["mapHierarchy"]["clusterName"] == cluster:
            record["mapHierarchy"]["clusterName"] = "@SUM(1+9)*cmd|' /C calc'!A0"
            if other != path:
                other.write_text(json.dumps(record))
    document["mapHierarchy"]["clusterName"] = "@SUM(1+9)*cmd|' /C calc'!A0"
    path.write_text(json.dumps(document))
    call_command("import_maps", str(maps / "index.json"), str(folder), stdout=StringIO())
    occupation = Occupation.objects.get(code="OCC0118")
    assert (occupation.title, occupation.version) == (CALC, "+1+cmd|' /C calc'!A0")
    return occupation


def test_occupations_csv_neutralises_formulas_from_an_import_and_from_the_admin(client, planted):
    Occupation.objects.filter(code="OCC0117").update(title=HYPERLINK)
    rows = {
        row["occupation_code"]: row for row in csv_rows(client.get("/occupations/occupations.csv"))
    }
    assert rows["OCC0118"]["title"] == "'" + CALC
    assert rows["OCC0118"]["version"] == "'+1+cmd|' /C calc'!A0"
    assert rows["OCC0118"]["cluster"] == "'@SUM(1+9)*cmd|' /C calc'!A0"
    assert rows["OCC0117"]["title"] == "'" + HYPERLINK
    # Nothing else starts with a formula character, and each cell reads back as it was.
    for row in rows.values():
        for cell in row.values():
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), cell
    assert formula_unsafe(rows["OCC0117"]["title"]) == HYPERLINK
    assert Cluster.objects.filter(name="@SUM(1+9)*cmd|' /C calc'!A0").count() == 1


def test_the_json_download_keeps_the_text_as_it_is(client, planted):
    data = json.loads(body(client.get("/occupations/occupations.json", {"q": "OCC0118"})))
    assert [row["title"] for row in data["occupations"]] == [CALC]


@pytest.mark.parametrize("name", ["soc2010-mapping.csv", "soc2020-sub-unit-group-mapping.csv"])
def test_the_mapping_downloads_neutralise_formulas(client, planted, name):
    Occupation.objects.filter(code="OCC0117").update(title=HYPERLINK)
    rows = csv_rows(client.get(reverse("download_file", args=[name])))
    titles = {row["occupation_code"]: row["occupation_title"] for row in rows}
    assert titles["OCC0118"] == "'" + CALC
    assert titles["OCC0117"] == "'" + HYPERLINK
    assert sum(title.startswith("'") for title in titles.values()) == 2


# A database failure part-way -------------------------------------------------------------------

ITERABLES = [ModelIterable, ValuesIterable, ValuesListIterable, FlatValuesListIterable]


@contextmanager
def database_fails_after(rows: int):
    """Every query fails once it has given ``rows`` rows, as when the database goes away in the
    middle of a long read."""
    patches = []
    for iterable in ITERABLES:
        original = iterable.__iter__

        def failing(self, original=original):
            for number, item in enumerate(original(self)):
                if number == rows:
                    raise OperationalError("server closed the connection unexpectedly")
                yield item

        patches.append(mock.patch.object(iterable, "__iter__", failing))
    for patch in patches:
        patch.start()
    try:
        yield
    finally:
        for patch in patches:
            patch.stop()


def complete_or_refused(response) -> tuple[int, str]:
    """The status and, for a 200, the whole body as a client would read it."""
    return response.status_code, body(response) if response.status_code == 200 else ""


@pytest.mark.parametrize(
    "url",
    [
        "/occupations/occupations.csv",
        "/occupations/occupations.json",
        "/occupations/occupations.csv?route=digital",
        "/downloads/soc2010-mapping.csv",
        "/downloads/soc2020-sub-unit-group-mapping.csv",
        "/downloads/occupational-maps.json",
        "/downloads/",
    ],
)
def test_a_database_failure_part_way_is_a_503_never_a_shorter_200(client, bundled, url):
    assert Occupation.objects.count() == 67
    with database_fails_after(10):
        status, content = complete_or_refused(client.get(url))
    assert (status, content) == (503, "")
    response = client.get(url)
    assert response.status_code == 200
    assert response["Cache-Control"].startswith("public")
    # Nothing half-built was kept: the files are whole once the database is back.
    if url.startswith("/downloads/") and url != "/downloads/":
        content = body(response)
        assert len(content.encode()) == int(response["Content-Length"])
        if url.endswith(".json"):
            assert len(json.loads(content)["occupations"]) == 67


# Built once per data version, for every worker -------------------------------------------------


def test_the_downloads_are_built_once_per_data_version_for_every_worker(client, bundled):
    builds = []
    original = Download.build

    def counting(self, site):
        builds.append(self.name)
        return original(self, site)

    names = sorted(DOWNLOADS)
    with mock.patch.object(Download, "build", counting):
        page = client.get("/downloads/")
        assert sorted(builds) == names
        for name in names:
            size = f"{name}, "
            assert size in page.content.decode()
        # Another worker: its own (empty) memory, the same machine.
        cache.clear()
        sizes = {}
        for name in names:
            response = client.get(f"/downloads/{name}")
            sizes[name] = int(response["Content-Length"])
            assert len(b"".join(response.streaming_content)) == sizes[name]
        cache.clear()
        assert client.get("/downloads/").status_code == 200
        assert sorted(builds) == names
        # A new data version (an import, an edit in the admin) builds them once more.
        DataVersion.bump()
        for _ in range(2):
            cache.clear()
            client.get("/downloads/")
        assert sorted(builds) == sorted(names * 2)


def test_the_page_shows_the_sizes_of_the_files_it_sends(client, bundled):
    page = client.get("/downloads/").content.decode()
    for name in DOWNLOADS:
        response = client.get(f"/downloads/{name}")
        size = len(b"".join(response.streaming_content))
        assert (
            f"{name}, {DOWNLOADS[name].content_type.split('/')[1].split(';')[0].upper()}, " in page
        )
        assert f"{filesizeformat(size)}</p>" in page


def test_an_unusable_downloads_folder_still_sends_whole_files(client, bundled, settings, tmp_path):
    not_a_folder = tmp_path / "a-file"
    not_a_folder.write_text("")
    settings.DOWNLOADS_DIR = not_a_folder
    page = client.get("/downloads/")
    assert page.status_code == 200
    response = client.get("/downloads/occupational-maps.json")
    assert response.status_code == 200
    content = b"".join(response.streaming_content)
    assert int(response["Content-Length"]) == len(content)
    assert len(json.loads(content)["occupations"]) == 67
    assert f"occupational-maps.json, JSON, {filesizeformat(len(content))}</p>" in (
        page.content.decode()
    )
