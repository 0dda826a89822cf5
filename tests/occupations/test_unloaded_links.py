"""Progression entries whose occupation is not loaded: kept as the source gives them, listed on
the occupation's page, counted on its tile, marked on the map's focus panel and on the
data-quality page. Checked against every entry of the bundled Digital route's source files."""

import json
import re
from io import StringIO

from django.core.management import call_command
from django.test import TestCase

from occupations.models import Occupation, UnloadedProgression
from tests.bundled import MAPS, load_bundled


def source_entries() -> dict[str, list[dict]]:
    """Each bundled occupation file's progression entries, by the occupation's code."""
    found = {}
    for path in sorted((MAPS / "digital").glob("*.json")):
        document = json.loads(path.read_text())
        if isinstance(document, dict) and document.get("object") == "Occupation":
            found[document["stdCode"]] = document.get("progression") or []
    return found


class UnloadedLinks(TestCase):
    @classmethod
    def setUpTestData(cls):
        load_bundled()

    def test_the_import_keeps_entries_whose_occupation_is_not_loaded(self):
        kept = UnloadedProgression.objects.get(occupation__code="OCC0116", code="OCC0013")
        self.assertEqual(
            (kept.title, kept.level, kept.status), ("High integrity software engineer", 6, 1)
        )
        self.assertTrue(
            UnloadedProgression.objects.filter(occupation__code="OCC0118", code="OCC0649").exists()
        )
        loaded = set(Occupation.objects.values_list("code", flat=True))
        expected = {
            (code, entry["stdCode"])
            for code, entries in source_entries().items()
            for entry in entries
            if entry["stdCode"] not in loaded
        }
        self.assertTrue(expected)
        self.assertEqual(
            set(UnloadedProgression.objects.values_list("occupation__code", "code")), expected
        )

    def test_no_entry_in_the_source_is_missing_from_its_occupations_page(self):
        sources = source_entries()
        loaded = set(Occupation.objects.values_list("code", flat=True))
        for code, entries in sources.items():
            with self.subTest(code):
                html = self.client.get(f"/occupations/{code}/").content.decode()
                section = html[html.index('id="progression"') :]
                for entry in entries:
                    self.assertIn(entry["stdCode"], section)
                    self.assertIn(entry["name"].strip().split()[0], section)
                # A link is listed from both ends, whichever file gives it.
                codes = {entry["stdCode"] for entry in entries} | {
                    other
                    for other, listed in sources.items()
                    if any(entry["stdCode"] == code for entry in listed)
                }
                codes.discard(code)
                if codes and codes <= loaded | {e["stdCode"] for e in entries}:
                    self.assertIn(f"is linked to {len(codes)} occupation", section)

    def test_an_entry_not_loaded_says_so_with_what_the_source_gives(self):
        response = self.client.get("/occupations/OCC0116/")
        self.assertContains(
            response,
            'data-not-loaded="OCC0013">High integrity software engineer '
            '<span class="hint">(OCC0013, approved occupation; not on a loaded map',
        )

    def test_tile_counts_equal_what_the_pages_list(self):
        html = self.client.get("/routes/digital/").content.decode()
        counts = dict(
            re.findall(r'href="\?focus=(OCC\w+)#focus"><span[^>]*>[^<]*</span>(\d+) link', html)
        )
        self.assertEqual(len(counts), 64)
        for code, count in counts.items():
            page = self.client.get(f"/occupations/{code}/").content.decode()
            listed = len(
                re.findall(
                    r"<li(?: data-not-loaded=\"[^\"]+\")?>(?:<a href=\"/occupations/|[^<])",
                    page[
                        page.index('id="progression"') : page.index('id="cluster"')
                        if 'id="cluster"' in page
                        else None
                    ],
                )
            )
            self.assertEqual(int(count), listed, code)

    def test_the_focus_panel_lists_them_as_not_on_a_loaded_map(self):
        response = self.client.get("/routes/digital/?focus=OCC0116")
        self.assertContains(response, 'data-target="OCC0013"')
        self.assertContains(response, "not on a loaded map")

    def test_the_import_reports_them_and_a_second_run_changes_nothing(self):
        out = StringIO()
        call_command("import_maps", str(MAPS / "digital"), verbosity=2, stdout=out, stderr=out)
        self.assertIn("No changes", out.getvalue())
        self.assertIn("kept as a link to an occupation not loaded", out.getvalue())
        self.assertEqual(UnloadedProgression.objects.filter(occupation__code="OCC0116").count(), 1)
