"""Reading a maps source: its JSON files, and each document told apart by its content;
the routes, green themes, edges and staff edits it holds (occupations are checked in
``check.py``)."""

from __future__ import annotations

import contextlib
import re
from datetime import date, datetime
from pathlib import Path

from core.parsers import (
    UNREADABLE,
    check_lengths,
    clean_text,
    list_field,
    parse_date,
    parse_json,
    whole_number,
)
from core.problems import Problems
from importers.maps.check import check_consistency, read_occupation
from importers.maps.data import MapData
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
        if document.get("object") == "Occupation":
            read_occupation(document, label, data, problems)
        elif "routes" in document or "greenThemes" in document:
            # A harvest index, or this site's own export of the whole map.
            read_data_date(document, label, data, problems)
            read_routes(list_field(document, "routes", label, problems), label, data, problems)
            read_themes(list_field(document, "greenThemes", label, problems), label, data, problems)
            for index, item in enumerate(list_field(document, "occupations", label, problems)):
                # An index lists occupations by name only; an export gives them in full.
                if isinstance(item, dict) and item.get("object") == "Occupation":
                    read_occupation(item, f"{label} occupations[{index}]", data, problems)
            read_edges(
                list_field(document, "progressionEdges", label, problems), label, data, problems
            )
            read_local_edits(
                list_field(document, "localEdits", label, problems), label, data, problems
            )
        else:
            problems.add(label, "not an Occupational Maps document (no Occupation, no routes)")
        return
    if not isinstance(document, list):
        problems.add(label, "not an Occupational Maps document (expected an object or a list)")
        return
    if not document:
        return
    first = document[0]
    if not isinstance(first, dict):
        problems.add(f"{label}[0]", "expected an object")
    elif first.get("object") == "Route":
        read_routes(document, label, data, problems)
    elif "themeId" in first:
        read_themes(document, label, data, problems)
    elif "stdCodeFrom" in first:
        read_edges(document, label, data, problems)
    elif first.get("object") == "Occupation" or "stdCode" in first:
        for index, item in enumerate(document):
            if isinstance(item, dict):
                read_occupation(item, f"{label}[{index}]", data, problems)
            else:
                problems.add(f"{label}[{index}]", "expected an occupation object")
    else:
        problems.add(label, "not an Occupational Maps document (unknown list)")


#: The API's version string: "Version: 1.0.0+3c45…, Last Updated: 09/04/2026 14:43:04".
LAST_UPDATED = re.compile(r"Last Updated: (\d{2})/(\d{2})/(\d{4})")


def read_data_date(document: dict, label: str, data: MapData, problems: Problems) -> None:
    """The date the data is as at: when it was harvested, or failing that the API's last update
    (day first, as the API writes it). The newest date given wins."""
    found = parse_date(document.get("harvestedAt"), label, problems, "harvestedAt")
    if found is None and isinstance(document.get("version"), str):
        match = LAST_UPDATED.search(document["version"])
        if match:
            day, month, year = map(int, match.groups())
            with contextlib.suppress(ValueError):
                found = date(year, month, day)
    if found is not None and (data.data_date is None or found > data.data_date):
        data.data_date = found


def read_routes(items: list, label: str, data: MapData, problems: Problems) -> None:
    for index, item in enumerate(items):
        where = f"{label} route[{index}]"
        if not isinstance(item, dict):
            problems.add(where, "expected an object")
            continue
        api_id = whole_number(item.get("routeId"), where, "routeId", problems)
        name = clean_text(item.get("name"))
        if not name:
            problems.add(where, "name: missing")
        sequence = whole_number(item.get("sequence"), where, "sequence", problems, required=False)
        check_lengths(Route, {"name": name}, where, problems)
        if api_id is None or not name:
            continue
        data.routes[api_id] = {"api_id": api_id, "name": name, "sequence": sequence or 0}


def read_themes(items: list, label: str, data: MapData, problems: Problems) -> None:
    for index, item in enumerate(items):
        where = f"{label} green theme[{index}]"
        if not isinstance(item, dict):
            problems.add(where, "expected an object")
            continue
        theme_id = whole_number(item.get("themeId"), where, "themeId", problems)
        name = clean_text(item.get("themeName"))
        if not name:
            problems.add(where, "themeName: missing or empty")
        if theme_id is None or not name:
            continue
        check_lengths(GreenTheme, {"name": name}, where, problems)
        sub_themes = {}
        for sub_index, sub in enumerate(list_field(item, "subThemes", where, problems)):
            sub_where = f"{where} sub-theme[{sub_index}]"
            if not isinstance(sub, dict):
                problems.add(sub_where, "expected an object")
                continue
            sub_id = whole_number(sub.get("themeId"), sub_where, "themeId", problems)
            sub_name = clean_text(sub.get("themeName"))
            if sub_id is None:
                continue
            if not sub_name:
                # The published list has a sub-theme with no name: keep the rest of the theme.
                data.notes.append(f"{sub_where}: themeName: empty; sub-theme {sub_id} skipped")
                continue
            check_lengths(GreenSubTheme, {"name": sub_name}, sub_where, problems)
            sub_themes[sub_id] = sub_name
        data.themes[theme_id] = {"name": name, "sub_themes": sub_themes}


def read_edges(items: list, label: str, data: MapData, problems: Problems) -> None:
    for index, item in enumerate(items):
        where = f"{label}[{index}]"
        if not isinstance(item, dict):
            problems.add(where, "expected an object")
            continue
        codes = []
        for key in ("stdCodeFrom", "stdCodeTo"):
            code = clean_text(item.get(key)).upper()
            if not re.match(OCCUPATION_CODE_RE, code):
                problems.add(where, f"{key}: {item.get(key)!r}: not an occupation code")
            codes.append(code)
        if all(re.match(OCCUPATION_CODE_RE, c) for c in codes) and codes[0] != codes[1]:
            data.edges[(codes[0], codes[1])] = {
                "directed": bool(item.get("directed", True)),
                "added_by_staff": bool(item.get("addedByStaff", False)),
            }


def read_local_edits(items: list, label: str, data: MapData, problems: Problems) -> None:
    fields = {choice.value for choice in LocalEdit.Field}
    for index, item in enumerate(items):
        where = f"{label} localEdits[{index}]"
        if not isinstance(item, dict):
            problems.add(where, "expected an object")
            continue
        code = clean_text(item.get("stdCode"))
        name = clean_text(item.get("field"))
        if not re.match(OCCUPATION_CODE_RE, code):
            problems.add(where, f"stdCode: {code!r}: not an occupation code")
        if name not in fields:
            problems.add(where, f"field: {name!r}: not a field that staff edit")
        try:
            when = datetime.fromisoformat(str(item.get("editedAt")))
        except ValueError:
            problems.add(where, f"editedAt: {item.get('editedAt')!r}: not a date and time")
            continue
        data.local_edits.append((code, name, when, clean_text(item.get("editedBy"))))
