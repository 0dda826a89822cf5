"""Releases on the real Digital route: an import, then copies of its files with specific edits
(made here, in tmp_path); each release lists exactly what was edited, and nothing for a re-import
or for cosmetic edits. Staff edits in the admin make releases too."""

import csv
import io
import json
import shutil
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from changes import selectors, snapshot
from changes.models import Change, Kind, RecordState, Release
from core import admin_tools, importing
from core.models import ImportRecord
from occupations.models import Occupation
from routes.models import Route
from tests.admin_forms import form_data
from tests.bundled import MAPS, load_bundled
from tests.locks import lock_held_elsewhere, lock_held_until_waited_for

pytestmark = pytest.mark.django_db

DIGITAL = MAPS / "digital"


def import_maps(*sources, **options) -> None:
    call_command(
        "import_maps", *map(str, sources), stdout=io.StringIO(), stderr=io.StringIO(), **options
    )


def raw(code: str, folder: Path = DIGITAL) -> dict:
    return json.loads((folder / f"{code}.json").read_text())


def copy_digital(tmp_path: Path, name: str = "digital") -> Path:
    folder = tmp_path / name
    shutil.copytree(DIGITAL, folder)
    return folder


def edit(folder: Path, code: str, change) -> None:
    path = folder / f"{code}.json"
    document = json.loads(path.read_text())
    change(document)
    path.write_text(json.dumps(document, indent=1))


def rows(release: Release) -> set[tuple]:
    """A release's differences as comparable tuples."""
    return {
        (
            c.occupation_code,
            c.kind,
            c.subject,
            json.dumps(c.old, sort_keys=True),
            json.dumps(c.new, sort_keys=True),
        )
        for c in release.changes.all()
    }


def row(code, kind, subject="", old=None, new=None) -> tuple:
    return (code, kind, subject, json.dumps(old, sort_keys=True), json.dumps(new, sort_keys=True))


def headline(document: dict) -> dict:
    return {"title": document["name"], "level": document["level"], "status": document["status"]}


def link_to(code: str, folder: Path = DIGITAL) -> dict:
    """A progression entry naming a real occupation, as the files give one."""
    document = raw(code, folder)
    keys = ("object", "stdCode", "name", "status", "statusName", "level", "versionNo")
    return {key: document[key] for key in keys if key in document}


def sources(folder: Path) -> list[Path]:
    """What ``load_bundled_data`` imports, with ``folder`` for the Digital route."""
    return [MAPS / "index.json", folder, MAPS / "samples"]


@pytest.fixture
def first_release():
    """The bundled data, as ``load_bundled_data`` imports it: the ONS SOC files (no occupation
    differs: no release), then the maps (release 1)."""
    load_bundled()
    return Release.objects.get()


def test_the_first_import_is_a_release_of_everything(first_release):
    record = ImportRecord.objects.get(kind="maps")
    assert ImportRecord.objects.count() == 2  # the SOC import made no release
    assert first_release.number == 1
    assert first_release.import_record == record
    assert first_release.kind == "maps"
    assert first_release.data_date == record.data_date
    assert first_release.counts == {
        "added": Occupation.objects.count(),
        "route_added": Route.objects.count(),
    }
    assert first_release.total == Occupation.objects.count() + Route.objects.count()
    added = set(first_release.changes.filter(kind=Kind.ADDED).values_list("occupation_code"))
    assert added == set(Occupation.objects.values_list("code"))
    # Every occupation and route has its state kept, for comparing releases later.
    assert first_release.states.count() == first_release.total


def test_an_edited_import_lists_exactly_the_edits(first_release, tmp_path):
    folder = copy_digital(tmp_path)
    edit(folder, "OCC0118", lambda d: d.update(status=2))
    edit(folder, "OCC0117", lambda d: d.update(name="Business analyst (requirements)"))
    (folder / "OCC0116.json").unlink()
    assert "OCC0129" not in {p["stdCode"] for p in raw("OCC0118")["progression"]}
    assert "OCC0118" not in {p["stdCode"] for p in raw("OCC0129")["progression"]}
    edit(folder, "OCC0118", lambda d: d["progression"].append(link_to("OCC0129")))
    old_soc2020 = raw("OCC0127")["soc"]["soc2020Code"]
    assert old_soc2020 != 2134
    edit(folder, "OCC0127", lambda d: d["soc"].update(soc2020Code=2134))

    import_maps(*sources(folder), prune=True)

    release = Release.objects.get(number=2)
    assert release.import_record == ImportRecord.objects.order_by("-id").first()
    assert rows(release) == {
        row("OCC0116", Kind.REMOVED, old=headline(raw("OCC0116"))),
        row(
            "OCC0117",
            Kind.RENAMED,
            old=raw("OCC0117")["name"],
            new="Business analyst (requirements)",
        ),
        row("OCC0118", Kind.STATUS, old=raw("OCC0118")["status"], new=2),
        row("OCC0118", Kind.PROGRESSION_ADDED, "OCC0129"),
        row("OCC0127", Kind.SOC2020, "2134", old=str(old_soc2020), new="2134"),
    }
    assert release.counts == {
        "removed": 1,
        "renamed": 1,
        "status": 1,
        "progression_added": 1,
        "soc2020": 1,
    }
    assert (release.total, release.occupations_changed) == (5, 4)
    # Every change is filed under the Digital route, in display order.
    assert set(release.changes.values_list("route_slug", flat=True)) == {"digital"}
    assert list(release.changes.values_list("sequence", flat=True)) == list(range(5))


def test_a_reimport_of_the_same_data_makes_no_release(first_release):
    import_maps(*sources(DIGITAL))
    assert ImportRecord.objects.count() == 3
    assert list(Release.objects.values_list("number", flat=True)) == [1]


def test_whitespace_and_html_tidying_make_no_release(first_release, tmp_path):
    folder = copy_digital(tmp_path)
    document = raw("OCC0118")
    edit(folder, "OCC0118", lambda d: d.update(name=f"  {d['name'].replace(' ', '   ')} "))
    edit(
        folder,
        "OCC0118",
        lambda d: d["typicalJobTitles"][0].update(name=f" {d['typicalJobTitles'][0]['name']}  "),
    )
    # Tidied HTML: the same paragraphs, written differently.
    edit(
        folder, "OCC0118", lambda d: d.update(summary=d["summary"].replace("</p>\n<p>", "</p><p>"))
    )
    assert raw("OCC0118", folder)["summary"] != document["summary"]

    import_maps(*sources(folder))

    record = ImportRecord.objects.order_by("-id").first()
    assert record.updated == 1  # the importer wrote the tidied summary
    assert list(Release.objects.values_list("number", flat=True)) == [1]


def test_a_dry_run_makes_no_release(first_release, tmp_path):
    folder = copy_digital(tmp_path)
    edit(folder, "OCC0118", lambda d: d.update(status=2))
    import_maps(*sources(folder), dry_run=True)
    assert Release.objects.count() == 1


def test_the_snapshot_takes_a_fixed_number_of_queries(first_release):
    with CaptureQueriesContext(connection) as queries:
        state = snapshot.take()
    assert len(queries) == 10
    assert set(state["occupations"]) == set(Occupation.objects.values_list("code", flat=True))


def test_snapshot_text_is_compared_as_it_reads():
    assert (
        snapshot.clean("  Data&nbsp;<b>analyst</b>\n &amp; scientist ")
        == "Data analyst & scientist"
    )


@pytest.fixture
def superuser_client(client):
    user = User.objects.create_superuser("boss", "boss@example.org", "pw-for-tests-only")
    client.force_login(user)
    return client


def test_a_staff_edit_in_the_admin_is_a_release_with_its_difference(
    first_release, superuser_client
):
    occupation = Occupation.objects.get(code="OCC0118")
    url = reverse("admin:occupations_occupation_change", args=[occupation.pk])
    data = form_data(superuser_client.get(url))
    assert Release.objects.count() == 1  # showing the form is no release

    # A form refused for its errors changes nothing: no release.
    response = superuser_client.post(url, data | {"level": "7"})
    assert response.status_code == 200
    assert Release.objects.count() == 1

    response = superuser_client.post(url, data | {"status": "3"})
    assert response.status_code == 302
    release = Release.objects.get(number=2)
    assert (release.kind, release.import_record, release.source_label) == (
        "admin",
        None,
        "Staff edit",
    )
    assert rows(release) == {row("OCC0118", Kind.STATUS, old=1, new=3)}

    # Saving the form again unchanged is no release.
    superuser_client.post(url, form_data(superuser_client.get(url)))
    assert Release.objects.count() == 2


def test_a_staff_edit_waits_for_an_import_that_is_writing(
    first_release, superuser_client, monkeypatch
):
    """An import holds the lock when the edit is sent: the edit waits, and once the import has
    finished it is saved as a release of its own, with just its own difference."""
    occupation = Occupation.objects.get(code="OCC0118")
    url = reverse("admin:occupations_occupation_change", args=[occupation.pk])
    data = form_data(superuser_client.get(url))
    with lock_held_until_waited_for(monkeypatch) as pauses:  # the import finishes meanwhile
        response = superuser_client.post(url, data | {"status": "3"})
    assert pauses == [importing.LOCK_POLL_SECONDS]  # it found the lock held, and waited once
    assert response.status_code == 302
    assert Release.objects.count() == 2
    assert rows(Release.objects.get(number=2)) == {row("OCC0118", Kind.STATUS, old=1, new=3)}


def test_a_staff_edit_is_not_saved_while_an_import_goes_on_writing(
    first_release, superuser_client, monkeypatch
):
    """The import is still writing when the edit has waited long enough: nothing is saved, no
    release is made, and the page says so; sent again later, the edit is saved."""
    monkeypatch.setattr(admin_tools, "EDIT_WAIT_SECONDS", 0.3)
    occupation = Occupation.objects.get(code="OCC0118")
    url = reverse("admin:occupations_occupation_change", args=[occupation.pk])
    data = form_data(superuser_client.get(url))
    before = snapshot.take()
    with lock_held_elsewhere():
        response = superuser_client.post(url, data | {"status": "3"})
    assert response.status_code == 503
    assert response["Retry-After"] == str(settings.RETRY_AFTER_SECONDS)
    assert "has <strong>not been saved</strong>" in response.content.decode()
    assert snapshot.take() == before
    assert Occupation.objects.get(code="OCC0118").status == 1
    assert Release.objects.count() == 1

    assert superuser_client.post(url, data | {"status": "3"}).status_code == 302
    assert rows(Release.objects.get(number=2)) == {row("OCC0118", Kind.STATUS, old=1, new=3)}


def test_a_staff_edit_of_white_space_only_is_no_release(first_release, superuser_client):
    occupation = Occupation.objects.get(code="OCC0118")
    url = reverse("admin:occupations_occupation_change", args=[occupation.pk])
    spaced = occupation.title.replace(" ", "  ")
    response = superuser_client.post(url, form_data(superuser_client.get(url)) | {"title": spaced})
    assert response.status_code == 302
    occupation.refresh_from_db()
    assert occupation.title == spaced  # saved as typed
    assert Release.objects.count() == 1


def test_a_staff_delete_in_the_admin_is_a_release(first_release, superuser_client):
    occupation = Occupation.objects.get(code="OCC0470")
    document = raw("OCC0470")
    url = reverse("admin:occupations_occupation_delete", args=[occupation.pk])
    assert superuser_client.post(url, {"post": "yes"}).status_code == 302
    release = Release.objects.get(number=2)
    removed = row("OCC0470", Kind.REMOVED, old=headline(document))
    # Its links went with it: they are part of the removal, not differences of their own.
    assert rows(release) == {removed}


@pytest.fixture
def three_releases(tmp_path):
    """1: Digital without OCC0116; 2: OCC0116 added, OCC0118's status 1 → 2; 3: OCC0116 removed
    again, OCC0118's status 2 → 3."""
    without = copy_digital(tmp_path, "without")
    (without / "OCC0116.json").unlink()
    import_maps(MAPS / "index.json", without)
    second = copy_digital(tmp_path, "second")
    edit(second, "OCC0118", lambda d: d.update(status=2))
    import_maps(MAPS / "index.json", second)
    edit(without, "OCC0118", lambda d: d.update(status=3))
    import_maps(MAPS / "index.json", without, prune=True)
    assert list(Release.objects.order_by("number").values_list("number", flat=True)) == [1, 2, 3]


def combined_rows(first: int, last: int, **filters) -> set[tuple]:
    return {
        (
            c.occupation_code,
            c.kind,
            c.subject,
            json.dumps(c.old, sort_keys=True),
            json.dumps(c.new, sort_keys=True),
        )
        for c in selectors.combined_changes(first, last, **filters)
    }


def test_comparing_releases_gives_the_net_difference(three_releases):
    added = row("OCC0116", Kind.ADDED, new=headline(raw("OCC0116")))
    assert rows(Release.objects.get(number=2)) == {added, row("OCC0118", Kind.STATUS, old=1, new=2)}
    # Added then removed inside the range: not shown; a status changed twice: first → last.
    assert combined_rows(1, 3) == {row("OCC0118", Kind.STATUS, old=1, new=3)}
    assert combined_rows(2, 3) == {
        row("OCC0116", Kind.REMOVED, old=headline(raw("OCC0116"))),
        row("OCC0118", Kind.STATUS, old=2, new=3),
    }
    # One release compared alone is that release.
    assert combined_rows(1, 2) == rows(Release.objects.get(number=2))
    assert combined_rows(1, 3, kind=Kind.REMOVED) == set()
    assert combined_rows(2, 3, kind=Kind.REMOVED) == {
        row("OCC0116", Kind.REMOVED, old=headline(raw("OCC0116")))
    }
    assert combined_rows(2, 3, route="agriculture-environmental-and-animal-care") == set()


def test_a_soc_mapping_import_is_a_release(first_release, tmp_path):
    path = tmp_path / "mapping.csv"
    call_command("export_soc_mapping", scheme="soc2010", output=str(path), stdout=io.StringIO())
    with path.open(newline="") as stream:
        table = list(csv.DictReader(stream))
    line = next(line for line in table if line["occupation_code"] == "OCC0118")
    old = line["soc2010_code"]
    assert old and old != "2136"
    line["soc2010_code"] = "2136"
    with path.open("w", newline="") as stream:
        writer = csv.DictWriter(stream, fieldnames=list(table[0]))
        writer.writeheader()
        writer.writerows(table)
    call_command(
        "import_soc_mapping",
        str(path),
        scheme="soc2010",
        stdout=io.StringIO(),
        stderr=io.StringIO(),
    )
    release = Release.objects.get(number=2)
    assert (release.kind, release.source_label) == ("soc2010 mapping", "SOC 2010 mapping import")
    assert rows(release) == {row("OCC0118", Kind.SOC2010, "2136", old=old, new="2136")}


def test_record_states_are_kept_only_for_what_changed(first_release, tmp_path):
    folder = copy_digital(tmp_path)
    edit(folder, "OCC0118", lambda d: d.update(status=2))
    import_maps(*sources(folder))
    states = RecordState.objects.filter(release__number=2)
    assert list(states.values_list("scope", "key")) == [("occupation", "OCC0118")]
    state = states.get()
    assert (state.before["status"], state.after["status"]) == (1, 2)
    assert Change.objects.filter(release__number=2).count() == 1
