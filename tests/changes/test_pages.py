"""The release pages, feeds, CSV and API on the real data: the bundled import (release 1) and
an import of a copy of the Digital route with three edits (release 2)."""

import csv
import io
import json
import shutil
import tempfile
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.urls import reverse

from changes.models import Kind, Release
from core.spreadsheet import formula_unsafe
from occupations.models import Occupation
from routes.models import Route
from tests.admin_forms import form_data
from tests.bundled import MAPS, load_bundled, module_state

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"
#: A title a spreadsheet would run as a formula.
FORMULA_TITLE = '=HYPERLINK("http://example.org","Business analyst")'


def raw(code: str) -> dict:
    return json.loads((MAPS / "digital" / f"{code}.json").read_text())


def second_release(folder) -> None:
    """The bundled data, then release 2: the Digital route imported again with three edits
    (Data analyst's status, a title a spreadsheet would run, one more progression link)."""
    load_bundled()
    shutil.copytree(MAPS / "digital", folder)

    def edit(code, change):
        path = folder / f"{code}.json"
        document = json.loads(path.read_text())
        change(document)
        path.write_text(json.dumps(document))

    edit("OCC0118", lambda d: d.update(status=2))
    edit("OCC0117", lambda d: d.update(name=FORMULA_TITLE))
    other = raw("OCC0129")
    link = {key: other[key] for key in ("object", "stdCode", "name", "status", "level")}
    edit("OCC0118", lambda d: d["progression"].append(link))
    call_command(
        "import_maps",
        str(MAPS / "index.json"),
        str(folder),
        str(MAPS / "samples"),
        stdout=io.StringIO(),
        stderr=io.StringIO(),
    )


def two_releases() -> Release:
    with tempfile.TemporaryDirectory() as folder:
        second_release(Path(folder) / "digital")
    assert list(Release.objects.values_list("number", flat=True)) == [2, 1]
    return Release.objects.get(number=2)


#: Release 2, made once for the module (each test is rolled back to it).
releases = module_state(two_releases)


def page(client, url, status=200):
    response = client.get(url)
    assert response.status_code == status, (url, response.status_code)
    return response


def test_the_list_shows_the_releases_newest_first_with_their_counts(client, releases):
    response = page(client, "/changes/")
    assert [r.number for r in response.context["releases"]] == [2, 1]
    html = response.content.decode()
    assert '<a href="/changes/2/">Release 2</a>' in html
    assert "<caption" in html and '<th scope="col" class="numeric">Added</th>' in html
    first = Release.objects.get(number=1)
    assert first.added == Occupation.objects.count()
    assert f'<td class="numeric">{first.added}</td>' in html
    # Linked from every page's header and footer, and from the home page.
    assert html.count('href="/changes/"') >= 2
    assert "What changed in each release" in page(client, "/").content.decode()


def test_the_list_filters_releases_by_route_and_kind(client, releases):
    by_kind = page(client, "/changes/?kind=status").context["releases"]
    assert [r.number for r in by_kind] == [2]
    by_route = page(client, "/changes/?route=digital").context["releases"]
    assert [r.number for r in by_route] == [2, 1]
    agriculture = Occupation.objects.exclude(cluster__pathway__route__slug="digital").first()
    slug = agriculture.cluster.pathway.route.slug
    assert [r.number for r in page(client, f"/changes/?route={slug}").context["releases"]] == [1]


def test_a_release_is_grouped_by_route_and_kind_with_links(client, releases):
    response = page(client, "/changes/2/")
    groups = response.context["groups"]
    assert [(g["route"], [k["kind"] for k in g["kinds"]]) for g in groups] == [
        ("Digital", [Kind.RENAMED, Kind.STATUS, Kind.PROGRESSION_ADDED])
    ]
    html = response.content.decode()
    assert '<a href="/occupations/OCC0118/">Data analyst</a>' in html
    other = Occupation.objects.get(code="OCC0129")
    assert f'with <a href="/occupations/OCC0129/">{other.title}</a> (OCC0129)' in html
    assert "Status changed from Approved occupation to Occupational standard in development" in html
    assert '<a href="/changes/?from=1&amp;to=2">Compare with release 1</a>' in html


@pytest.mark.parametrize(
    ("query", "codes"),
    [
        ("kind=status", ["OCC0118"]),
        ("route=digital", ["OCC0117", "OCC0118", "OCC0118"]),
        ("route=digital&kind=renamed", ["OCC0117"]),
        ("route=construction-and-the-built-environment", []),
    ],
)
def test_a_release_page_filters(client, releases, query, codes):
    response = page(client, f"/changes/2/?{query}")
    shown = [
        c.occupation_code
        for g in response.context["groups"]
        for k in g["kinds"]
        for c in k["changes"]
    ]
    assert shown == codes
    assert response.context["shown"] == len(codes)


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("/changes/2/?kind=everything", "everything is not a kind of change"),
        ("/changes/2/?route=atlantis", "There is no route atlantis"),
        ("/changes/?route=atlantis", "There is no route atlantis"),
        ("/changes/?from=1", "give both from and to"),
        ("/changes/?from=2&to=1", "The to release must come after the from release."),
        ("/changes/?from=1&to=9", "There is no release 9: the latest is 2."),
        ("/changes/?from=one&to=2", "Enter a release number, such as 3."),
        ("/changes/?from=-1&to=2", "greater than or equal to 0"),
        ("/changes/?page=two", "A page is a whole number"),
        ("/changes/?page=9", "There is no page 9."),
        ("/changes/2/changes.csv?kind=nothing", "nothing is not a kind of change"),
    ],
)
def test_bad_parameters_are_a_400_saying_what_to_change(client, releases, url, message):
    response = page(client, url, status=400)
    assert message in response.content.decode()
    assert 'class="error-summary"' in response.content.decode()


def test_an_unknown_release_is_a_404(client, releases):
    page(client, "/changes/3/", status=404)
    page(client, "/changes/3/changes.csv", status=404)


def test_comparing_two_releases_on_the_page(client, releases):
    response = page(client, "/changes/?from=1&to=2")
    comparison = response.context["comparison"]
    assert comparison["count"] == releases.total == 3
    filtered = page(client, "/changes/?from=1&to=2&kind=status").context["comparison"]
    assert filtered["count"] == 1
    assert "Changes from release 1 to release 2" in response.content.decode()
    everything = page(client, "/changes/?from=0&to=2").context["comparison"]
    assert everything["count"] == Release.objects.get(number=1).total  # the edits are net


def test_the_occupation_page_lists_its_history(client, releases):
    html = page(client, "/occupations/OCC0118/").content.decode()
    history = html[html.index('id="history"') :]
    assert '<a href="/changes/2/">Release 2</a>' in history
    assert (
        "Status changed from Approved occupation to Occupational standard in development" in history
    )
    assert "Progression link added with OCC0129" in history
    assert '<a href="/changes/1/">Release 1</a>' in history
    # The link's other end shows it too.
    other = page(client, "/occupations/OCC0129/").content.decode()
    assert 'Progression link added with <a href="/occupations/OCC0118/">Data analyst</a>' in other


def test_the_route_map_says_when_it_last_changed(client, releases):
    html = page(client, "/routes/digital/").content.decode()
    assert 'Last changed in <a href="/changes/2/?route=digital">release 2</a>' in html
    assert 'href="/changes/feed/digital/"' in html
    # A route whose map is not loaded changed last when it was added, in release 1.
    untouched = Route.objects.filter(pathways__isnull=True).first()
    html = page(client, untouched.get_absolute_url()).content.decode()
    assert f'Last changed in <a href="/changes/1/?route={untouched.slug}">release 1</a>' in html


def atom(client, url) -> ET.Element:
    response = page(client, url)
    assert response["Content-Type"].startswith("application/atom+xml")
    root = ET.fromstring(response.content)  # noqa: S314 - the site's own feed
    assert root.tag == f"{ATOM}feed"
    return root


def test_the_feed_of_all_changes_is_atom(client, releases):
    root = atom(client, "/changes/feed/")
    assert root.find(f"{ATOM}title").text == "Occupational maps: what changed"
    assert root.find(f"{ATOM}author/{ATOM}name").text == "Occupational maps"
    entries = root.findall(f"{ATOM}entry")
    assert [e.find(f"{ATOM}title").text for e in entries] == [
        "Release 2: 3 changes",
        f"Release 1: {Release.objects.get(number=1).total} changes",
    ]
    assert [e.find(f"{ATOM}link").get("href") for e in entries] == [
        "http://testserver/changes/2/",
        "http://testserver/changes/1/",
    ]
    assert len({e.find(f"{ATOM}id").text for e in entries}) == 2
    assert all(e.find(f"{ATOM}updated").text for e in entries)
    assert "Status changed from Approved occupation" in entries[0].find(f"{ATOM}summary").text
    self_link = [
        link.get("href") for link in root.findall(f"{ATOM}link") if link.get("rel") == "self"
    ]
    assert self_link == ["http://testserver/changes/feed/"]


def test_a_route_feed_has_that_routes_releases(client, releases):
    entries = atom(client, "/changes/feed/digital/").findall(f"{ATOM}entry")
    assert [e.find(f"{ATOM}link").get("href") for e in entries] == [
        "http://testserver/changes/2/?route=digital",
        "http://testserver/changes/1/?route=digital",
    ]
    digital = Occupation.objects.in_route(Route.objects.get(slug="digital")).count()
    assert entries[1].find(f"{ATOM}title").text == f"Release 1: {digital + 1} changes"
    page(client, "/changes/feed/atlantis/", status=404)


def test_the_csv_is_formula_safe_and_complete(client, releases):
    response = page(client, "/changes/2/changes.csv")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    table = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert [(r["occupation_code"], r["kind"]) for r in table] == [
        ("OCC0117", "renamed"),
        ("OCC0118", "status"),
        ("OCC0118", "progression_added"),
    ]
    renamed = table[0]
    assert renamed["new"].startswith("'=") and renamed["occupation_title"].startswith("'=")
    assert formula_unsafe(renamed["new"]) == FORMULA_TITLE
    assert renamed["old"] == raw("OCC0117")["name"]
    assert not any(
        cell.startswith(("=", "+", "-", "@")) for line in table for cell in line.values()
    )
    only = list(
        csv.DictReader(
            io.StringIO(page(client, "/changes/2/changes.csv?kind=status").content.decode())
        )
    )
    assert [r["kind"] for r in only] == ["status"]


def test_the_api_lists_releases_and_their_differences(client, releases):
    listing = page(client, "/api/v1/releases").json()
    assert listing["count"] == 2
    assert [r["number"] for r in listing["results"]] == [2, 1]
    latest = listing["results"][0]
    assert latest["url"] == "http://testserver/changes/2/"
    assert latest["api_url"] == "http://testserver/api/v1/releases/2"
    assert latest["csv_url"] == "http://testserver/changes/2/changes.csv"
    assert {c["kind"]: c["count"] for c in latest["counts"]} == releases.counts
    detail = page(client, "/api/v1/releases/2").json()
    assert [(c["occupation_code"], c["kind"], c["old"], c["new"]) for c in detail["changes"]] == [
        ("OCC0117", "renamed", raw("OCC0117")["name"], FORMULA_TITLE),
        ("OCC0118", "status", 1, 2),
        ("OCC0118", "progression_added", None, None),
    ]
    assert detail["changes"][2]["subject"] == "OCC0129"
    assert detail["changes"][1]["occupation_url"] == "http://testserver/occupations/OCC0118/"
    assert [
        c["kind"] for c in page(client, "/api/v1/releases/2?kind=status").json()["changes"]
    ] == ["status"]
    bad = page(client, "/api/v1/releases/2?route=atlantis", status=400).json()
    assert bad["errors"] == {"route": ["There is no route 'atlantis'."]}
    assert "kind" in page(client, "/api/v1/releases/2?kind=all", status=400).json()["errors"]
    assert (
        page(client, "/api/v1/releases/9", status=404).json()["message"] == "There is no release 9."
    )
    assert page(client, "/api/v1/releases?page=3", status=404).json()["status"] == 404
    assert "page" in page(client, "/api/v1/releases?page=first", status=400).json()["errors"]


def test_the_api_schema_describes_the_releases(client, releases):
    schema = page(client, "/api/v1/openapi.json").json()
    assert {"/api/v1/releases", "/api/v1/releases/{number}"} <= set(schema["paths"])
    listing = schema["paths"]["/api/v1/releases"]["get"]["responses"]
    assert set(listing) == {"200", "400", "404"}
    parameters = {
        p["name"]: p for p in schema["paths"]["/api/v1/releases/{number}"]["get"]["parameters"]
    }
    assert set(parameters) == {"number", "route", "kind"}
    components = schema["components"]["schemas"]
    assert set(components["Kind"]["enum"]) == set(Kind.values)
    assert {"number", "released_at", "counts", "changes"} <= set(
        components["ReleaseDetail"]["properties"]
    )


def test_a_staff_edit_shows_at_once_on_the_cached_pages(client, releases):
    page(client, "/changes/")  # cached for this data version
    user = User.objects.create_superuser("boss", "boss@example.org", "pw-for-tests-only")
    staff = type(client)()
    staff.force_login(user)
    occupation = Occupation.objects.get(code="OCC0470")
    url = reverse("admin:occupations_occupation_change", args=[occupation.pk])
    assert staff.post(url, form_data(staff.get(url)) | {"level": "7"}).status_code == 302
    assert [r.number for r in page(client, "/changes/").context["releases"]] == [3, 2, 1]
    html = page(client, "/changes/3/").content.decode()
    assert f"Level changed from {raw('OCC0470')['level']} to 7" in html
    assert "Staff edit" in html
