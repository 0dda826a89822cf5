"""The progression diagram's layout, on the real occupation with the most links (OCC0795, 20):
every title whole, no connector through a box, every level within a desktop's column."""

import re

from django.test import TestCase

from occupations.diagram import MAX_WIDTH
from tests.bundled import load_bundled


def segments(path: str):
    """The straight pieces of an ``M x y H x V y ...`` path, as ((x1, y1), (x2, y2))."""
    x = y = 0
    for command, value in re.findall(r"([MHV])([-\d.]+(?: [-\d.]+)?)", path):
        numbers = [float(n) for n in value.split()]
        start = (x, y)
        if command == "M":
            x, y = numbers
            continue
        if command == "H":
            x = numbers[0]
        else:
            y = numbers[0]
        yield start, (x, y)


def crosses(segment, node) -> bool:
    """Whether the segment runs through the box's inside (ending on its edge is arriving)."""
    (x1, y1), (x2, y2) = segment
    left, right = node.x, node.x + node.width
    top, bottom = node.y, node.y + node.height
    if y1 == y2:
        return top < y1 < bottom and max(min(x1, x2), left) < min(max(x1, x2), right)
    return left < x1 < right and max(min(y1, y2), top) < min(max(y1, y2), bottom)


class Diagram(TestCase):
    @classmethod
    def setUpTestData(cls):
        load_bundled()

    def test_many_links_read_whole_and_no_line_crosses_a_box(self):
        response = self.client.get("/occupations/OCC0795/")
        for name in ("diagram", "narrow_diagram"):
            with self.subTest(name):
                diagram = response.context[name]
                self.assertEqual(len(diagram.nodes), 20)
                boxes = [*diagram.nodes, diagram.centre]
                titles = [" ".join(node.lines) for node in boxes]
                self.assertEqual(titles, [node.title for node in boxes], "titles are whole")
                self.assertEqual(len(set(titles)), len(titles), "labels are distinct")
                for node in diagram.nodes:
                    for segment in segments(node.path):
                        for box in boxes:
                            self.assertFalse(
                                crosses(segment, box), f"{node.code}: {segment} crosses {box.code}"
                            )
                    # Each connector ends at its own box's edge.
                    (_, end) = list(segments(node.path))[-1]
                    self.assertIn(end[0], (node.x, node.x + node.width))
                    self.assertTrue(node.y < end[1] < node.y + node.height)
                for a in boxes:
                    for b in boxes:
                        if a is not b:
                            apart = (
                                a.x + a.width <= b.x
                                or b.x + b.width <= a.x
                                or a.y + a.height <= b.y
                                or b.y + b.height <= a.y
                            )
                            self.assertTrue(apart, f"{a.code} overlaps {b.code}")
        self.assertLessEqual(response.context["diagram"].width, MAX_WIDTH)
        self.assertEqual(
            [level for level, *_ in response.context["diagram"].columns], [3, 4, 5, 6, 7]
        )
        self.assertLessEqual(response.context["narrow_diagram"].width, 345)
