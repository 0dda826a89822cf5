"""The progression diagram: an SVG laid out on the server, one column per level.

The occupation sits in its level's column; each linked occupation sits in the column of its own
level. Every title is shown in full, wrapped in its box; all boxes share one height, so the
rows line up and the gaps between rows and between columns are free lanes. Each connector runs
only along those lanes (out of the occupation's box into the gutter beside it, along a lane
between rows, down the gutter beside the other box, into it), so no line crosses a box.

``layout`` gives the wide diagram (levels left to right, at most ``MAX_WIDTH`` wide so that all
levels show on a desktop); ``layout_vertical`` the narrow one for a phone (levels top to
bottom, one box a row, a trunk down the left edge).
"""

from dataclasses import dataclass, field
from html import escape

MAX_WIDTH = 1060
NODE_WIDTH = 190
MIN_NODE_WIDTH = 130
COLUMN_GAP = 32
ROW_GAP = 16
PADDING = 10
HEADER = 28
LINE_HEIGHT = 16
CHAR_WIDTH = 7  # an average 13px Arial character, generously
BOX_PADDING = 8
NARROW_WIDTH = 340
TRUNK = 12  # the narrow diagram's trunk, from the left edge
LEVEL_HEADER = 26


def wrap(title: str, chars: int) -> list[str]:
    """The whole title in lines of at most ``chars`` characters (a longer word has a line)."""
    lines: list[str] = []
    for word in title.split():
        if lines and len(f"{lines[-1]} {word}") <= chars:
            lines[-1] = f"{lines[-1]} {word}"
        else:
            lines.append(word)
    return lines or [""]


@dataclass
class Node:
    code: str
    title: str
    level: int
    url: str
    x: int = 0
    y: int = 0
    width: int = NODE_WIDTH
    height: int = 52
    centre: bool = False
    other_route: str = ""
    lines: list[str] = field(default_factory=list)
    path: str = ""  # the connector from the centre, as SVG path data

    @property
    def text_rows(self) -> list[tuple[int, str]]:
        """Each line of the title with its baseline, centred in the box."""
        block = len(self.lines) * LINE_HEIGHT
        first = self.y + (self.height - block) // 2 + LINE_HEIGHT - 4
        return [(first + index * LINE_HEIGHT, line) for index, line in enumerate(self.lines)]

    @property
    def mid_x(self) -> int:
        return self.x + self.width // 2

    @property
    def mid_y(self) -> int:
        return self.y + self.height // 2


@dataclass
class Diagram:
    width: int
    height: int
    columns: list[tuple[int, int, int]]  # (level, x of its label, y of its label)
    centre: Node
    nodes: list[Node]
    vertical: bool = False


def _size_boxes(nodes: list[Node], width: int) -> None:
    chars = max(8, (width - 2 * BOX_PADDING) // CHAR_WIDTH)
    for node in nodes:
        node.lines = wrap(node.title, chars)
        node.width = width
    height = max(len(node.lines) for node in nodes) * LINE_HEIGHT + 2 * BOX_PADDING
    for node in nodes:
        node.height = height


def layout(centre: Node, neighbours: list[Node]) -> Diagram:
    levels = sorted({centre.level, *(n.level for n in neighbours)})
    count = len(levels)
    node_width = min(NODE_WIDTH, (MAX_WIDTH - 2 * PADDING - (count - 1) * COLUMN_GAP) // count)
    node_width = max(node_width, MIN_NODE_WIDTH)
    _size_boxes([centre, *neighbours], node_width)
    pitch_x = node_width + COLUMN_GAP
    column_x = {level: PADDING + index * pitch_x for index, level in enumerate(levels)}
    by_level: dict[int, list[Node]] = {level: [] for level in levels}
    for node in sorted(neighbours, key=lambda n: (n.level, n.title)):
        by_level[node.level].append(node)
    same = by_level[centre.level]
    half = len(same) // 2
    by_level[centre.level] = [*same[:half], centre, *same[half:]]
    rows = max(len(nodes) for nodes in by_level.values())
    box_height = centre.height
    pitch_y = box_height + ROW_GAP
    top = HEADER + PADDING
    for level, nodes in by_level.items():
        first_row = (rows - len(nodes)) // 2  # each column centred, on the shared rows
        for index, node in enumerate(nodes):
            node.x = column_x[level]
            node.y = top + (first_row + index) * pitch_y
    centre.centre = True
    centre_column = levels.index(centre.level)
    for node in neighbours:
        node.path = _wide_path(centre, node, levels.index(node.level) - centre_column, pitch_y)
    height = top + rows * pitch_y - ROW_GAP + PADDING
    width = PADDING * 2 + count * node_width + (count - 1) * COLUMN_GAP
    columns = [(level, column_x[level] + node_width // 2, 18) for level in levels]
    return Diagram(width=width, height=height, columns=columns, centre=centre, nodes=neighbours)


def _wide_path(centre: Node, node: Node, steps: int, pitch_y: int) -> str:
    """Out of the centre's side into the gutter, along the lane between rows, down the gutter
    beside the node and into it: never through a box."""
    half_gap = COLUMN_GAP // 2
    if steps >= 0:  # to the right (or the same column, looping round on the right)
        start_x = centre.x + centre.width
        gutter_out = start_x + half_gap
        end_x = node.x if steps > 0 else node.x + node.width
        gutter_in = node.x - half_gap if steps > 0 else gutter_out
    else:
        start_x = centre.x
        gutter_out = start_x - half_gap
        end_x = node.x + node.width
        gutter_in = end_x + half_gap
    if abs(steps) <= 1:
        return f"M{start_x} {centre.mid_y}H{gutter_out}V{node.mid_y}H{end_x}"
    # The lane just above the node's row is free across every column.
    lane = node.y - ROW_GAP // 2
    return f"M{start_x} {centre.mid_y}H{gutter_out}V{lane}H{gutter_in}V{node.mid_y}H{end_x}"


def layout_vertical(centre: Node, neighbours: list[Node]) -> Diagram:
    """Levels from top to bottom, one box a row; a trunk down the left joins the occupation to
    each box. For a phone: nothing is cut off and the text stays readable."""
    centre = Node(centre.code, centre.title, centre.level, centre.url, centre=True)
    neighbours = [
        Node(n.code, n.title, n.level, n.url, other_route=n.other_route) for n in neighbours
    ]
    node_x = TRUNK * 2
    node_width = NARROW_WIDTH - node_x - PADDING
    chars = max(8, (node_width - 2 * BOX_PADDING) // CHAR_WIDTH)
    levels = sorted({centre.level, *(n.level for n in neighbours)})
    by_level: dict[int, list[Node]] = {level: [] for level in levels}
    for node in sorted(neighbours, key=lambda n: (n.level, n.title)):
        by_level[node.level].append(node)
    by_level[centre.level].insert(0, centre)
    y = PADDING
    columns = []
    for level in levels:
        columns.append((level, node_x, y + 16))
        y += LEVEL_HEADER
        for node in by_level[level]:
            node.lines = wrap(node.title, chars)
            node.width = node_width
            node.height = len(node.lines) * LINE_HEIGHT + 2 * BOX_PADDING
            node.x, node.y = node_x, y
            y += node.height + 8
        y += 6
    for node in neighbours:
        node.path = f"M{centre.x} {centre.mid_y}H{TRUNK}V{node.mid_y}H{node.x}"
    return Diagram(
        width=NARROW_WIDTH,
        height=y + PADDING,
        columns=columns,
        centre=centre,
        nodes=neighbours,
        vertical=True,
    )


def svg(d: Diagram) -> str:
    """The diagram as SVG markup, every text escaped (a page has two diagrams of up to 40
    boxes; written here rather than in a template, where it took most of the page's time)."""
    vertical = " diagram__svg--vertical" if d.vertical else ""
    anchor = "" if d.vertical else ' text-anchor="middle"'
    parts = [
        f'<svg class="diagram__svg{vertical}" viewBox="0 0 {d.width} {d.height}" '
        f'width="{d.width}" height="{d.height}" aria-hidden="true" focusable="false">'
    ]
    parts += [
        f'<text class="diagram__level" x="{x}" y="{y}"{anchor}>Level {level}</text>'
        for level, x, y in d.columns
    ]
    parts += [f'<path class="diagram__line" d="{escape(node.path)}"/>' for node in d.nodes]
    for node in d.nodes:
        other = f", {escape(node.other_route)} route" if node.other_route else ""
        modifier = " diagram__node--other" if node.other_route else ""
        parts.append(
            f'<a href="{escape(node.url)}" tabindex="-1"><title>{escape(node.title)} '
            f"({escape(node.code)}, level {node.level}{other})</title>"
            f'<rect class="diagram__node{modifier}" x="{node.x}" y="{node.y}" '
            f'width="{node.width}" height="{node.height}" rx="4"/>'
            + "".join(_text(node, y, line, "diagram__text") for y, line in node.text_rows)
            + "</a>"
        )
    c = d.centre
    parts.append(
        f'<rect class="diagram__node diagram__node--centre" x="{c.x}" y="{c.y}" '
        f'width="{c.width}" height="{c.height}" rx="4"/>'
    )
    parts += [_text(c, y, line, "diagram__text diagram__text--centre") for y, line in c.text_rows]
    parts.append("</svg>")
    return "\n".join(parts)


def _text(node: Node, y: int, line: str, css: str) -> str:
    return (
        f'<text class="{css}" x="{node.mid_x}" y="{y}" text-anchor="middle">{escape(line)}</text>'
    )
