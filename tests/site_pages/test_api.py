"""The open data API (/api/v1/) on the bundled real data (the Digital route, three occupations
from other routes, the ONS SOC files): the numbers are checked against the pages and downloads,
each endpoint's query count is pinned, and schemathesis checks the OpenAPI schema against the
answers."""

import csv
import io
import json
import threading
from unittest import mock

import pytest
import schemathesis
from django.conf import settings
from django.core.management import call_command
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, connection, connections, transaction
from django.test import Client, TestCase
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openapi_spec_validator import validate
from schemathesis.config import SchemathesisConfig
from schemathesis.engine import StopReason, events
from werkzeug.test import Client as WerkzeugClient

from core import dataversion
from core.models import DataVersion
from occupations.models import Occupation, Product
from routes.models import Route
from socmapping.models import SocGroup, SubUnitGroup
from tests.bundled import load_bundled
from tests.conftest import EXAMPLES

API = "/api/v1"
DOC_PAGE = "/api/"


def quiet(command, *args, **options):
    call_command(command, *map(str, args), stdout=io.StringIO(), stderr=io.StringIO(), **options)


def get(client, path, status=200, **headers):
    response = client.get(path, headers=headers)
    assert response.status_code == status, (path, response.status_code, response.content[:500])
    assert response["Content-Type"].startswith("application/json"), path
    return response.json()


def walk(value, path="$"):
    """Every (path, value) in a JSON document."""
    yield path, value
    if isinstance(value, dict):
        for key, item in value.items():
            yield from walk(item, f"{path}.{key}")
    elif isinstance(value, list):
        for number, item in enumerate(value):
            yield from walk(item, f"{path}[{number}]")


def assert_conventions(document):
    """snake_case names, no empty strings, and absolute links on everything that has them."""
    for where, value in walk(document):
        assert value != "", f"empty string at {where}"
        if isinstance(value, dict):
            for key in value:
                assert key == key.lower() and " " not in key and "-" not in key, (where, key)
            if "url" in value:
                assert value["url"].startswith("http://testserver/"), where
                assert value["api_url"].startswith(f"http://testserver{API}/"), where


def count_queries(client, path) -> tuple[int, dict]:
    """The queries of one answer, not counting the data version (each worker holds it)."""
    dataversion.refresh()
    with CaptureQueriesContext(connection) as queries:
        document = get(client, path)
    return len(queries), document


class SampleApi(TestCase):
    """The bundled real data: the Digital route, three occupations from other routes, SOC."""

    @classmethod
    def setUpTestData(cls):
        load_bundled()

    def test_routes_are_listed_in_map_order_with_counts_by_status(self):
        with self.assertNumQueries(2):  # the data version, the routes with their counts
            routes = get(self.client, f"{API}/routes")
        self.assertEqual(len(routes), 15)
        self.assertEqual([r["sequence"] for r in routes], sorted(r["sequence"] for r in routes))
        for route in routes:
            in_route = Occupation.objects.filter(cluster__pathway__route__slug=route["slug"])
            self.assertEqual(route["occupation_count"], in_route.count())
            self.assertEqual(
                {s["status"]: s["count"] for s in route["occupations_by_status"]},
                {
                    status.value: in_route.filter(status=status).count()
                    for status in Occupation.Status
                },
            )
            self.assertEqual(route["url"], f"http://testserver/routes/{route['slug']}/")
            self.assertEqual(route["api_url"], f"http://testserver{API}/routes/{route['slug']}")
        assert_conventions(routes)

    def test_a_route_map_places_every_occupation_in_its_cluster(self):
        route = Route.objects.get(slug="digital")
        document = get(self.client, f"{API}/routes/digital")
        self.assertEqual(document["name"], route.name)
        self.assertEqual([b["band"] for b in document["bands"]], [1, 2, 3])
        places = {}
        for pathway in document["pathways"]:
            for row in pathway["rows"]:
                for cluster in row["clusters"]:
                    low, high = cluster["levels"]
                    for card in cluster["occupations"]:
                        self.assertTrue(low <= card["level"] <= high)
                        places[card["code"]] = (pathway["api_id"], row["api_id"], cluster["api_id"])
                    levels = [(c["level"], c["title"]) for c in cluster["occupations"]]
                    self.assertEqual(levels, sorted(levels))
        occupations = Occupation.objects.in_route(route).select_related(
            "cluster__row", "cluster__pathway"
        )
        self.assertEqual(len(places), occupations.count())
        for occupation in occupations:
            cluster = occupation.cluster
            self.assertEqual(
                places[occupation.code],
                (cluster.pathway.api_id, cluster.row.api_id, cluster.api_id),
            )
        self.assertEqual(
            [p["api_id"] for p in document["pathways"]],
            list(route.pathways.order_by("sequence").values_list("api_id", flat=True)),
        )
        assert_conventions(document)

    def test_a_route_map_costs_the_same_queries_whatever_its_size(self):
        sizes = {}
        for slug in ("digital", "health-science"):
            queries, document = count_queries(self.client, f"{API}/routes/{slug}")
            sizes[document["occupation_count"]] = queries
        self.assertEqual(len(sizes), 2, "two routes of different sizes")
        # The route, its occupations, their product types, its clusters, rows and pathways.
        self.assertEqual(set(sizes.values()), {6}, sizes)
        # A route with no occupations has no product types to read.
        self.assertEqual(
            count_queries(self.client, f"{API}/routes/construction-and-the-built-environment")[0], 5
        )

    def test_occupations_are_paged_with_count_next_and_previous(self):
        total = Occupation.objects.count()
        seen = []
        url = f"{API}/occupations?page_size=7"
        number = 1
        while url:
            page = get(self.client, url.removeprefix("http://testserver"))
            self.assertEqual(page["count"], total)
            if number == 1:
                self.assertIsNone(page["previous"])
            else:
                self.assertEqual(
                    page["previous"],
                    f"http://testserver{API}/occupations?page={number - 1}&page_size=7",
                )
            self.assertLessEqual(len(page["results"]), 7)
            seen += [o["code"] for o in page["results"]]
            url, number = page["next"], number + 1
        expected = list(Occupation.objects.order_by("title", "code").values_list("code", flat=True))
        self.assertEqual(seen, expected)
        last = -(-total // 7)
        error = get(self.client, f"{API}/occupations?page_size=7&page={last + 1}", status=404)
        self.assertEqual(error["status"], 404)
        self.assertIn(f"the last page is {last}", error["message"])

    def test_the_page_size_is_25_by_default_and_at_most_100(self):
        self.assertEqual(len(get(self.client, f"{API}/occupations")["results"]), 25)
        error = get(self.client, f"{API}/occupations?page_size=101", status=400)
        self.assertEqual(error["status"], 400)
        self.assertIn("page_size", error["errors"])
        for bad in ("page=0", "page=x", "page_size=0"):
            self.assertEqual(
                get(self.client, f"{API}/occupations?{bad}", status=400)["status"], 400
            )

    def test_occupation_filters_find_what_the_search_page_finds(self):
        queries = [
            "",
            "q=engineer",
            "q=OCC0118",
            "route=digital",
            "route=digital&level=3&level=4",
            "band=3&sort=-level",
            "status=1&product_type=1",
            "status=3&status=2",
            "green=true",
            "soc2010=2136",
            "soc2020=2134",
            "sort=code",
            "sort=level",
            "pathway=" + str(Route.objects.get(slug="digital").pathways.first().api_id),
        ]
        for query in queries:
            with self.subTest(query=query):
                # An occupation code alone goes to the occupation's page (issue 14): the
                # page's list is then read with a filter beside it.
                extra = "&status=1" if query == "q=OCC0118" else ""
                page = self.client.get(f"/occupations/?{query}{extra}&page=1")
                self.assertEqual(page.status_code, 200)
                query += extra
                api = get(self.client, f"{API}/occupations?{query}&page_size=25")
                self.assertEqual(api["count"], page.context["page"].paginator.count)
                self.assertEqual(
                    [o["code"] for o in api["results"]],
                    [o.code for o in page.context["page"].object_list],
                )
                assert_conventions(api)

    def test_filter_values_that_are_not_valid_are_a_400_with_the_reasons(self):
        cases = {
            "status=9": "status",
            "level=1": "level",
            "band=4": "band",
            "product_type=x": "product_type",
            "route=atlantis": "route",
            "pathway=999999": "pathway",
            "soc2010=12": "soc2010",
            "soc2020=1234/5": "soc2020",
            "sort=price": "sort",
            "green=perhaps": "green",
            "q=" + "x" * 201: "q",
            "q=%00": "q",
        }
        for query, field in cases.items():
            with self.subTest(query=query):
                error = get(self.client, f"{API}/occupations?{query}", status=400)
                self.assertEqual(error["status"], 400)
                self.assertIn(field, error["errors"], error)
                self.assertTrue(all(error["errors"][field]))
        # The search form's own message, as on the page.
        error = get(self.client, f"{API}/occupations?route=atlantis", status=400)
        self.assertIn("Select a valid choice", error["errors"]["route"][0])

    def test_an_occupation_has_everything_its_page_shows(self):
        occupation = (
            Occupation.objects.filter(progressions_out__isnull=False).order_by("code").first()
        )
        document = get(self.client, f"{API}/occupations/{occupation.code.lower()}")
        self.assertEqual(document["code"], occupation.code)
        self.assertEqual(document["title"], occupation.title)
        self.assertEqual(document["status"], occupation.status)
        self.assertEqual(document["status_name"], occupation.get_status_display())
        self.assertEqual(document["url"], f"http://testserver/occupations/{occupation.code}/")
        self.assertEqual(
            document["api_url"], f"http://testserver{API}/occupations/{occupation.code}"
        )
        self.assertEqual(
            [t["name"] for t in document["job_titles"]],
            list(occupation.job_titles.order_by("sequence", "name").values_list("name", flat=True)),
        )
        self.assertEqual(
            sorted(p["code"] for p in document["products"]),
            sorted(occupation.products.values_list("code", flat=True)),
        )
        self.assertEqual(document["route"]["slug"], occupation.cluster.pathway.route.slug)
        self.assertEqual(document["cluster"]["api_id"], occupation.cluster.api_id)
        linked = set(
            occupation.progressions_out.values_list("to_occupation__code", flat=True)
        ) | set(occupation.progressions_in.values_list("from_occupation__code", flat=True))
        self.assertEqual({p["code"] for p in document["progression"]}, linked)
        page = self.client.get(occupation.get_absolute_url())
        for neighbour in document["progression"]:
            self.assertContains(page, neighbour["title"])
        assert_conventions(document)

    def test_unknown_values_are_null(self):
        occupation = Occupation.objects.order_by("code").first()
        Occupation.objects.filter(pk=occupation.pk).update(
            version="",
            standard_reference="",
            overview="",
            summary="",
            involved_employers="",
            status_date=None,
        )
        DataVersion.bump()
        document = get(self.client, f"{API}/occupations/{occupation.code}")
        for name in (
            "version",
            "standard_reference",
            "overview",
            "summary",
            "involved_employers",
            "status_date",
        ):
            self.assertIsNone(document[name], name)

    def test_unknown_things_are_a_404_in_json(self):
        for path in (
            f"{API}/occupations/OCC9999",
            f"{API}/occupations/%00",
            f"{API}/occupations/..%2F..",
            f"{API}/routes/atlantis",
            f"{API}/products/NOPE",
            f"{API}/soc/2010/9999",
            f"{API}/soc/2020/2134/50",  # no such sub-unit group
            f"{API}/nothing/here",
            f"{API}/routes/",
            f"{API}/docs",
        ):
            with self.subTest(path=path):
                error = get(self.client, path, status=404)
                self.assertEqual(error["status"], 404)
                self.assertTrue(error["message"])
        error = get(self.client, f"{API}/soc/2015", status=400)
        self.assertIn("version", error["errors"])

    def test_only_get_head_and_options_are_allowed(self):
        for method in ("post", "put", "patch", "delete"):
            for path in (f"{API}/routes", f"{API}/occupations/OCC0118", f"{API}/nothing"):
                with self.subTest(method=method, path=path):
                    response = getattr(self.client, method)(path, data={})
                    self.assertEqual(response.status_code, 405)
                    self.assertEqual(response["Allow"], "GET, HEAD, OPTIONS")
                    self.assertEqual(response.json()["status"], 405)
                    self.assertEqual(response["Access-Control-Allow-Origin"], "*")
        head = self.client.head(f"{API}/routes")
        self.assertEqual(head.status_code, 200)
        self.assertEqual(head.content, b"")
        self.assertTrue(head["ETag"])

    def test_cors_lets_any_page_read_the_api(self):
        response = self.client.get(f"{API}/routes", headers={"origin": "https://example.org"})
        self.assertEqual(response["Access-Control-Allow-Origin"], "*")
        preflight = self.client.options(
            f"{API}/occupations",
            headers={
                "origin": "https://example.org",
                "access-control-request-method": "GET",
                "access-control-request-headers": "if-none-match",
            },
        )
        self.assertEqual(preflight.status_code, 204)
        self.assertEqual(preflight["Access-Control-Allow-Origin"], "*")
        self.assertEqual(preflight["Access-Control-Allow-Methods"], "GET, HEAD, OPTIONS")
        self.assertIn("If-None-Match", preflight["Access-Control-Allow-Headers"])
        # The pages are not an API: no CORS there.
        self.assertFalse(self.client.get("/").has_header("Access-Control-Allow-Origin"))

    def test_answers_are_cached_per_data_version_and_revalidate_with_304(self):
        path = f"{API}/occupations?route=digital"
        first = self.client.get(path)
        etag = first["ETag"]
        self.assertEqual(etag, f'"v{DataVersion.current().version}"')
        self.assertTrue(first["Last-Modified"])
        self.assertIn("public", first["Cache-Control"])
        with self.assertNumQueries(0):  # the data version is held in memory
            again = self.client.get(path, headers={"if-none-match": etag})
        self.assertEqual(again.status_code, 304)
        self.assertEqual(again["Access-Control-Allow-Origin"], "*")
        with self.assertNumQueries(0):  # served from the cache
            cached = self.client.get(path)
        self.assertEqual(cached.json(), first.json())
        self.assertEqual(cached["Access-Control-Allow-Origin"], "*")
        DataVersion.bump()
        fresh = self.client.get(path, headers={"if-none-match": etag})
        self.assertEqual(fresh.status_code, 200)
        self.assertNotEqual(fresh["ETag"], etag)
        # Errors are not kept by anyone.
        self.assertNotIn("public", self.client.post(path)["Cache-Control"])

    def test_a_failure_is_a_500_in_json_without_details(self):
        client = Client(raise_request_exception=False)
        with mock.patch(
            "occupations.route_api.routes_with_counts", side_effect=RuntimeError("secret")
        ):
            response = client.get(f"{API}/routes")
        self.assertEqual(response.status_code, 500)
        self.assertEqual(response.json(), {"status": 500, "message": mock.ANY})
        self.assertNotIn("secret", response.content.decode())
        self.assertIn("no-store", response["Cache-Control"])

    def test_products_list_filter_and_detail(self):
        page = get(self.client, f"{API}/products?page_size=100")
        self.assertEqual(page["count"], Product.objects.count())
        self.assertEqual(
            [p["code"] for p in page["results"]],
            list(Product.objects.order_by("type", "code").values_list("code", flat=True))[:100],
        )
        htqs = get(self.client, f"{API}/products?type=2&type=3&page_size=100")
        self.assertEqual(htqs["count"], Product.objects.filter(type__in=[2, 3]).count())
        self.assertEqual(
            {p["type"] for p in htqs["results"]}, {2, 3} & {p.type for p in Product.objects.all()}
        )
        product = Product.objects.filter(occupation_links__isnull=False).order_by("code").first()
        document = get(self.client, f"{API}/products/{product.code.lower()}")
        self.assertEqual(document["code"], product.code)
        self.assertEqual(
            sorted(o["code"] for o in document["occupations"]),
            sorted(product.occupations.values_list("code", flat=True)),
        )
        self.assertEqual(get(self.client, f"{API}/products?type=7", status=400)["status"], 400)
        assert_conventions(page)
        assert_conventions(document)

    def test_soc_groups_sub_unit_groups_and_lists(self):
        majors = get(self.client, f"{API}/soc/2020?level=major")
        self.assertEqual(
            majors["count"], SocGroup.objects.filter(version=2020, level="major").count()
        )
        everything = get(self.client, f"{API}/soc/2010")
        self.assertEqual(everything["count"], SocGroup.objects.filter(version=2010).count())
        occupation = Occupation.objects.filter(
            soc__soc2020__isnull=False, soc__soc2010__isnull=False
        ).first()
        soc2020 = get(self.client, f"{API}/soc/2020/{occupation.soc.soc2020.code}")
        self.assertIn(occupation.code, [o["code"] for o in soc2020["occupations"]])
        self.assertEqual(
            [a["level"] for a in soc2020["ancestors"]], ["major", "sub_major", "minor"]
        )
        soc2010 = get(self.client, f"{API}/soc/2010/{occupation.soc.soc2010.code}")
        self.assertIn(occupation.code, [o["code"] for o in soc2010["occupations"]])
        self.assertEqual(soc2010["sub_unit_groups"], [])
        sug = SubUnitGroup.objects.filter(mappings__isnull=False).order_by("code").first()
        unit, suffix = sug.code.split("/")
        document = get(self.client, f"{API}/soc/2020/{unit}/{suffix}")
        self.assertEqual(document["code"], sug.code)
        self.assertEqual(document["unit_group"]["code"], sug.unit_group.code)
        self.assertEqual(
            {(o["code"], o["is_primary"]) for o in document["occupations"]},
            set(sug.mappings.values_list("occupation__code", "is_primary")),
        )
        for doc in (majors, everything, soc2020, soc2010, document):
            assert_conventions(doc)

    def test_the_data_version(self):
        document = get(self.client, f"{API}/version")
        self.assertEqual(document["version"], DataVersion.current().version)
        self.assertEqual(document["latest_import"]["kind"], "maps")
        self.assertTrue(document["latest_import"]["finished_at"].endswith("Z"))
        self.assertEqual(document["latest_import"]["data_date"], "2026-07-06")
        self.assertEqual(document["data_as_at"], "2026-07-06")
        self.assertIn("Open Government Licence", document["licence"])
        root = get(self.client, f"{API}/")
        self.assertEqual(root["openapi"], f"http://testserver{API}/openapi.json")

    def test_the_schema_is_valid_openapi_3_and_names_every_endpoint(self):
        schema = get(self.client, f"{API}/openapi.json")
        validate(schema)
        self.assertTrue(schema["openapi"].startswith("3."))
        self.assertEqual(
            set(schema["paths"]),
            {
                f"{API}/version",
                f"{API}/routes",
                f"{API}/routes/{{slug}}",
                f"{API}/occupations",
                f"{API}/occupations/{{code}}",
                f"{API}/products",
                f"{API}/products/{{code}}",
                f"{API}/soc/{{version}}",
                f"{API}/soc/2010/{{code}}",
                f"{API}/soc/2020/{{code}}",
                f"{API}/soc/2020/{{unit}}/{{suffix}}",
                f"{API}/suggest",
                f"{API}/releases",
                f"{API}/releases/{{number}}",
            },
        )
        for item in schema["paths"].values():
            self.assertEqual(set(item), {"get"})
        # Every field is described; the route filter lists the slugs that exist.
        for name, component in schema["components"]["schemas"].items():
            for field, definition in component.get("properties", {}).items():
                self.assertTrue(definition.get("description"), f"{name}.{field}")
        route = next(
            p
            for p in schema["paths"][f"{API}/occupations"]["get"]["parameters"]
            if p["name"] == "route"
        )
        self.assertIn("digital", route["schema"]["enum"])

    def test_the_documentation_page_shows_a_live_example_for_every_endpoint(self):
        from site_pages import apidocs

        response = self.client.get(DOC_PAGE)
        self.assertEqual(response.status_code, 200)
        html = response.content.decode()
        self.assertNotIn("<script", html)
        self.assertNotIn("style=", html)
        self.assertNotIn("<style", html)
        self.assertIn("Open Government Licence v3.0", html)
        endpoints = response.context["endpoints"]
        self.assertEqual(len(endpoints), len(apidocs.ORDER))
        for endpoint in endpoints:
            with self.subTest(endpoint=endpoint.template):
                self.assertIsNotNone(endpoint.example, "every endpoint has an example")
                self.assertEqual(endpoint.example.status, 200, endpoint.example.path)
                self.assertIn(f'id="{endpoint.anchor}"', html)
                # The example is what the API answers for that request (shortened).
                live = get(self.client, endpoint.example.path)
                self.assertEqual(apidocs.shorten(live), endpoint.example.body)
        self.assertEqual([e.status for e in response.context["errors"]], [404, 400])


def test_the_documentation_page_without_data(client, db):
    response = client.get(DOC_PAGE)
    assert response.status_code == 200
    assert b"No example" in response.content


# The real Digital route, with the real SOC: loaded once for the class, rolled back after it.


@pytest.fixture(scope="class")
def digital(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            load_bundled()
            yield
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


@pytest.fixture
def api_schema(digital, db, settings):
    """The API's own OpenAPI schema, served by the WSGI app to schemathesis, in this thread
    and inside the test's transaction. Like Django's test client, it keeps the connection open
    between requests (Django closes it at each request's start and end otherwise, which would
    end the test's transaction on PostgreSQL)."""
    from occmaps.wsgi import application

    settings.ALLOWED_HOSTS = ["localhost", "testserver"]
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield schemathesis.openapi.from_wsgi(f"{API}/openapi.json", application)
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def csv_rows(client, query=""):
    response = client.get(f"/occupations/occupations.csv?{query}")
    assert response.status_code == 200
    return list(csv.DictReader(io.StringIO(response.content.decode())))


def json_rows(client, query=""):
    response = client.get(f"/occupations/occupations.json?{query}")
    assert response.status_code == 200
    return json.loads(response.content)["occupations"]


def all_results(client, path) -> tuple[int, list]:
    """Every result of a paginated list, following ``next``."""
    results, url, count = [], path, None
    while url:
        page = get(client, url.removeprefix("http://testserver"))
        count = page["count"] if count is None else count
        assert page["count"] == count
        results += page["results"]
        url = page["next"]
    return count, results


@pytest.mark.usefixtures("digital", "db")
class TestDigital:
    """The real Digital route (64 occupations), the three samples from other routes and the
    whole of SOC 2010 and SOC 2020."""

    FILTERS = [
        "",
        "route=digital",
        "level=4&level=5",
        "status=1&product_type=2",
        "q=data",
        "q=software+developer",
        "soc2020=2134",
        "soc2020=2134/01",
        "soc2010=2136",
        "green=true",
        "band=3&sort=-level",
        "sort=code",
    ]

    def test_the_api_the_downloads_and_the_pages_give_the_same_numbers(self, client):
        for query in self.FILTERS:
            count, api = all_results(client, f"{API}/occupations?{query}&page_size=100")
            rows = csv_rows(client, query)
            documents = json_rows(client, query)
            page = client.get(f"/occupations/?{query}")
            assert count == len(api) == len(rows) == len(documents), query
            assert page.context["page"].paginator.count == count, query
            assert [o["code"] for o in api] == [r["occupation_code"] for r in rows], query
            assert [o["code"] for o in api] == [d["occupation_code"] for d in documents], query
            for item, row in zip(api, documents, strict=True):
                assert item["title"] == row["title"]
                assert item["level"] == row["level"]
                assert item["band_name"] == row["band"]
                assert item["status_name"] == row["status"]
                assert item["status_date"] == row["status_date"]
                assert item["version"] == row["version"]
                assert item["standard_reference"] == row["standard_reference"]
                assert (item["route"] or {}).get("name") == row["route"]
                assert (item["pathway"] or {}).get("name") == row["pathway"]
                assert (item["cluster"] or {}).get("name") == row["cluster"]
                assert item["soc2010_code"] == row["soc2010_code"]
                assert item["soc2020_code"] == row["soc2020_code"]
                assert item["primary_sub_unit_group"] == row["primary_sub_unit_group"]
                assert sorted(t["type_name"] for t in item["product_types"]) == row["product_types"]
                assert item["url"] == row["url"]

    def test_the_api_and_the_map_export_and_the_home_page_agree(self, client):
        export = client.get("/downloads/occupational-maps.json")
        assert export.status_code == 200
        exported = {o["stdCode"]: o for o in json.loads(export.getvalue())["occupations"]}
        count, listed = all_results(client, f"{API}/occupations?page_size=100")
        assert count == len(listed) == len(exported) == Occupation.objects.count() == 64 + 3
        assert {o["code"] for o in listed} == set(exported)
        for code in ("OCC0118", "OCC0116", "OCC0482A", "OCC1043"):
            item = get(client, f"{API}/occupations/{code}")
            source = exported[code]
            assert (item["title"], item["level"], item["status"]) == (
                source["name"],
                source["level"],
                source["status"],
            )
            assert item["status_name"] == source["statusName"]
            assert sorted(p["code"] for p in item["products"]) == sorted(
                p["productCode"] for p in source["products"]
            )
            for version in ("soc2010", "soc2020"):
                group = item[version]
                assert (int(group["code"]) if group else 0) == source["soc"][f"{version}Code"]
            assert [(s["code"], s["is_primary"]) for s in item["sub_unit_groups"]] == [
                (s["code"], s["isPrimary"]) for s in source["soc"]["soc2020SubUnitGroups"]
            ]
            assert item["cluster"]["api_id"] == source["mapHierarchy"]["clusterId"]
            assert [t["name"] for t in item["job_titles"]] == [
                t["name"] for t in source["typicalJobTitles"]
            ]
            assert {p["code"] for p in item["progression"]} >= {
                p["stdCode"] for p in source["progression"]
            }
        home = client.get("/")
        routes = {r["slug"]: r for r in get(client, f"{API}/routes")}
        for route in home.context["routes"]:
            assert routes[route.slug]["occupation_count"] == route.occupation_count
            by_status = {
                s["status"]: s["count"] for s in routes[route.slug]["occupations_by_status"]
            }
            assert by_status == {
                s.value: getattr(route, f"status_{s.value}") for s in Occupation.Status
            }
        digital = get(client, f"{API}/routes/digital")
        cards = [
            card["code"]
            for pathway in digital["pathways"]
            for row in pathway["rows"]
            for cluster in row["clusters"]
            for card in cluster["occupations"]
        ]
        on_digital = [c for c, o in exported.items() if o["mapHierarchy"]["routeId"] == 7]
        assert sorted(cards) == sorted(on_digital) and len(cards) == 64

    def test_query_counts_do_not_grow_with_the_results(self, client):
        def queries(path):
            return count_queries(client, path)[0]

        # Lists: a page of 2 costs what a page of 100 does.
        assert (
            queries(f"{API}/occupations?page_size=2")
            == queries(f"{API}/occupations?page_size=100")
            == 4
        )
        assert (
            queries(f"{API}/products?page_size=2") == queries(f"{API}/products?page_size=100") == 3
        )
        assert queries(f"{API}/soc/2020?level=major") == queries(f"{API}/soc/2020") == 1
        assert queries(f"{API}/routes") == 1
        # One occupation with many links costs what one with few does.
        few = Occupation.objects.get(code="OCC1043")
        many = Occupation.objects.get(code="OCC0118")
        assert many.product_links.count() > few.product_links.count() + 10
        assert queries(f"{API}/occupations/OCC1043") == queries(f"{API}/occupations/OCC0118") == 6
        assert queries(f"{API}/routes/digital") == 6
        # SOC groups with the most occupations cost what ones with none do.
        assert queries(f"{API}/soc/2020/2135") == queries(f"{API}/soc/2020/9111") == 5
        assert queries(f"{API}/soc/2010/2135") == queries(f"{API}/soc/2010/9111") == 3
        assert queries(f"{API}/soc/2020/3131/02") == queries(f"{API}/soc/2020/1111/03") == 3
        assert queries(f"{API}/products/ST0482") == queries(f"{API}/products/HTQDZ0001") == 2

    def test_every_answer_on_the_real_data_matches_the_schema(self, api_schema):
        """Each real occupation, route, product and mapped SOC group, validated by schemathesis
        against the OpenAPI schema (types, required fields, enums, formats)."""
        paths = [f"{API}/routes/{slug}" for slug in Route.objects.values_list("slug", flat=True)]
        paths += [
            f"{API}/occupations/{code}"
            for code in Occupation.objects.values_list("code", flat=True)
        ]
        paths += [
            f"{API}/products/{code}" for code in Product.objects.values_list("code", flat=True)
        ]
        paths += [
            f"{API}/soc/2020/{code}"
            for code in SocGroup.objects.filter(version=2020, soc2020_mappings__isnull=False)
            .distinct()
            .values_list("code", flat=True)
        ]
        paths += [
            f"{API}/soc/2010/{code}"
            for code in SocGroup.objects.filter(version=2010, soc2010_mappings__isnull=False)
            .distinct()
            .values_list("code", flat=True)
        ]
        paths += [
            f"{API}/soc/2020/{code}"
            for code in SubUnitGroup.objects.filter(mappings__isnull=False)
            .distinct()
            .values_list("code", flat=True)
        ]
        paths += [f"{API}/occupations?page_size=100", f"{API}/products?page_size=100"]
        paths += [f"{API}/soc/2010", f"{API}/soc/2020", f"{API}/version", f"{API}/routes"]
        client = WerkzeugClient(api_schema.app)
        for path in paths:
            response = client.get(path, headers={"Host": "testserver"})
            assert response.status_code == 200, (path, response.get_data()[:300])
            operation = api_schema.find_operation_by_path("GET", path.split("?")[0])
            operation.validate_response(response)
            assert_conventions(response.get_json())


def threaded(app):
    """The WSGI app, closing the database connections schemathesis's worker threads open."""

    def run(environ, start_response):
        try:
            return app(environ, start_response)
        finally:
            if threading.current_thread() is not threading.main_thread():
                connections.close_all()

    return run


def test_schemathesis_finds_no_failures(transactional_db, settings):
    """Property-based, as ``schemathesis run`` does it (examples, coverage, fuzzing and
    stateful phases; every check): requests generated from the schema, valid and not, never
    fail on our side, and every answer conforms to the schema. The data is committed
    (``transactional_db``) so that the engine's worker thread sees it."""
    from occmaps.wsgi import application

    load_bundled()
    settings.ALLOWED_HOSTS = ["localhost"]  # the host schemathesis's WSGI client sends
    config = SchemathesisConfig.from_dict(
        {"workers": 1, "generation": {"max-examples": EXAMPLES, "database": "none"}}
    )
    schema = schemathesis.openapi.from_wsgi(
        f"{API}/openapi.json", threaded(application), config=config
    )
    failures, tested, finished = [], set(), None
    for event in schemathesis.engine.from_schema(schema).execute():
        if isinstance(event, events.ScenarioFinished):
            tested.add(event.label)
            for checks in event.recorder.checks.values():
                failures += [
                    f"{event.phase} {event.label} {check.name}: {check.failure_info.failure}\n"
                    f"{check.failure_info.code_sample}"
                    for check in checks
                    if check.failure_info is not None
                ]
        elif isinstance(event, events.NonFatalError | events.FatalError):
            error = event.info.message if hasattr(event, "info") else event.exception
            failures.append(f"{type(event).__name__}: {error}")
        elif isinstance(event, events.EngineFinished):
            finished = event
    assert not failures, "\n\n".join(dict.fromkeys(failures))
    assert finished is not None and finished.stop_reason == StopReason.COMPLETED
    assert {f"GET {path}" for path in schema.raw_schema["paths"]} <= tested


def test_settings_keep_the_api_inside_the_cache(db):
    """The API goes through the public cache, which comes first: the answers it keeps have
    been through the API middleware (CORS)."""
    middleware = settings.MIDDLEWARE
    assert middleware[0] == "occmaps.middleware.PublicCacheMiddleware"
    assert "occmaps.middleware.ApiMiddleware" in middleware
    assert reverse("api:occupations") == f"{API}/occupations"
