"""Reading the structure of a page: which cards sit in which row and band of a route map, and
what in it a strict Content-Security-Policy would block."""

from html.parser import HTMLParser


class MapParser(HTMLParser):
    """Collects ``{code: (pathway id, row id, band, cluster id)}`` from a route map page."""

    def __init__(self):
        super().__init__()
        self.places: dict[str, tuple[str, str, str, str]] = {}
        self.pathway = self.row = self.band = self.cluster = ""
        self.ids: list[str] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "section" and "pathway" in (attributes.get("class") or ""):
            self.pathway = attributes.get("aria-labelledby", "")
        if "data-row" in attributes:
            self.row = attributes["data-row"]
        if "data-band" in attributes:
            self.band = attributes["data-band"]
        if "data-cluster" in attributes:
            self.cluster = attributes["data-cluster"]
        if "data-code" in attributes:
            self.places[attributes["data-code"]] = (self.pathway, self.row, self.band, self.cluster)
        if "id" in attributes:
            self.ids.append(attributes["id"])


def map_places(html: str) -> dict[str, tuple[str, str, str, str]]:
    parser = MapParser()
    parser.feed(html)
    return parser.places


def element_ids(html: str) -> list[str]:
    parser = MapParser()
    parser.feed(html)
    return parser.ids


class InlineCode(HTMLParser):
    """Collects whatever a strict Content-Security-Policy would block in a page."""

    def __init__(self):
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "script" and "src" not in dict(attrs):
            self.found.append(f"<script> without src at line {self.getpos()[0]}")
        if tag == "style":
            self.found.append(f"<style> element at line {self.getpos()[0]}")
        for name, value in attrs:
            if name == "style":
                self.found.append(f"style= on <{tag}> at line {self.getpos()[0]}")
            if name.startswith("on"):
                self.found.append(f"{name}= handler on <{tag}> at line {self.getpos()[0]}")
            if name in {"href", "src", "action"} and (value or "").strip().lower().startswith(
                "javascript:"
            ):
                self.found.append(f"javascript: URL on <{tag}> at line {self.getpos()[0]}")


def inline_code(html: str) -> list[str]:
    parser = InlineCode()
    parser.feed(html)
    parser.close()
    return parser.found
