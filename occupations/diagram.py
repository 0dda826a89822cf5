"""The progression diagram: an SVG laid out on the server, one column per level.

The occupation sits in its level's column, in the middle; each linked occupation sits in the
column of its own level, and a line joins it to the centre. Every node is a link.
"""

from dataclasses import dataclass

NODE_WIDTH = 190
NODE_HEIGHT = 52
COLUMN_GAP = 40
ROW_GAP = 14
PADDING = 10
HEADER = 28
MAX_CHARS = 26
LINE_HEIGHT = 16


@dataclass
class Node:
    code: str
    title: str
    level: int
    url: str
    x: int = 0
    y: int = 0
    centre: bool = False
    other_route: str = ""

    @property
    def lines(self) -> list[str]:
        """The title in at most two lines that fit the box."""
        words = self.title.split()
        lines = [""]
        for word in words:
            candidate = f"{lines[-1]} {word}".strip()
            if len(candidate) <= MAX_CHARS or not lines[-1]:
                lines[-1] = candidate
            elif len(lines) == 2:
                lines[-1] = lines[-1][: MAX_CHARS - 1].rstrip() + "…"
                break
            else:
                lines.append(word)
        return [line if len(line) <= MAX_CHARS else line[: MAX_CHARS - 1] + "…" for line in lines]

    @property
    def text_rows(self) -> list[tuple[int, str]]:
        """Each line of the title with its baseline, centred in the box."""
        lines = self.lines
        first = self.y + NODE_HEIGHT // 2 + 5 - (LINE_HEIGHT // 2) * (len(lines) - 1)
        return [(first + index * LINE_HEIGHT, line) for index, line in enumerate(lines)]

    @property
    def mid_x(self) -> int:
        return self.x + NODE_WIDTH // 2

    @property
    def mid_y(self) -> int:
        return self.y + NODE_HEIGHT // 2


@dataclass
class Diagram:
    width: int
    height: int
    columns: list[tuple[int, int]]  # (level, x of the column's centre)
    centre: Node
    nodes: list[Node]


def layout(centre: Node, neighbours: list[Node]) -> Diagram:
    levels = sorted({centre.level, *(n.level for n in neighbours)})
    column_x = {
        level: PADDING + index * (NODE_WIDTH + COLUMN_GAP) for index, level in enumerate(levels)
    }
    by_level: dict[int, list[Node]] = {level: [] for level in levels}
    for node in sorted(neighbours, key=lambda n: (n.level, n.title)):
        by_level[node.level].append(node)
    # The centre's own column holds it in the middle of its same-level neighbours.
    same = by_level[centre.level]
    half = len(same) // 2
    by_level[centre.level] = [*same[:half], centre, *same[half:]]
    tallest = max(len(nodes) for nodes in by_level.values())
    height = HEADER + PADDING * 2 + tallest * NODE_HEIGHT + (tallest - 1) * ROW_GAP
    for level, nodes in by_level.items():
        column_height = len(nodes) * NODE_HEIGHT + (len(nodes) - 1) * ROW_GAP
        top = HEADER + PADDING + (height - HEADER - PADDING * 2 - column_height) // 2
        for index, node in enumerate(nodes):
            node.x = column_x[level]
            node.y = top + index * (NODE_HEIGHT + ROW_GAP)
    centre.centre = True
    width = PADDING * 2 + len(levels) * NODE_WIDTH + (len(levels) - 1) * COLUMN_GAP
    columns = [(level, column_x[level] + NODE_WIDTH // 2) for level in levels]
    return Diagram(width=width, height=height, columns=columns, centre=centre, nodes=neighbours)
