"""Every public page renders in a fixed number of queries, whatever the size of the map.

The same numbers are pinned on the bundled real data (the Digital route, 64 occupations, and three
from other routes) and at national scale (the real data plus a synthetic snapshot of 1,300
occupations whose largest route holds about 150). Each request
starts with an empty page cache, so these are the costs of rendering, not of cache hits. The
data version is not among them: each worker holds it in memory (``core.dataversion``), read
here before each page as the search's vocabulary is.
"""

import io
import tempfile
from pathlib import Path

from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.db.models import Count
from django.test import TestCase
from django.test.utils import CaptureQueriesContext

from benchmarks.snapshot import generate
from core import dataversion
from occupations import search
from occupations.models import Occupation
from socmapping.models import SocGroup, SubUnitGroup
from tests.bundled import load_bundled

#: Page → queries to render it.
EXPECTED = {
    "home": 2,
    "route map": 7,  # with the release it last changed in: one query
    # Its progression entries whose occupation is not loaded: one query; its History: one.
    "occupation": 9,
    "search": 5,
    # The page's 5 and the text search's 8: the vocabulary's key (2), the
    # occupations and the coding index entries found (2), the occupations those entries lead to
    # (3: by sub-unit group, by unit group twice) and the titles of those (1); the same whatever
    # the number of results.
    "search with text": 13,
    "search CSV": 3,
    "SOC unit group": 5,
    "SOC sub-unit group": 3,
    "SOC hierarchy": 1,
    "SOC index": 1,
    "downloads": 14,
    "about": 0,
    "releases": 4,
    "release": 8,
    "releases compared": 6,
}


def pages(largest_route: str) -> dict[str, str]:
    busiest = (
        Occupation.objects.annotate(n=Count("progressions_out") + Count("progressions_in"))
        .order_by("-n", "code")
        .first()
    )
    unit = (
        SocGroup.objects.filter(version=2020, level="unit")
        .annotate(n=Count("soc2020_mappings"))
        .order_by("-n", "code")
        .first()
    )
    sub_unit_group = SubUnitGroup.objects.annotate(n=Count("mappings")).order_by("-n").first()
    return {
        "home": "/",
        "route map": f"/routes/{largest_route}/",
        "occupation": busiest.get_absolute_url(),
        "search": "/occupations/?level=3&level=4&sort=title",
        "search with text": "/occupations/?q=engineer",
        "search CSV": "/occupations/occupations.csv?status=1",
        "SOC unit group": unit.get_absolute_url(),
        "SOC sub-unit group": sub_unit_group.get_absolute_url(),
        "SOC hierarchy": "/soc/2020/",
        "SOC index": "/soc/",
        "downloads": "/downloads/",
        "about": "/about/",
        "releases": "/changes/",
        "release": "/changes/1/",
        "releases compared": "/changes/?from=0&to=1",
    }


class QueryCounts:
    largest_route = "digital"

    def measure(self, url: str) -> int:
        cache.clear()
        search.vocabulary()  # built once per version of the data, not per page
        dataversion.refresh()  # held by each worker, read at most once a second
        with CaptureQueriesContext(connection) as queries:
            response = self.client.get(url)
            if response.streaming:
                b"".join(response.streaming_content)
        self.assertEqual(response.status_code, 200, url)
        return len(queries)

    def test_each_page_has_its_pinned_number_of_queries(self):
        measured = {name: self.measure(url) for name, url in pages(self.largest_route).items()}
        self.assertEqual(measured, EXPECTED)


class OnTheRealData(QueryCounts, TestCase):
    @classmethod
    def setUpTestData(cls):
        load_bundled()


class AtNationalScale(QueryCounts, TestCase):
    @classmethod
    def setUpTestData(cls):
        load_bundled()
        with tempfile.TemporaryDirectory() as folder:
            snapshot = generate(Path(folder), occupations=1300)
            call_command("import_maps", str(snapshot.folder), stdout=io.StringIO())
            cls.largest_route = snapshot.counts["largest_route"]["slug"]
        cls.occupations = Occupation.objects.count()

    def test_the_map_is_national_sized(self):
        self.assertGreater(self.occupations, 1300)
        route_size = Occupation.objects.filter(cluster__pathway__route__slug=self.largest_route)
        self.assertGreaterEqual(route_size.count(), 120)
