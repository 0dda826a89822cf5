"""import_maps on the real Digital route and samples, and every way it refuses bad input."""

import json
import shutil
import threading
from collections import Counter
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Count

from core.models import ImportRecord
from occupations.models import (
    GreenTheme,
    Occupation,
    OccupationProduct,
    Product,
    Progression,
    TypicalJobTitle,
)
from routes.models import Cluster, ClusterGroup, Pathway, Route
from socmapping.models import SocGroup, SocMapping, SubUnitGroupMapping
from tests.bundled import import_digital
from tests.snapshot import data_snapshot

pytestmark = pytest.mark.django_db


def run(*args, **options):
    out, err = StringIO(), StringIO()
    call_command("import_maps", *map(str, args), stdout=out, stderr=err, **options)
    return out.getvalue() + err.getvalue()


def rejected(*args, **options) -> str:
    err = StringIO()
    with pytest.raises(CommandError) as caught:
        call_command("import_maps", *map(str, args), stdout=StringIO(), stderr=err, **options)
    return err.getvalue() + str(caught.value)


@pytest.fixture
def maps(bundled_data) -> Path:
    return bundled_data / "occupational-maps"


@pytest.fixture
def digital(db, maps):
    """The routes index and the Digital route, imported (for real once a process, then copied)."""
    import_digital()
    return maps / "digital"


def raw_occupations(folder: Path) -> dict[str, dict]:
    documents = (json.loads(p.read_text()) for p in sorted(folder.glob("*.json")))
    return {d["stdCode"]: d for d in documents}


def test_digital_route_counts(digital):
    assert Route.objects.count() == 15
    digital_route = Route.objects.get(api_id=7)
    assert (digital_route.name, digital_route.slug, digital_route.sequence) == (
        "Digital",
        "digital",
        6,
    )
    assert list(digital_route.pathways.values_list("name", flat=True)) == [
        "Digital Support and Services",  # pathwaySequence 0
        "Digital Production, Design and Development",  # 1
        "Digital Business Services",  # 2
    ]
    assert ClusterGroup.objects.count() == 6
    assert Cluster.objects.count() == 14
    assert Occupation.objects.in_route(digital_route).count() == 64

    statuses = Counter(Occupation.objects.values_list("status", flat=True))
    assert statuses == {Occupation.Status.APPROVED: 56, Occupation.Status.POTENTIAL: 8}
    levels = Counter(Occupation.objects.values_list("level", flat=True))
    assert levels == {2: 1, 3: 13, 4: 20, 5: 2, 6: 12, 7: 16}

    by_type = Counter(OccupationProduct.objects.values_list("product__type", flat=True))
    assert by_type == {
        Product.Type.HTQ: 125,
        Product.Type.APPRENTICESHIP: 56,
        Product.Type.FOUNDATION_APPRENTICESHIP: 19,
        Product.Type.TQ: 10,
        Product.Type.T_LEVEL: 9,
        Product.Type.APPRENTICESHIP_UNIT: 5,
    }
    assert SocMapping.objects.exclude(soc2010=None).count() == 56
    assert SocMapping.objects.exclude(soc2020=None).count() == 56
    assert GreenTheme.objects.count() == 8


def test_digital_route_matches_the_files_record_by_record(digital):
    """Counts worked out from the raw files, independently of the importer."""
    raw = raw_occupations(digital)
    products = {p["productCode"] for o in raw.values() for p in o.get("products", [])}
    assert Product.objects.count() == len(products)
    sub_unit_links = sum(len(o["soc"].get("soc2020SubUnitGroups", [])) for o in raw.values())
    assert SubUnitGroupMapping.objects.count() == sub_unit_links
    assert SubUnitGroupMapping.objects.filter(is_primary=True).count() == sum(
        1 for o in raw.values() if o["soc"].get("soc2020SubUnitGroups")
    )
    soc2010 = {o["soc"]["soc2010Code"] for o in raw.values()} - {0}
    soc2020 = {o["soc"]["soc2020Code"] for o in raw.values()} - {0}
    assert SocGroup.objects.soc2010().count() == len(soc2010)
    units_of_sub_groups = {
        g["code"][:4] for o in raw.values() for g in o["soc"].get("soc2020SubUnitGroups", [])
    }
    assert SocGroup.objects.soc2020().count() == len(
        {str(c) for c in soc2020} | units_of_sub_groups
    )
    pairs = {
        frozenset((code, n["stdCode"]))
        for code, o in raw.items()
        for n in o["progression"]
        if n["stdCode"] in raw
    }
    assert Progression.objects.count() == len(pairs) == 197
    job_titles = sum(
        len({t["name"].strip() for t in o.get("typicalJobTitles", [])}) for o in raw.values()
    )
    assert TypicalJobTitle.objects.count() == job_titles


def test_one_occupation_in_detail(digital):
    analyst = Occupation.objects.with_map_place().get(code="OCC0118")
    assert analyst.title == "Data analyst"
    assert (analyst.level, analyst.status, analyst.version) == (4, 1, "1.1")
    assert str(analyst.status_date) == "2016-03-23"
    assert analyst.standard_reference == "ST0118"
    assert analyst.cluster.name == "Data analyst advanced technician"
    assert analyst.cluster.band == 2
    assert analyst.cluster.pathway.name == "Digital Business Services"
    assert analyst.keywords == ["analyst", "business", "data", "digital", "Maths", "statistics"]
    assert list(analyst.job_titles.filter(is_green=True).values_list("name", flat=True)) == [
        "Energy Data Analyst"
    ]
    assert analyst.soc.soc2010.code == "3539"
    assert analyst.soc.soc2020.code == "3544"
    assert analyst.soc.soc2020.title == "Data analysts"
    mappings = analyst.sub_unit_group_mappings.order_by("-is_primary").values_list(
        "sub_unit_group__code", "is_primary", "sub_unit_group__title"
    )
    assert list(mappings) == [
        ("3544/00", True, "Data analysts"),
        ("2433/04", False, "Statistical data scientists"),
    ]
    # The summary keeps its paragraphs; the no-break space entity is gone.
    assert analyst.summary.startswith("<p>This occupation is found in any employer")
    assert "&nbsp;" not in analyst.summary
    assert list(analyst.green_themes.values_list("theme_id", flat=True)) == [4]
    # A product shared by several occupations keeps each occupation's own name for it.
    names = OccupationProduct.objects.filter(product__code="ST0119").values_list("name", flat=True)
    assert len(set(names)) == 6


def test_progression_is_stored_once_per_pair_from_lower_level_to_higher(digital):
    analyst = Occupation.objects.get(code="OCC0118")  # level 4
    scientist = Occupation.objects.get(code="OCC0585")  # level 6
    link = Progression.objects.get(from_occupation=analyst, to_occupation=scientist)
    assert link.directed is False
    assert not Progression.objects.filter(from_occupation=scientist, to_occupation=analyst).exists()
    assert (
        not Progression.objects.annotate(n=Count("pk"))
        .filter(from_occupation__level__gt=models_level_of("to_occupation"))
        .exists()
    )


def models_level_of(field):
    from django.db.models import F

    return F(f"{field}__level")


def test_links_outside_the_import_are_reported_not_invented(maps):
    output = run(maps / "digital", verbosity=2)
    assert "OCC0649 is not in the import or the database; kept as a link" in output
    assert not Occupation.objects.filter(code="OCC0649").exists()
    record = ImportRecord.objects.get()
    assert any("OCC0649" in note for note in record.problems)
    assert run(maps / "digital").count("note(s)") == 1


def test_unlinked_progression_is_a_coded_note_in_the_record_and_the_report(maps, tmp_path):
    report = tmp_path / "report.json"
    run(maps / "digital", report=str(report))
    details = ImportRecord.objects.get().problem_details
    unlinked = [d for d in details if d["code"] == "progression.unlinked"]
    assert any(d["value"]["missing"] == "OCC0649" for d in unlinked)
    outcome = json.loads(report.read_text())
    assert outcome["main"] == "occupations" and outcome["changed"] is True
    assert outcome["counts"]["occupations"]["created"] == outcome["totals"]["created"] > 0
    assert outcome["seconds"] >= 0
    assert [n for n in outcome["notes"] if n["code"] == "progression.unlinked"] == unlinked


def test_the_import_records_the_datas_own_date(maps, tmp_path):
    """The harvest index gives the date the data is as at; without ``harvestedAt`` the API's
    "Last Updated" (day first) stands in; occupation files alone carry no date."""
    run(maps / "digital")
    assert ImportRecord.objects.latest_of("maps").data_date is None
    run(maps / "index.json", maps / "digital")
    assert ImportRecord.objects.latest_of("maps").data_date == date(2026, 7, 6)
    # A later import of occupation files alone keeps the harvest's date for the site.
    run(maps / "samples")
    latest = ImportRecord.objects.latest_of("maps")
    assert (latest.data_date, latest.data_as_at) == (None, date(2026, 7, 6))

    index = json.loads((maps / "index.json").read_text(encoding="utf-8"))
    del index["harvestedAt"]  # the one change: the API's version string is all that is left
    assert index["version"].endswith("Last Updated: 09/04/2026 14:43:04")
    (tmp_path / "index.json").write_text(json.dumps(index), encoding="utf-8")
    run(tmp_path / "index.json")
    assert ImportRecord.objects.latest_of("maps").data_date == date(2026, 4, 9)


def test_samples_show_the_other_statuses_and_quirks(maps):
    run(maps / "samples")
    without = Occupation.objects.get(code="OCC0016")
    assert without.status == Occupation.Status.WITHOUT_APPRENTICESHIP
    assert "R J & A E Godfrey" in without.involved_employers
    assert without.soc.soc2020 is None and without.soc.soc2010 is not None
    assert without.products.get().status_name == "Retired"
    in_development = Occupation.objects.get(code="OCC0702")
    assert in_development.status == Occupation.Status.IN_DEVELOPMENT
    assert in_development.status_date is None  # 0001-01-01 in the source
    potential = Occupation.objects.get(code="OCC1046")
    assert (potential.status, potential.summary, potential.keywords) == (3, "", [])
    assert Route.objects.get(api_id=6).slug == "creative-design"


def test_second_import_changes_nothing_and_says_so(maps, digital):
    before = data_snapshot()
    output = run(maps / "index.json", maps / "digital")
    assert output.strip().splitlines()[-1].startswith("No changes: 64 occupations unchanged")
    after = data_snapshot()
    # updated_at is only touched by a save; nothing was saved.
    assert before == after
    assert ImportRecord.objects.filter(outcome="succeeded").count() == 2


def test_dry_run_writes_nothing(maps):
    output = run(maps / "digital", dry_run=True)
    assert "Dry run, nothing written. Occupations: 64 to create" in output
    assert Occupation.objects.count() == 0
    assert ImportRecord.objects.count() == 0


def test_a_changed_file_updates_just_that_occupation(maps, digital, tmp_path):
    folder = tmp_path / "digital"
    shutil.copytree(digital, folder)
    path = folder / "OCC0118.json"
    document = json.loads(path.read_text())
    document["name"] = "Data  analyst  "
    document["overview"] = "Turns data into insight."
    document["typicalJobTitles"].append({"name": "Insight analyst", "isGreen": False})
    path.write_text(json.dumps(document))
    output = run(folder)
    assert "Occupations: 0 created, 1 updated, 63 unchanged, 0 removed" in output
    analyst = Occupation.objects.get(code="OCC0118")
    assert analyst.title == "Data analyst"  # spaces folded: nothing changed there
    assert analyst.overview == "Turns data into insight."
    assert analyst.job_titles.filter(name="Insight analyst").exists()


def test_a_changed_job_title_alone_counts_as_an_update(maps, digital, tmp_path):
    folder = tmp_path / "digital"
    shutil.copytree(digital, folder)
    path = folder / "OCC0585.json"
    document = json.loads(path.read_text())
    assert len(document["typicalJobTitles"]) > 1
    document["typicalJobTitles"] = document["typicalJobTitles"][:1]
    path.write_text(json.dumps(document))
    output = run(folder)
    assert "Occupations: 0 created, 1 updated, 63 unchanged, 0 removed" in output
    assert Occupation.objects.get(code="OCC0585").job_titles.count() == 1


def test_prune_removes_what_a_full_import_lacks_and_lists_it(maps, digital):
    output = run(maps / "samples", prune=True, verbosity=2)
    assert set(Occupation.objects.values_list("code", flat=True)) == {
        "OCC0016",
        "OCC0702",
        "OCC1046",
    }
    assert "Removed occupations: OCC0116, OCC0117, OCC0118" in output
    assert not Pathway.objects.filter(route__api_id=7).exists()


def test_without_prune_a_partial_import_leaves_the_rest(maps, digital):
    run(maps / "samples")
    assert Occupation.objects.count() == 67


def test_the_summary_is_sanitised(tmp_path, maps):
    document = json.loads((maps / "digital" / "OCC0118.json").read_text())
    document["summary"] = (
        '<p onclick="x()">Safe <b>bold</b></p><script>alert(1)</script>'
        '<p><a href="javascript:x">link</a> <img src=x onerror=y></p><p>&nbsp;</p>'
    )
    (tmp_path / "one.json").write_text(json.dumps(document))
    run(tmp_path)
    summary = Occupation.objects.get(code="OCC0118").summary
    assert summary == "<p>Safe <b>bold</b></p><p>link </p>"


# Rejections: each names the place and changes nothing. ------------------------------------------


def broken(tmp_path: Path, maps: Path, change) -> Path:
    folder = tmp_path / "broken"
    shutil.copytree(maps / "digital", folder)
    path = folder / "OCC0118.json"
    document = json.loads(path.read_text())
    change(document)
    path.write_text(json.dumps(document, indent=1))
    return folder


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d.update(level=9), "record OCC0118: level: 9: must be between 2 and 7"),
        (lambda d: d.update(level=6), "level: 6: outside its cluster's band Higher Technical"),
        (lambda d: d.update(status=7), "record OCC0118: status: 7: not a known status (1 to 4)"),
        (lambda d: d.update(stdCode=""), "record (no code): stdCode: missing or empty"),
        (lambda d: d.update(stdCode="XYZ1"), "stdCode: 'XYZ1': not an occupation code"),
        (lambda d: d.update(name="  "), "record OCC0118: name: missing or empty"),
        (lambda d: d.pop("mapHierarchy"), "record OCC0118: mapHierarchy: missing"),
        (
            lambda d: d["soc"]["soc2020SubUnitGroups"][0].update(code="35440"),
            "soc.soc2020SubUnitGroups[0].code: '35440': not a sub-unit group code",
        ),
        (
            lambda d: d["soc"]["soc2020SubUnitGroups"][1].update(isPrimary=True),
            "soc.soc2020SubUnitGroups: 2 marked primary: exactly one must be",
        ),
        (lambda d: d["soc"].update(soc2010Code=123), "soc.soc2010Code: 123: not a four-digit"),
        (lambda d: d.update(statusLastUpdated="23/03/2016"), "statusLastUpdated: '23/03/2016'"),
        (lambda d: d["products"][0].update(type=9), "products[0].type: 9: not a known product"),
        (
            lambda d: d["mapHierarchy"].update(clusterName="Another name"),
            "cluster 189: name is 'Data analyst advanced technician' here but 'Another name' in",
        ),
    ],
)
def test_bad_records_are_refused_with_their_place_and_nothing_changes(
    tmp_path, maps, digital, change, message
):
    folder = broken(tmp_path, maps, change)
    before = data_snapshot()
    error = rejected(folder)
    assert message in error
    assert "OCC0118.json" in error
    assert "Nothing was changed" in error
    assert data_snapshot() == before
    failure = ImportRecord.objects.get(outcome="failed")
    assert any(message in problem for problem in failure.problems)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            lambda d: d.update(name=["Data", "analyst"]),
            "record OCC0118: name: ['Data', 'analyst']: expected text, not list",
        ),
        (
            lambda d: d.update(stdCode=118),
            "record (no code): stdCode: 118: expected text, not int",
        ),
        (
            lambda d: d["typicalJobTitles"][0].update(isGreen="false"),
            "typicalJobTitles[0].isGreen: 'false': expected true or false",
        ),
        (
            lambda d: d["typicalJobTitles"][0].update(name=7),
            "typicalJobTitles[0].name: 7: expected text, not int",
        ),
        (
            lambda d: d["soc"]["soc2020SubUnitGroups"][0].update(isPrimary=1),
            "soc.soc2020SubUnitGroups[0].isPrimary: 1: expected true or false",
        ),
        (lambda d: d.update(level="4"), "record OCC0118: level: '4': not a whole number"),
        (
            lambda d: d.update(typicalJobTitles=7),
            "record OCC0118: typicalJobTitles: expected a list, not int",
        ),
        (lambda d: d.update(soc=[]), "record OCC0118: soc: expected an object"),
        (
            lambda d: d["mapHierarchy"].update(clusterId=2**63),
            "mapHierarchy.clusterId: 9223372036854775808: must be between 0 and 2147483647",
        ),
        (lambda d: d["mapHierarchy"].pop("routeId"), "mapHierarchy.routeId: missing"),
        (
            lambda d: d.update(overview={"text": "Collecting data"}),
            "record OCC0118: overview: {'text': 'Collecting data'}: expected text, not dict",
        ),
        (lambda d: d.update(versionNo=1.1), "record OCC0118: versionNo: 1.1: expected text, not"),
        (
            lambda d: d.update(summary=["<p>Data</p>"]),
            "record OCC0118: summary: ['<p>Data</p>']: expected text, not list",
        ),
        (lambda d: d.update(keywords=["data", 7]), "record OCC0118: keywords[1]: 7: expected text"),
        (
            lambda d: d["mapHierarchy"].update(clusterName=189),
            "mapHierarchy.clusterName: 189: expected text, not int",
        ),
        (
            lambda d: d["products"][0].update(careerStarter="true"),
            "products[0].careerStarter: 'true': expected true or false",
        ),
        (lambda d: d.update(status=1.0), "record OCC0118: status: 1.0: not a whole number"),
    ],
)
def test_wrong_types_are_refused_not_turned_into_text_or_truth(
    tmp_path, maps, digital, change, message
):
    folder = broken(tmp_path, maps, change)
    before = data_snapshot()
    error = rejected(folder)
    assert message in error
    assert "OCC0118.json" in error
    assert data_snapshot() == before


def test_every_problem_is_listed_not_just_the_first(tmp_path, maps):
    def change(document):
        document.update(level=9, status=7)
        document["products"][0].update(type=0)

    error = rejected(broken(tmp_path, maps, change))
    assert "level: 9" in error and "status: 7" in error and "products[0].type: 0" in error
    assert Occupation.objects.count() == 0


def test_not_json_is_refused_with_its_line(tmp_path, maps, digital):
    folder = tmp_path / "bad"
    folder.mkdir()
    (folder / "OCC0001.json").write_text('{\n  "stdCode": "OCC0001",\n  "name": oops\n}')
    before = data_snapshot()
    error = rejected(folder)
    assert "OCC0001.json:3: not valid JSON" in error
    assert data_snapshot() == before


def test_unknown_documents_and_missing_paths_are_refused(tmp_path):
    (tmp_path / "other.json").write_text('{"hello": "world"}')
    assert "not an Occupational Maps document" in rejected(tmp_path / "other.json")
    assert "no such file or directory" in rejected(tmp_path / "missing.json")
    empty = tmp_path / "empty"
    empty.mkdir()
    assert "no JSON files found" in rejected(empty)


def test_duplicate_codes_across_files_are_refused(tmp_path, maps):
    folder = tmp_path / "dup"
    folder.mkdir()
    shutil.copy(maps / "digital" / "OCC0118.json", folder / "a.json")
    shutil.copy(maps / "digital" / "OCC0118.json", folder / "b.json")
    assert "stdCode: OCC0118: also in" in rejected(folder)


# The live API, served from the shared files by a local server. -----------------------------------


class FakeApi(BaseHTTPRequestHandler):
    files: dict[str, dict] = {}
    routes: list = []
    calls: Counter = Counter()
    fail_first: set[str] = set()
    malformed: set[str] = set()
    expected_key = "secret-key"

    def log_message(self, *args):
        pass

    def do_GET(self):
        path = self.path.split("?")[0]
        self.calls[path] += 1
        if self.headers.get("X-API-KEY") != self.expected_key:
            return self.answer(401, {"message": "no key"})
        if path in self.fail_first and self.calls[path] == 1:
            return self.answer(429, {"message": "slow down"}, {"Retry-After": "0"})
        if path in self.malformed:
            return self.answer(200, None, raw=b"<html>oops")
        if path == "/api/v1/Routes":
            return self.answer(200, self.routes)
        if path == "/api/v1/Occupations":
            return self.answer(200, [{"stdCode": c} for c in sorted(self.files)])
        kind, _, code = path.removeprefix("/api/v1/").partition("/")
        document = self.files.get(code)
        if document is None:
            return self.answer(404, {"message": "not found"})
        if kind == "Occupations":
            return self.answer(200, document)
        edges = [
            {"stdCodeFrom": code, "stdCodeTo": n["stdCode"]}
            for n in document.get("progression", [])
            if n["level"] > document["level"]
        ]
        return self.answer(200, edges)

    def answer(self, status, body, headers=None, raw=None):
        payload = raw if raw is not None else json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(payload)


@pytest.fixture
def fake_api(maps):
    FakeApi.files = raw_occupations(maps / "digital")
    FakeApi.routes = json.loads((maps / "index.json").read_text())["routes"]
    FakeApi.calls = Counter()
    FakeApi.fail_first = {"/api/v1/Routes", "/api/v1/Occupations/OCC0118"}
    FakeApi.malformed = set()
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeApi)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/api/v1"
    server.shutdown()
    server.server_close()


def test_live_api_import_with_backoff_and_directed_links(fake_api):
    output = run(api_url=fake_api, api_key="secret-key", verbosity=2)
    assert "Occupations: 64 created" in output
    assert FakeApi.calls["/api/v1/Routes"] == 2  # a 429, then the answer
    assert FakeApi.calls["/api/v1/Occupations/OCC0118"] == 2
    assert Occupation.objects.count() == 64
    assert Route.objects.count() == 15
    analyst = Occupation.objects.get(code="OCC0118")
    link = Progression.objects.get(from_occupation=analyst, to_occupation__code="OCC0585")
    assert link.directed is True


def test_live_api_malformed_answer_is_refused(fake_api):
    FakeApi.malformed = {"/api/v1/Occupations/OCC0117"}
    error = rejected(api_url=fake_api, api_key="secret-key")
    assert "Occupations/OCC0117" in error and "not valid JSON" in error
    assert Occupation.objects.count() == 0


def test_live_api_wrong_key_is_refused(fake_api):
    error = rejected(api_url=fake_api, api_key="wrong")
    assert "/Routes: the server answered HTTP 401" in error
    assert Route.objects.count() == 0


def test_files_and_api_together_are_refused(fake_api, maps):
    with pytest.raises(CommandError, match="not both"):
        call_command("import_maps", str(maps / "digital"), api_url=fake_api, stdout=StringIO())


def test_the_documents_read_a_real_record_and_refuse_wrong_types(maps):
    from pydantic import ValidationError

    from importers.maps import documents

    raw = json.loads((maps / "digital" / "OCC0118.json").read_text())
    occupation = documents.Occupation.model_validate(raw)
    assert occupation.std_code == "OCC0118"
    assert occupation.map_hierarchy.cluster_sequence == raw["mapHierarchy"]["clusterSeqeunce"]
    assert (
        occupation.dump()["mapHierarchy"]["clusterSeqeunce"]
        == occupation.map_hierarchy.cluster_sequence
    )
    unknown = documents.OccupationSummary.model_validate(
        {**raw, "statusLastUpdated": "0001-01-01T00:00:00"}
    )
    assert unknown.status_last_updated is None
    for change in (
        {"name": ["Data", "analyst"]},
        {"typicalJobTitles": [{"name": "Data analyst", "isGreen": "false"}]},
        {"level": "4"},
    ):
        with pytest.raises(ValidationError):
            documents.Occupation.model_validate({**raw, **change})
