"""The public pages, on the bundled real data: the complete Digital route, three occupations from
other routes and the ONS SOC files."""

import csv
import io
import json
from collections import Counter

from django.test import TestCase
from django.urls import reverse
from django.utils import timezone

from core.models import ImportRecord
from occupations.models import Occupation, Progression
from routes.models import Route
from socmapping.models import SocGroup, SubUnitGroup
from tests.bundled import load_bundled
from tests.html import element_ids, map_places


def body(response) -> str:
    if response.streaming:
        return b"".join(response.streaming_content).decode()
    return response.content.decode()


class BundledPages(TestCase):
    @classmethod
    def setUpTestData(cls):
        load_bundled()

    def test_home_lists_the_15_routes_in_sequence_with_counts(self):
        response = self.client.get(reverse("home"))
        self.assertEqual(response.status_code, 200)
        routes = list(response.context["routes"])
        self.assertEqual(len(routes), 15)
        self.assertEqual([r.sequence for r in routes], sorted(r.sequence for r in routes))
        counts = {r.name: r.occupation_count for r in routes}
        self.assertEqual(
            {name: count for name, count in counts.items() if count},
            {
                "Digital": 64,
                "Agriculture, environmental and animal care": 1,  # OCC0016
                "Health and science": 1,  # OCC0702
                "Creative and design": 1,  # OCC1046
            },
        )
        loaded = timezone.localtime(ImportRecord.objects.latest_of("maps").finished_at)
        self.assertContains(
            response,
            "Map data as at 6 July 2026 (Skills England Occupational Maps API); "
            f"loaded into this site on {loaded:%-d %B %Y}.",
        )
        self.assertContains(response, 'name="q"')

    def test_a_route_whose_map_is_not_loaded_says_so_plainly(self):
        response = self.client.get("/routes/construction-and-the-built-environment/")
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "This route’s map is not in the loaded data.")
        for part in ('class="filters"', 'class="legend', 'class="map-grid', "0 occupations"):
            self.assertNotContains(response, part)
        home = self.client.get("/")
        self.assertContains(home, "Map not in the loaded data", count=15 - 4)
        digital = self.client.get("/routes/digital/")
        self.assertNotContains(digital, "not in the loaded data")
        self.assertContains(digital, 'class="filters"')

    def test_route_map_places_every_occupation_in_its_row_and_band(self):
        route = Route.objects.get(slug="digital")
        response = self.client.get(route.get_absolute_url())
        self.assertEqual(response.status_code, 200)
        places = map_places(body(response))
        occupations = Occupation.objects.in_route(route).select_related(
            "cluster__row", "cluster__pathway"
        )
        self.assertEqual(len(places), occupations.count())
        for occupation in occupations:
            cluster = occupation.cluster
            self.assertEqual(
                places[occupation.code],
                (
                    cluster.pathway.slug,
                    str(cluster.row.api_id),
                    str(cluster.band),
                    str(cluster.api_id),
                ),
                occupation.code,
            )
        # Within a cluster, cards go by level, then title.
        html = body(response)
        for cluster_id in {p[3] for p in places.values()}:
            codes = [c for c, p in places.items() if p[3] == cluster_id]
            ordered = sorted(
                Occupation.objects.filter(code__in=codes), key=lambda o: (o.level, o.title)
            )
            positions = [html.index(f'data-code="{o.code}"') for o in ordered]
            self.assertEqual(positions, sorted(positions))

    def test_route_map_shows_status_products_and_links_on_cards(self):
        response = self.client.get(reverse("routes:detail", args=["digital"]))
        self.assertContains(response, "tag--approved")
        self.assertContains(response, '<span class="visually-hidden">Apprenticeship</span>')
        self.assertContains(response, "progression link")
        self.assertContains(response, "Key")  # the legend
        self.assertContains(response, 'href="#', count=None)

    def test_route_map_filters_say_what_is_hidden(self):
        route = Route.objects.get(slug="digital")
        approved = Occupation.objects.in_route(route).approved().count()
        total = Occupation.objects.in_route(route).count()
        response = self.client.get(route.get_absolute_url(), {"status": "1"})
        self.assertEqual(response.status_code, 200)
        places = map_places(body(response))
        self.assertEqual(len(places), approved)
        self.assertTrue(
            all(Occupation.objects.get(code=c).status == 1 for c in places), "only approved"
        )
        self.assertContains(
            response, f"Showing {approved} of {total} occupations; {total - approved} hidden"
        )
        self.assertContains(response, "Status: Approved occupation")

    def test_route_map_band_and_product_filters(self):
        response = self.client.get(
            reverse("routes:detail", args=["digital"]), {"band": "3", "product_type": "1"}
        )
        places = map_places(body(response))
        self.assertTrue(places)
        for code in places:
            occupation = Occupation.objects.get(code=code)
            self.assertIn(occupation.level, (6, 7))
            self.assertTrue(occupation.products.filter(type=1).exists())

    def test_route_map_bad_filter_shows_the_error(self):
        response = self.client.get(reverse("routes:detail", args=["digital"]), {"status": "9"})
        self.assertEqual(response.status_code, 400)
        self.assertContains(response, "There is a problem", status_code=400)
        self.assertContains(response, "Select a valid choice", status_code=400)

    def test_unknown_route_is_404(self):
        response = self.client.get("/routes/no-such-route/")
        self.assertEqual(response.status_code, 404)
        self.assertContains(response, "Page not found", status_code=404)

    def test_occupation_codes_are_case_insensitive(self):
        code = Occupation.objects.order_by("code").first().code
        response = self.client.get(f"/occupations/{code.lower()}/")
        self.assertRedirects(response, f"/occupations/{code}/", status_code=301)

    def test_unknown_occupation_is_404(self):
        self.assertEqual(self.client.get("/occupations/OCC9999/").status_code, 404)

    def test_search_by_text_and_filters(self):
        response = self.client.get(reverse("occupations:list"), {"q": "network"})
        self.assertEqual(response.status_code, 200)
        titles = [o.title.lower() for o in response.context["page"].object_list]
        self.assertTrue(titles)
        self.assertTrue(any("network" in t for t in titles))
        response = self.client.get(
            reverse("occupations:list"), {"level": ["6", "7"], "status": "1"}
        )
        found = response.context["page"].object_list
        self.assertTrue(all(o.level in (6, 7) and o.status == 1 for o in found))
        self.assertEqual(
            response.context["page"].paginator.count,
            Occupation.objects.filter(level__in=[6, 7], status=1).count(),
        )

    def test_search_by_code_and_soc(self):
        occupation = (
            Occupation.objects.filter(soc__soc2010__isnull=False)
            .select_related("soc__soc2010")
            .first()
        )
        # An occupation code in the box goes straight to the occupation's page (issue 14).
        response = self.client.get(reverse("occupations:list"), {"q": occupation.code.lower()})
        self.assertRedirects(response, occupation.get_absolute_url())
        response = self.client.get(
            reverse("occupations:download_json"), {"q": occupation.code.lower()}
        )
        codes = [row["occupation_code"] for row in json.loads(body(response))["occupations"]]
        self.assertEqual(codes, [occupation.code])
        response = self.client.get(
            reverse("occupations:list"), {"soc2010": occupation.soc.soc2010.code}
        )
        self.assertIn(occupation, response.context["page"].object_list)

    def test_search_form_puts_the_search_box_first_with_plain_labels(self):
        response = self.client.get(reverse("occupations:list"))
        fields = list(response.context["filterset"].form.fields)
        self.assertEqual(fields[:4], ["q", "route", "pathway", "level"])
        self.assertEqual(len(fields), len(set(fields)))
        self.assertContains(response, '<label class="label" for="id_route">Route</label>')
        self.assertContains(response, '<label class="label" for="id_pathway">Pathway</label>')
        self.assertNotContains(response, "Cluster pathway")

    def test_search_invalid_values_show_the_form_error(self):
        for params in (
            {"level": "9"},
            {"soc2010": "12"},
            {"soc2020": "abcd"},
            {"route": "nowhere"},
            {"sort": "x"},
        ):
            response = self.client.get(reverse("occupations:list"), params)
            self.assertEqual(response.status_code, 400, params)
            self.assertContains(response, "There is a problem", status_code=400)

    def test_search_huge_page_numbers_clamp(self):
        response = self.client.get(reverse("occupations:list"), {"page": "99999999999"})
        self.assertEqual(response.status_code, 200)
        response = self.client.get(reverse("occupations:list"), {"page": "x"})
        self.assertEqual(response.status_code, 200)

    def test_csv_download_matches_the_filters(self):
        response = self.client.get(
            reverse("occupations:download_csv"), {"status": "1", "level": "3"}
        )
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response["Content-Type"], "text/csv; charset=utf-8")
        rows = list(csv.DictReader(io.StringIO(body(response))))
        expected = Occupation.objects.filter(status=1, level=3)
        self.assertEqual(
            {r["occupation_code"] for r in rows}, set(expected.values_list("code", flat=True))
        )
        self.assertTrue(all(r["status"] == "Approved occupation" for r in rows))

    def test_json_download_matches_the_search(self):
        response = self.client.get(reverse("occupations:download_json"), {"q": "engineer"})
        data = json.loads(body(response))
        page = self.client.get(reverse("occupations:list"), {"q": "engineer"}).context["page"]
        self.assertEqual(len(data["occupations"]), page.paginator.count)
        self.assertTrue(data["occupations"])
        self.assertTrue(all(o["url"].startswith("http") for o in data["occupations"]))

    def test_soc_pages(self):
        unit = SocGroup.objects.filter(
            version=2020, level="unit", soc2020_mappings__isnull=False
        ).first()
        response = self.client.get(unit.get_absolute_url())
        self.assertEqual(response.status_code, 200)
        for mapping in unit.soc2020_mappings.select_related("occupation"):
            self.assertContains(response, mapping.occupation.get_absolute_url())
        self.assertContains(response, unit.parent.title)  # its place in the hierarchy
        lonely = SocGroup.objects.create(version=2020, code="9999", level="unit", title="Unused")
        response = self.client.get(lonely.get_absolute_url())
        self.assertContains(response, "No occupation on the maps has")
        sub_unit_group = SubUnitGroup.objects.filter(mappings__is_primary=True).first()
        response = self.client.get(sub_unit_group.get_absolute_url())
        self.assertContains(response, "As their primary sub-unit group")
        self.assertEqual(self.client.get("/soc/2020/9998/").status_code, 404)
        self.assertEqual(self.client.get("/soc/2015/1111/").status_code, 404)
        self.assertEqual(
            self.client.get(reverse("socmapping:hierarchy", args=[2010])).status_code, 200
        )
        self.assertEqual(self.client.get(reverse("socmapping:index")).status_code, 200)

    def test_downloads_page_and_files(self):
        response = self.client.get(reverse("downloads"))
        self.assertContains(response, "not an official coding")
        self.assertContains(response, "Open Government Licence")
        response = self.client.get(reverse("download_file", args=["soc2010-mapping.csv"]))
        rows = list(csv.DictReader(io.StringIO(body(response))))
        self.assertEqual(len(rows), Occupation.objects.filter(soc__soc2010__isnull=False).count())
        response = self.client.get(reverse("download_file", args=["occupational-maps.json"]))
        data = json.loads(body(response))
        self.assertEqual(len(data["occupations"]), Occupation.objects.count())
        self.assertEqual(len(data["routes"]), 15)
        self.assertEqual(self.client.get("/downloads/secret.txt").status_code, 404)

    def test_about_page(self):
        response = self.client.get(reverse("about"))
        self.assertContains(response, "Why an occupation sits on one route only")

    def test_pages_refuse_post(self):
        for url in (
            "/",
            "/routes/digital/",
            "/occupations/",
            "/soc/",
            "/downloads/",
            "/about/",
        ):
            self.assertEqual(self.client.post(url).status_code, 405, url)


class DigitalPages(TestCase):
    """The real Digital route (and its SOC codes) loaded by the real importers."""

    @classmethod
    def setUpTestData(cls):
        load_bundled()

    def test_digital_map_places_all_64_occupations_where_the_api_puts_them(self):
        response = self.client.get("/routes/digital/")
        places = map_places(body(response))
        self.assertEqual(len(places), 64)
        for occupation in Occupation.objects.in_route(
            Route.objects.get(slug="digital")
        ).with_map_place():
            cluster = occupation.cluster
            self.assertEqual(
                places[occupation.code][1:],
                (str(cluster.row.api_id), str(cluster.band), str(cluster.api_id)),
            )
        self.assertEqual(
            Counter(p[2] for p in places.values()), Counter({"1": 14, "2": 22, "3": 28})
        )
        ids = element_ids(body(response))
        self.assertEqual(len(ids), len(set(ids)), "element ids are unique")

    def test_data_analyst_page(self):
        response = self.client.get("/occupations/OCC0118/")
        self.assertEqual(response.status_code, 200)
        html = body(response)
        for text in (
            "Data analyst",
            "ST0118",
            "Level 4, Higher Technical (levels 4 to 5)",
            "Digital Business Services",
            "Data analyst advanced technician",
            "Energy Data Analyst",
            "3544/00 Data analysts",
            "2433/04",
            "3539",
            "<svg",
            "Foundation Degree in Computer Science",
        ):
            self.assertIn(text, html)
        # The primary sub-unit group comes first.
        self.assertLess(html.index("3544/00"), html.index("2433/04"))
        # Every neighbour is in the lists and in the diagram.
        analyst = Occupation.objects.get(code="OCC0118")
        links = (
            Progression.objects.filter(from_occupation=analyst).count()
            + Progression.objects.filter(to_occupation=analyst).count()
        )
        # The count also takes the entry whose occupation is not loaded (OCC0649), which the
        # lists show and the diagram, made of loaded occupations, does not.
        unloaded = analyst.unloaded_links.count()
        self.assertEqual(unloaded, 1)
        self.assertEqual(response.context["neighbour_count"], links + unloaded)
        self.assertEqual(len(response.context["diagram"].nodes), links)
        self.assertIn('data-not-loaded="OCC0649"', html)
        self.assertNotIn("&amp;nbsp;", html)

    def test_cross_route_links_name_their_route(self):
        analyst = Occupation.objects.get(code="OCC0118")
        packhouse = Occupation.objects.get(code="OCC0016")  # on the Agriculture route
        Progression.objects.create(from_occupation=packhouse, to_occupation=analyst)
        response = self.client.get(analyst.get_absolute_url())
        self.assertContains(response, "Agriculture, environmental and animal care route")
        response = self.client.get(Occupation.objects.get(code="OCC0585").get_absolute_url())
        self.assertNotContains(response, ", Digital route)")  # same route: not named

    def test_full_text_search_ranks_the_title_match_first(self):
        response = self.client.get(reverse("occupations:list"), {"q": "data analyst"})
        first = response.context["page"].object_list[0]
        self.assertIn("data", first.title.lower())
        self.assertIn("analyst", first.title.lower())


class SmallerFaults(TestCase):
    """Issue 13, part 5, on the bundled real data."""

    @classmethod
    def setUpTestData(cls):
        load_bundled()

    def test_employers_show_without_a_summary(self):
        occupation = Occupation.objects.exclude(involved_employers="").first()
        Occupation.objects.filter(pk=occupation.pk).update(summary="")
        response = self.client.get(occupation.get_absolute_url())
        self.assertContains(response, "Employers involved")
        self.assertContains(response, occupation.involved_employers[:40])

    def test_placeholders_are_not_yet_assigned(self):
        response = self.client.get("/occupations/OCC1090/")  # a potential standard, version 0.0
        self.assertContains(response, "Not yet assigned", count=2)
        for placeholder in ("<dd>None</dd>", "<dd>0.0</dd>"):
            self.assertNotContains(response, placeholder)

    def test_retired_and_developing_products_are_marked_apart(self):
        from occupations.models import Product

        self.assertEqual(Product.state_of("Approved for delivery"), "live")
        self.assertEqual(Product.state_of(""), "live")
        self.assertEqual(Product.state_of("Retired"), "retired")
        self.assertEqual(Product.state_of("In development"), "in-development")
        route = Occupation.objects.get(code="OCC0016").cluster.pathway.route
        response = self.client.get(route.get_absolute_url())
        self.assertContains(response, "marker--retired")
        self.assertContains(response, "Apprenticeship (retired)")

    def test_the_header_links_to_every_part_of_the_site(self):
        response = self.client.get("/")
        header = body(response).split("</header>")[0]
        for url in ("/", "/occupations/", "/soc/", "/downloads/", "/api/"):
            self.assertIn(f'href="{url}"', header)

    def test_soc_2010_titles_are_in_sentence_case(self):
        for url in ("/soc/", "/soc/2010/"):
            with self.subTest(url):
                response = self.client.get(url)
                self.assertNotContains(response, "PROFESSIONAL OCCUPATIONS")
