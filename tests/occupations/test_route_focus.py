"""``/routes/<slug>/?focus=OCC…``: the chosen tile and the tiles linked to it, checked against the
progression links in the bundled real data (without JavaScript: the server renders them)."""

from html.parser import HTMLParser

from django.db import connection
from django.db.models import Q
from django.test import TestCase
from django.test.utils import CaptureQueriesContext

from core import dataversion
from occupations.models import Occupation, Progression, UnloadedProgression
from tests.bundled import load_bundled

#: Digital occupations with few and many links, links to other routes and none at all.
FOCUSED = ["OCC0118", "OCC0795", "OCC0116", "OCC0585", "OCC0482I"]


class Tiles(HTMLParser):
    """Collects every tile's attributes by code, and the codes the focus panel lists."""

    def __init__(self):
        super().__init__()
        self.tiles: dict[str, dict] = {}
        self.panel: dict[str, str] = {}

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "li" and "data-code" in attributes:
            self.tiles[attributes["data-code"]] = attributes
        if tag == "li" and "data-target" in attributes:
            self.panel[attributes["data-target"]] = attributes.get("data-link")


def expected_sides(occupation: Occupation) -> dict[str, str]:
    """The other end of each of the occupation's links and its side, from the database."""
    sides: dict[str, set] = {}
    links = Progression.objects.filter(
        Q(from_occupation=occupation) | Q(to_occupation=occupation)
    ).select_related("from_occupation", "to_occupation")
    for link in links:
        outgoing = link.from_occupation_id == occupation.pk
        other = link.to_occupation if outgoing else link.from_occupation
        if link.directed:
            side = "to" if outgoing else "from"
        elif other.level != occupation.level:
            side = "to" if other.level > occupation.level else "from"
        else:
            side = "both"
        sides.setdefault(other.code, set()).add(side)
    for entry in UnloadedProgression.objects.filter(occupation=occupation):
        level = entry.level or occupation.level
        side = "to" if level > occupation.level else "from" if level < occupation.level else "both"
        sides.setdefault(entry.code, set()).add(side)
    return {code: found.pop() if len(found) == 1 else "both" for code, found in sides.items()}


class RouteFocus(TestCase):
    @classmethod
    def setUpTestData(cls):
        load_bundled()

    def parse(self, path):
        response = self.client.get(path)
        self.assertEqual(response.status_code, 200)
        parser = Tiles()
        parser.feed(response.content.decode())
        return response, parser

    def test_focus_marks_exactly_the_linked_tiles(self):
        for code in FOCUSED:
            with self.subTest(code):
                occupation = Occupation.objects.get(code=code)
                sides = expected_sides(occupation)
                self.assertTrue(sides, f"{code} has links in the data")
                response, page = self.parse(f"/routes/digital/?focus={code}")
                self.assertEqual(page.tiles[code].get("aria-current"), "true")
                on_map = {c: a["data-link"] for c, a in page.tiles.items() if "data-link" in a}
                route_codes = set(page.tiles)
                self.assertEqual(on_map, {c: side for c, side in sides.items() if c in route_codes})
                dimmed = {c for c, a in page.tiles.items() if "data-dimmed" in a}
                self.assertEqual(dimmed, route_codes - set(on_map) - {code})
                # The panel lists every link: on this route, on another or not loaded.
                self.assertEqual(page.panel, sides)
                self.assertContains(response, 'id="focus"')

    def test_linked_tiles_say_so_in_words(self):
        response, _ = self.parse("/routes/digital/?focus=OCC0118")
        self.assertContains(response, "Onward step")
        self.assertContains(response, "Step into it")
        self.assertContains(response, "Chosen: its links are marked")

    def test_every_tile_offers_the_focus_link_keeping_the_filters(self):
        response, page = self.parse("/routes/digital/")
        for code in page.tiles:
            self.assertContains(response, f'href="?focus={code}#focus"')
        response = self.client.get("/routes/digital/", {"status": "1", "focus": "OCC0118"})
        self.assertContains(response, 'href="?status=1&amp;focus=OCC0585#focus"')
        self.assertContains(response, '<input type="hidden" name="focus" value="OCC0118">')

    def test_without_focus_nothing_is_marked(self):
        response, page = self.parse("/routes/digital/")
        for attributes in page.tiles.values():
            self.assertFalse({"aria-current", "data-link", "data-dimmed"} & set(attributes))
        self.assertNotContains(response, 'id="focus"')

    def test_an_unknown_focus_is_said_and_marks_nothing(self):
        response, page = self.parse("/routes/digital/?focus=OCC9999")
        self.assertContains(response, "OCC9999 is not an occupation on this map")
        self.assertFalse(any("aria-current" in a for a in page.tiles.values()))
        # An occupation on another route is not focused on this one either.
        response, page = self.parse("/routes/digital/?focus=OCC0016")
        self.assertContains(response, "OCC0016 is not an occupation on this map")

    def test_focus_costs_the_same_few_queries_whatever_the_number_of_links(self):
        counts = []
        for code in ("OCC1343", "OCC0795"):  # one link and twenty
            dataversion.refresh()  # held by each worker: not the page's cost
            with CaptureQueriesContext(connection) as queries:
                self.client.get(f"/routes/digital/?focus={code}")
            counts.append(len(queries))
        self.assertEqual(counts[0], counts[1])
