"""Reading a maps source: its JSON files, and each document told apart by its content and
read through its model in ``documents.py``; the routes, green themes, edges and staff edits it
holds (occupations are checked in ``check.py``)."""

from __future__ import annotations

import contextlib
import re
from datetime import date, datetime
from pathlib import Path

from core.parsers import UNREADABLE, check_lengths, clean_text, parse_json, validated
from core.problems import Problems
from importers.maps import documents
from importers.maps.check import check_consistency, read_occupation
from importers.maps.data import MapData
from importers.maps.documents import place
from occupations.models import (
    OCCUPATION_CODE_RE,
    GreenSubTheme,
    GreenTheme,
    LocalEdit,
)
from routes.models import Route


def json_files(paths: list[Path]) -> list[Path]:
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files.extend(sorted(p for p in path.rglob("*.json") if p.is_file()))
        else:
            files.append(path)
    return files


def load_json(path: Path, problems: Problems, label: str):
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        problems.add(label, "no such file or directory")
        return UNREADABLE
    except (OSError, UnicodeDecodeError) as exc:
        problems.add(label, f"cannot be read: {exc}")
        return UNREADABLE
    return parse_json(text, label, problems)


def read_paths(paths: list[Path], base: Path | None = None) -> tuple[MapData, Problems]:
    """Read and check every document under ``paths``; return the data and every problem."""
    data = MapData()
    problems = Problems()
    files = json_files(paths)
    if not files:
        problems.add(", ".join(str(p) for p in paths), "no JSON files found")
    for path in files:
        label = _label(path, base)
        document = load_json(path, problems, label)
        if document is UNREADABLE:
            continue
        data.files += 1
        read_document(document, label, data, problems)
    check_consistency(data, problems)
    return data, problems


def _label(path: Path, base: Path | None) -> str:
    if base is not None:
        try:
            return str(path.relative_to(base))
        except ValueError:
            pass
    return str(path)


def read_document(document, label: str, data: MapData, problems: Problems) -> None:
    if isinstance(document, dict):
        kind = documents.kind(document)
        if kind is documents.Occupation:
            read_occupation(document, label, data, problems)
        elif kind is documents.MapIndex:
            read_index(document, label, data, problems)
        else:
            problems.add(label, "not an Occupational Maps document (no Occupation, no routes)")
        return
    if not isinstance(document, list):
        problems.add(label, "not an Occupational Maps document (expected an object or a list)")
        return
    if not document:
        return
    if not isinstance(document[0], dict):
        problems.add(f"{label}[0]", "expected an object")
        return
    kind = documents.kind_of_items(document[0])
    if kind is documents.Occupation:
        for index, item in enumerate(document):
            if isinstance(item, dict):
                read_occupation(item, f"{label}[{index}]", data, problems)
            else:
                problems.add(f"{label}[{index}]", "expected an occupation object")
        return
    readers = {
        documents.Route: (read_routes, " route[{}]"),
        documents.GreenTheme: (read_themes, " green theme[{}]"),
        documents.ProgressionEdge: (read_edges, "[{}]"),
    }
    if kind not in readers:
        problems.add(label, "not an Occupational Maps document (unknown list)")
        return
    reader, place = readers[kind]
    items = []
    for index, item in enumerate(document):
        found = validated(kind, item, f"{label}{place.format(index)}", problems)
        if found is not None:
            items.append(found)
    if len(items) == len(document):
        reader(items, label, data, problems)


def read_index(document: dict, label: str, data: MapData, problems: Problems) -> None:
    """A harvest index, or this site's own export of the whole map."""
    index = validated(documents.MapIndex, document, label, problems)
    if index is None:
        return
    read_data_date(index, data)
    read_routes(index.routes, label, data, problems)
    read_themes(index.green_themes, label, data, problems)
    for number, item in enumerate(index.occupations):
        # An index lists occupations by name only; an export gives them in full.
        if documents.kind(item) is documents.Occupation:
            read_occupation(item, f"{label} occupations[{number}]", data, problems)
    read_edges(index.progression_edges, label, data, problems)
    read_local_edits(index.local_edits, label, data, problems)


#: The API's version string: "Version: 1.0.0+3c45…, Last Updated: 09/04/2026 14:43:04".
LAST_UPDATED = re.compile(r"Last Updated: (\d{2})/(\d{2})/(\d{4})")


def read_data_date(index: documents.MapIndex, data: MapData) -> None:
    """The date the data is as at: when it was harvested, or failing that the API's last update
    (day first, as the API writes it). The newest date given wins."""
    found = index.harvested_at
    if found is None and index.version:
        match = LAST_UPDATED.search(index.version)
        if match:
            day, month, year = map(int, match.groups())
            with contextlib.suppress(ValueError):
                found = date(year, month, day)
    if found is not None and (data.data_date is None or found > data.data_date):
        data.data_date = found


def read_routes(items: list[documents.Route], label: str, data: MapData, problems: Problems):
    for index, item in enumerate(items):
        where = f"{label} route[{index}]"
        name = clean_text(item.name)
        if not name:
            problems.add(where, f"{place(documents.Route, 'name')}: missing")
            continue
        check_lengths(Route, {"name": name}, where, problems)
        data.routes[item.route_id] = {
            "api_id": item.route_id,
            "name": name,
            "sequence": item.sequence,
        }


def read_themes(items: list[documents.GreenTheme], label: str, data: MapData, problems: Problems):
    theme_name = place(documents.GreenTheme, "theme_name")
    for index, item in enumerate(items):
        where = f"{label} green theme[{index}]"
        name = clean_text(item.theme_name)
        if not name:
            problems.add(where, f"{theme_name}: missing or empty")
            continue
        check_lengths(GreenTheme, {"name": name}, where, problems)
        sub_themes = {}
        for sub_index, sub in enumerate(item.sub_themes):
            sub_where = f"{where} sub-theme[{sub_index}]"
            sub_name = clean_text(sub.theme_name)
            if not sub_name:
                # The published list has a sub-theme with no name: keep the rest of the theme.
                data.notes.append(
                    f"{sub_where}: {theme_name}: empty; sub-theme {sub.theme_id} skipped"
                )
                continue
            check_lengths(GreenSubTheme, {"name": sub_name}, sub_where, problems)
            sub_themes[sub.theme_id] = sub_name
        data.themes[item.theme_id] = {"name": name, "sub_themes": sub_themes}


def read_edges(
    items: list[documents.ProgressionEdge], label: str, data: MapData, problems: Problems
) -> None:
    for index, item in enumerate(items):
        where = f"{label}[{index}]"
        codes = []
        for name in ("std_code_from", "std_code_to"):
            value = getattr(item, name)
            code = clean_text(value).upper()
            if not re.match(OCCUPATION_CODE_RE, code):
                key = place(documents.ProgressionEdge, name)
                problems.add(where, f"{key}: {value!r}: not an occupation code")
            codes.append(code)
        if all(re.match(OCCUPATION_CODE_RE, c) for c in codes) and codes[0] != codes[1]:
            data.edges[(codes[0], codes[1])] = {
                "directed": item.directed,
                "added_by_staff": item.added_by_staff,
            }


def read_local_edits(
    items: list[documents.LocalEdit], label: str, data: MapData, problems: Problems
) -> None:
    fields = {choice.value for choice in LocalEdit.Field}
    for index, item in enumerate(items):
        where = f"{label} {place(documents.MapIndex, 'local_edits', index)}"
        code = clean_text(item.std_code)
        name = clean_text(item.field)
        if not re.match(OCCUPATION_CODE_RE, code):
            key = place(documents.LocalEdit, "std_code")
            problems.add(where, f"{key}: {code!r}: not an occupation code")
        if name not in fields:
            problems.add(where, f"field: {name!r}: not a field that staff edit")
        try:
            when = datetime.fromisoformat(item.edited_at)
        except ValueError:
            key = place(documents.LocalEdit, "edited_at")
            problems.add(where, f"{key}: {item.edited_at!r}: not a date and time")
            continue
        data.local_edits.append((code, name, when, clean_text(item.edited_by)))
