"""import_standards: the apprenticeship standards JSON fills in the apprenticeship products."""

import copy
import json
import socket
import threading
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from core.models import ImportRecord
from occupations.models import Occupation, OccupationProduct, Product
from tests.bundled import import_digital
from tests.snapshot import data_snapshot

pytestmark = pytest.mark.django_db

GOOD = Path(__file__).parent / "data" / "apprenticeship-standards.json"
STANDARD_FIELDS = [
    "lars_code",
    "typical_duration_months",
    "max_funding",
    "eqa_provider",
    "approved_for_delivery",
    "standard_url",
    "duties_count",
    "ksbs_count",
    "latest_version",
]


@pytest.fixture
def digital(db):
    """The real Digital route, with Data technician's apprenticeship left unlinked (as when the
    map stops listing a product under its occupation)."""
    import_digital()
    OccupationProduct.objects.filter(product__code="ST0795").delete()


def run(*args, **options):
    out, err = StringIO(), StringIO()
    call_command("import_standards", *map(str, args), stdout=out, stderr=err, **options)
    return out.getvalue(), err.getvalue()


def rejected(*args, **options) -> str:
    err = StringIO()
    with pytest.raises(CommandError, match="Nothing was changed"):
        call_command("import_standards", *map(str, args), stdout=StringIO(), stderr=err, **options)
    return err.getvalue()


def details(code: str) -> dict:
    return Product.objects.filter(code=code).values(*STANDARD_FIELDS).get()


def good_records() -> list[dict]:
    return json.loads(GOOD.read_text(encoding="utf-8"))


def write(tmp_path: Path, document, name="standards.json") -> Path:
    path = tmp_path / name
    text = document if isinstance(document, str) else json.dumps(document)
    path.write_text(text, encoding="utf-8")
    return path


def test_fills_the_latest_version_of_each_standard(digital):
    out, _ = run(GOOD, verbosity=2)

    assert "Read 7 record(s): 6 standards" in out
    assert "Products: 0 created, 5 updated, 0 unchanged, 0 removed" in out
    # Two versions of ST0118: 1.1 is listed first and is kept; 1.0's duration and funding are not.
    assert details("ST0118") == {
        "lars_code": 91,
        "typical_duration_months": 18,
        "max_funding": 19000,
        "eqa_provider": "Ofqual",
        "approved_for_delivery": date(2022, 3, 8),
        "standard_url": "https://www.instituteforapprenticeships.org/apprenticeship-standards/"
        "data-analyst-v1-1",
        "duties_count": 3,
        "ksbs_count": 6,
        "latest_version": "1.1",
    }
    # The EQA provider as a plain string; one product serving six occupations.
    st0119 = details("ST0119")
    assert st0119["eqa_provider"] == "Office for Students"
    assert st0119["approved_for_delivery"] == date(2022, 8, 19)
    assert (st0119["duties_count"], st0119["ksbs_count"], st0119["max_funding"]) == (4, 7, 25000)
    assert Product.objects.get(code="ST0119").occupations.count() == 6
    # Matched only by its referenceNumber (no occupationCode), numbers given as strings,
    # versionNumber instead of version, a UTC date-time.
    assert details("ST0505") == {
        "lars_code": 273,
        "typical_duration_months": 18,
        "max_funding": 17000,
        "eqa_provider": "Ofqual",
        "approved_for_delivery": date(2020, 1, 27),
        "standard_url": "https://www.instituteforapprenticeships.org/apprenticeship-standards/"
        "it-solutions-technician-v1-0",
        "duties_count": 2,
        "ksbs_count": 3,
        "latest_version": "1.0",
    }
    # A retired standard is still its product's description; placeholder date, no EQA provider.
    st0128 = details("ST0128")
    assert st0128["latest_version"] == "1.0"
    assert st0128["approved_for_delivery"] is None
    assert st0128["eqa_provider"] == ""
    assert (st0128["duties_count"], st0128["ksbs_count"]) == (0, 3)
    # Data technician's product was linked to no occupation: occupationCode links it.
    assert details("ST0795")["lars_code"] == 570
    link = OccupationProduct.objects.get(product__code="ST0795")
    assert (link.occupation.code, link.name) == ("OCC0795", "Data Technician")
    # The healthcare standard matches no product: a note, not an error.
    assert (
        f"note: {GOOD}[6] ST0216: referenceNumber: ST0216 (Healthcare support worker): no "
        "apprenticeship product has this code and occupation OCC0216 is not in the database; "
        "not imported" in out
    )
    assert not Product.objects.filter(code="ST0216").exists()
    # Products the file does not name are untouched.
    assert details("ST0116") == dict.fromkeys(STANDARD_FIELDS) | {
        "eqa_provider": "",
        "standard_url": "",
        "latest_version": "",
    }
    record = ImportRecord.objects.get(kind="standards")
    assert (record.outcome, record.updated, record.source) == ("succeeded", 5, str(GOOD))


def test_the_unmatched_standard_is_counted_as_a_note(digital):
    out, _ = run(GOOD)
    assert "1 note(s)" in out


def test_second_import_reports_no_changes(digital):
    run(GOOD)
    before = data_snapshot()
    out, _ = run(GOOD)
    assert "No changes: 5 products unchanged" in out
    assert data_snapshot() == before


def test_dry_run_changes_nothing(digital):
    before = data_snapshot()
    records = ImportRecord.objects.count()
    out, _ = run(GOOD, dry_run=True)
    assert "Dry run, nothing written. Products: 0 to create, 5 to update" in out
    assert data_snapshot() == before
    assert ImportRecord.objects.count() == records


def test_a_changed_standard_updates_only_its_product(digital, tmp_path):
    run(GOOD)
    records = good_records()
    records[0]["maxFunding"] = 20000
    out, _ = run(write(tmp_path, records))
    assert "Products: 0 created, 1 updated, 4 unchanged" in out
    assert details("ST0118")["max_funding"] == 20000


def test_versions_compare_by_number_not_text(digital, tmp_path):
    first = good_records()[0]
    later = copy.deepcopy(first) | {"version": "1.10", "maxFunding": 21000}
    earlier = copy.deepcopy(first) | {"version": "1.9", "maxFunding": 20000}
    run(write(tmp_path, [later, earlier]))
    assert (details("ST0118")["latest_version"], details("ST0118")["max_funding"]) == (
        "1.10",
        21000,
    )


def test_job_titles_and_keywords_as_string_or_list(digital, tmp_path):
    record = good_records()[0]
    for titles in ("Data analyst|Data officer", ["Data analyst", "Data officer"]):
        run(write(tmp_path, [record | {"typicalJobTitles": titles, "keywords": titles}]))
    assert details("ST0118")["latest_version"] == "1.1"


def test_occupation_code_finds_a_product_listed_under_another_code(digital, tmp_path):
    """The fallback: no product has the reference, the occupation has one apprenticeship."""
    spatial = good_records()[0] | {
        "referenceNumber": "ST1600",
        "title": "Spatial data specialist",
        "occupationCode": "OCC0957",
        "level": 7,
    }
    retired = spatial | {"referenceNumber": "ST1601", "occupationCode": "OCC1409"}
    retired["status"] = "Retired"
    shared = spatial | {"referenceNumber": "ST1602", "occupationCode": "OCC0118"}
    several = spatial | {"referenceNumber": "ST1603", "occupationCode": "OCC0505"}
    direct = good_records()[0]
    Product.objects.create(code="ST9999", name="Extra", type=Product.Type.APPRENTICESHIP)
    OccupationProduct.objects.create(
        occupation=Occupation.objects.get(code="OCC0505"),
        product=Product.objects.get(code="ST9999"),
    )
    out, _ = run(write(tmp_path, [spatial, retired, shared, several, direct]), verbosity=2)

    assert "matched by occupationCode OCC0957 to product ST0957" in out
    assert details("ST0957")["max_funding"] == 19000
    assert "the standard is retired, so occupation OCC1409's products are left" in out
    assert details("ST1409")["lars_code"] is None
    assert "occupation OCC0118's product ST0118 is filled from ST0118 instead" in out
    assert "occupation OCC0505 has 2 apprenticeship products, so none is filled" in out
    assert details("ST0505")["lars_code"] is None


def test_an_unlinked_product_stays_unlinked_when_its_occupation_is_unknown(digital, tmp_path):
    record = good_records()[4] | {"occupationCode": "OCC9999"}
    out, _ = run(write(tmp_path, [record]), verbosity=2)
    assert "product ST0795 is linked to no occupation and this one is not in the database" in out
    assert not OccupationProduct.objects.filter(product__code="ST0795").exists()
    assert details("ST0795")["lars_code"] == 570


# Rejections: every problem is listed with its place, and nothing is written. ----------------


def change(index: int, **fields) -> list[dict]:
    records = good_records()
    records[index].update(fields)
    return records


REJECTIONS = {
    "not JSON": ('[{"referenceNumber": "ST0118",', ":1: not valid JSON: Expecting"),
    "not a list": ({"standards": []}, ": expected a JSON list of standards, not dict"),
    "not an object": (["ST0118"], "[0]: expected a standard object"),
    "no reference": (change(3, referenceNumber=None), "[3]: referenceNumber: missing or empty"),
    "level 8": (change(3, level=8), "[3] ST0505: level: 8: must be between 2 and 7"),
    "level 1 as text": (change(3, level="1"), "[3] ST0505: level: '1': must be between 2 and 7"),
    "lars code": (change(3, larsCode="ZC273"), "[3] ST0505: larsCode: 'ZC273': not a whole number"),
    "duration": (
        change(0, typicalDuration="18 months"),
        "[0] ST0118: typicalDuration: '18 months': not a whole number",
    ),
    "funding": (
        change(2, maxFunding="£25,000"),
        "[2] ST0119: maxFunding: '£25,000': not a whole number",
    ),
    "negative funding": (
        change(2, maxFunding=-5),
        "[2] ST0119: maxFunding: -5: must be between 0 and 2147483647",
    ),
    "huge duration": (
        change(2, typicalDuration=99999),
        "[2] ST0119: typicalDuration: 99999: must be between 0 and 32767",
    ),
    "date": (
        change(4, approvedForDelivery="12/02/2021"),
        "[4] ST0795: approvedForDelivery: '12/02/2021': not a date (YYYY-MM-DD)",
    ),
    "url": (
        change(4, standardPageUrl="instituteforapprenticeships.org/data technician"),
        "[4] ST0795: standardPageUrl: 'instituteforapprenticeships.org/data technician': not an "
        "http(s) URL",
    ),
    "ftp url": (
        change(4, standardPageUrl="ftp://example.org/x"),
        "[4] ST0795: standardPageUrl: 'ftp://example.org/x': not an http(s) URL",
    ),
    "version": (change(5, version="v2"), "[5] ST0128: version: 'v2': not a version number"),
    "occupation code": (
        change(5, occupationCode="0128"),
        "[5] ST0128: occupationCode: '0128': not an occupation code like OCC0118",
    ),
    "duties": (change(5, duties="none"), "[5] ST0128: duties: expected a list, not str"),
    "eqa": (change(5, eQAProvider=7), "[5] ST0128: eQAProvider: 7: expected an object or a name"),
    "job titles": (
        change(5, typicalJobTitles=[{"name": "Developer"}]),
        "[5] ST0128: typicalJobTitles: expected a list of names",
    ),
    "reference as a list": (
        change(0, referenceNumber=["ST0118"]),
        "[0]: referenceNumber: ['ST0118']: expected text, not list",
    ),
    "title as a list": (
        change(0, title=["Data", "analyst"]),
        "[0] ST0118: title: ['Data', 'analyst']: expected text, not list",
    ),
    "status as an object": (
        change(3, status={"name": "Retired"}),
        "[3] ST0505: status: {'name': 'Retired'}: expected text, not dict",
    ),
    "occupation code as a number": (
        change(5, occupationCode=128),
        "[5] ST0128: occupationCode: 128: expected text, not int",
    ),
    "page as a list": (
        change(4, standardPageUrl=["https://example.org/a"]),
        "[4] ST0795: standardPageUrl: ['https://example.org/a']: expected text, not list",
    ),
    "provider name as a list": (
        change(0, eQAProvider={"providerName": ["Ofqual"]}),
        "[0] ST0118: eQAProvider.providerName: ['Ofqual']: expected text, not list",
    ),
    "version as a number": (
        change(0, version=1.1),
        "[0] ST0118: version: 1.1: expected text like '1.10', not a number",
    ),
    "same version twice": (
        [*good_records(), good_records()[0]],
        "[7] ST0118: version: 1.1: this version of ST0118 is also in ",
    ),
    "not UTF-8": (b"[\xff]", ": not UTF-8 text"),
}


@pytest.mark.parametrize("case", REJECTIONS, ids=list(REJECTIONS))
def test_a_broken_file_changes_nothing(digital, tmp_path, case):
    run(GOOD)
    before = data_snapshot()
    document, expected = REJECTIONS[case]
    if isinstance(document, bytes):
        path = tmp_path / "standards.json"
        path.write_bytes(document)
    else:
        path = write(tmp_path, document)
    records = ImportRecord.objects.count()

    err = rejected(path)

    assert f"{path}{expected}" in err
    assert data_snapshot() == before
    assert ImportRecord.objects.count() == records + 1
    assert ImportRecord.objects.first().outcome == "failed"


def test_a_broken_file_on_an_empty_database_writes_nothing(db, tmp_path):
    rejected(write(tmp_path, change(3, level=9)))
    assert not Product.objects.exists()


def test_every_problem_is_listed(digital, tmp_path):
    records = good_records()
    records[1]["larsCode"] = "x"
    records[3]["approvedForDelivery"] = "soon"
    records[6]["referenceNumber"] = ""
    before = data_snapshot()
    err = rejected(write(tmp_path, records))
    assert len(err.strip().splitlines()) == 3
    assert "[1] ST0118: larsCode: 'x'" in err
    assert "[3] ST0505: approvedForDelivery: 'soon'" in err
    assert "[6]: referenceNumber: missing or empty" in err
    assert data_snapshot() == before


def test_a_missing_file_is_rejected(db, tmp_path):
    err = rejected(tmp_path / "nope.json")
    assert f"{tmp_path / 'nope.json'}: no such file" in err


def test_a_rejected_dry_run_records_nothing(db, tmp_path):
    rejected(write(tmp_path, "not json"), dry_run=True)
    assert not ImportRecord.objects.exists()


# From a URL ---------------------------------------------------------------------------------


class Handler(BaseHTTPRequestHandler):
    routes = {
        "/api/apprenticeshipstandards": (200, "application/json", GOOD.read_bytes()),
        "/broken": (200, "application/json", b"<html><body>Service unavailable</body></html>"),
        "/object": (200, "application/json", b'{"message": "Not authorised"}'),
    }

    def do_GET(self):
        status, content_type, body = self.routes.get(
            self.path, (404, "text/plain", b"No such page")
        )
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format, *args):
        pass


@pytest.fixture
def server():
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()
    thread.join()


def test_imports_from_a_url(digital, server):
    url = f"{server}/api/apprenticeshipstandards"
    out, _ = run(url)
    assert "Products: 0 created, 5 updated" in out
    assert details("ST0118")["latest_version"] == "1.1"
    assert ImportRecord.objects.get(kind="standards").source == url
    out, _ = run(url)
    assert "No changes: 5 products unchanged" in out


def test_a_404_is_rejected(digital, server):
    before = data_snapshot()
    err = rejected(f"{server}/api/nothing")
    assert f"{server}/api/nothing: the server answered HTTP 404 Not Found" in err
    assert data_snapshot() == before


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/broken", "/broken:1: not valid JSON: Expecting value (column 1)"),
        ("/object", "/object: expected a JSON list of standards, not dict"),
    ],
)
def test_a_malformed_reply_is_rejected(digital, server, path, expected):
    before = data_snapshot()
    err = rejected(f"{server}{path}")
    assert f"{server}{expected}" in err
    assert data_snapshot() == before


def test_a_server_that_is_not_there_is_rejected(db):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    err = rejected(f"http://127.0.0.1:{port}/api/apprenticeshipstandards", retries=0)
    assert f"http://127.0.0.1:{port}/api/apprenticeshipstandards: cannot be fetched:" in err


def test_nan_is_refused_as_the_maps_import_refuses_it(db, tmp_path):
    """The one JSON reader (core.parsers.parse_json) refuses NaN and Infinity for every import."""
    path = tmp_path / "standards.json"
    text = json.dumps(good_records()).replace('"level": 4', '"level": NaN', 1)
    assert "NaN" in text
    path.write_text(text)
    error = rejected(str(path))
    assert "not valid JSON: NaN is not a number JSON allows" in error


def test_the_one_fetcher_retries_with_a_growing_back_off():
    """core.fetching serves both importers: an unreachable server is tried again, waiting
    longer each time, and then reported once with the number of tries."""
    from core.fetching import Fetcher
    from core.problems import Problems

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    waits: list[float] = []
    fetcher = Fetcher(retries=2, backoff=0.5, sleep=waits.append)
    problems = Problems()
    url = f"http://127.0.0.1:{port}/api/apprenticeshipstandards"
    assert fetcher.get_json(url, problems) is None
    assert waits == [0.5, 1.0]
    assert fetcher.requests == 3
    assert [p.where for p in problems] == [url]
    assert problems[0].message.startswith("cannot be fetched: ")
    assert problems[0].message.endswith(" (after 3 tries)")
