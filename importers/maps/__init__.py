"""The Occupational Maps API occupation JSON: read, validate, then write in one transaction.

A source is any mix of JSON documents, told apart by their content, not their names:

- an occupation detail (``{"object": "Occupation", "stdCode": ...}``) or a list of them;
- the routes (``[{"object": "Route", "routeId": ..., "name": ..., "sequence": ...}]``);
- the green themes (``[{"themeId": ..., "themeName": ..., "subThemes": [...]}]``);
- a harvest index (``{"routes": [...], "greenThemes": [...], ...}``);
- directed progression edges (``[{"stdCodeFrom": ..., "stdCodeTo": ...}]``, the live API's).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.exceptions import FieldDoesNotExist
from django.db.models import Q
from django.utils.text import slugify

from core.importing import (
    ImportOutcome,
    Problems,
    SyncResult,
    clean_text,
    keyed,
    parse_date,
    sanitise_html,
    sync_rows,
)
from occupations.models import (
    OCCUPATION_CODE_RE,
    GreenSubTheme,
    GreenTheme,
    LocalEdit,
    Occupation,
    OccupationProduct,
    Product,
    Progression,
    TypicalJobTitle,
)
from routes.models import BAND_LEVELS, Cluster, ClusterGroup, Pathway, Route, TechnicalBand
from socmapping.models import (
    SUB_UNIT_GROUP_CODE_RE,
    SocGroup,
    SocMapping,
    SubUnitGroup,
    SubUnitGroupMapping,
)

STATUSES = {status.value for status in Occupation.Status}
User = get_user_model()
PRODUCT_TYPES = {t.value for t in Product.Type}


@dataclass
class OccupationData:
    where: str
    code: str
    fields: dict
    cluster_id: int
    job_titles: list[tuple[str, bool]]
    products: list[tuple[str, str]]
    green_theme_ids: list[int]
    soc2010: str | None
    soc2020: str | None
    sub_unit_groups: list[tuple[str, bool]]
    neighbours: list[str]


@dataclass
class MapData:
    """Everything read from a source, cleaned and checked, keyed by the source's ids."""

    routes: dict[int, dict] = field(default_factory=dict)
    route_slugs: dict[int, str] = field(default_factory=dict)
    pathways: dict[int, dict] = field(default_factory=dict)
    rows: dict[int, dict] = field(default_factory=dict)
    clusters: dict[int, dict] = field(default_factory=dict)
    themes: dict[int, dict] = field(default_factory=dict)
    products: dict[str, dict] = field(default_factory=dict)
    soc_titles: dict[tuple[int, str], str] = field(default_factory=dict)
    sub_unit_groups: dict[str, str] = field(default_factory=dict)
    occupations: dict[str, OccupationData] = field(default_factory=dict)
    # (from, to) → {"directed": ..., "added_by_staff": ...}: the live API's edges, and the links
    # this site's own export lists with their flags.
    edges: dict[tuple[str, str], dict] = field(default_factory=dict)
    # Staff edits carried by this site's own export: (code, field, when, who).
    local_edits: list[tuple[str, str, object, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    files: int = 0


def json_files(paths: list[Path]) -> list[Path]:
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files.extend(sorted(p for p in path.rglob("*.json") if p.is_file()))
        else:
            files.append(path)
    return files


#: What load_json returns when a file could not be read (a file may well hold ``null``).
UNREADABLE = object()


def _no_constants(name: str):
    raise ValueError(f"{name} is not a number JSON allows")


def load_json(path: Path, problems: Problems, label: str):
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        problems.add(label, "no such file or directory")
        return UNREADABLE
    except (OSError, UnicodeDecodeError) as exc:
        problems.add(label, f"cannot be read: {exc}")
        return UNREADABLE
    try:
        return json.loads(text, parse_constant=_no_constants)
    except json.JSONDecodeError as exc:
        problems.add(f"{label}:{exc.lineno}", f"not valid JSON: {exc.msg} (column {exc.colno})")
    except (ValueError, RecursionError) as exc:
        problems.add(label, f"not valid JSON: {exc}")
    return UNREADABLE


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
            read_routes(_list(document, "routes", label, problems), label, data, problems)
            read_themes(_list(document, "greenThemes", label, problems), label, data, problems)
            for index, item in enumerate(_list(document, "occupations", label, problems)):
                # An index lists occupations by name only; an export gives them in full.
                if isinstance(item, dict) and item.get("object") == "Occupation":
                    read_occupation(item, f"{label} occupations[{index}]", data, problems)
            read_edges(_list(document, "progressionEdges", label, problems), label, data, problems)
            read_local_edits(_list(document, "localEdits", label, problems), label, data, problems)
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


#: The largest id or sequence the database columns hold.
MAX_NUMBER = 2_147_483_647


def _int(
    value, where: str, name: str, problems: Problems, *, required=True, maximum=MAX_NUMBER
) -> int | None:
    if value is None or value == "":
        if required:
            problems.add(where, f"{name}: missing")
        return None
    if isinstance(value, bool | list | dict):
        problems.add(where, f"{name}: {_short(value)}: not a whole number")
        return None
    try:
        number = int(value)
    except (TypeError, ValueError, OverflowError):
        problems.add(where, f"{name}: {_short(value)}: not a whole number")
        return None
    if number != value and str(number) != str(value).strip():
        problems.add(where, f"{name}: {_short(value)}: not a whole number")
        return None
    if not 0 <= number <= maximum:
        problems.add(where, f"{name}: {_short(value)}: must be between 0 and {maximum}")
        return None
    return number


def _short(value) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _list(container: dict, key: str, where: str, problems: Problems) -> list:
    """``container[key]`` when it is a list; nothing (with a problem) when it is not."""
    value = container.get(key)
    if value in (None, "", [], {}):
        return []
    if not isinstance(value, list):
        problems.add(where, f"{key}: expected a list, not {type(value).__name__}")
        return []
    return value


def check_lengths(model, values: dict, where: str, problems: Problems, prefix: str = "") -> None:
    """Refuse text longer than its column (PostgreSQL would refuse it mid-write)."""
    for name, value in values.items():
        try:
            limit = model._meta.get_field(name).max_length
        except FieldDoesNotExist:  # an id or a reference, not a text column
            continue
        if limit and isinstance(value, str) and len(value) > limit:
            problems.add(where, f"{prefix}{name}: {len(value)} characters: at most {limit}")


def read_routes(items: list, label: str, data: MapData, problems: Problems) -> None:
    for index, item in enumerate(items):
        where = f"{label} route[{index}]"
        if not isinstance(item, dict):
            problems.add(where, "expected an object")
            continue
        api_id = _int(item.get("routeId"), where, "routeId", problems)
        name = clean_text(item.get("name"))
        if not name:
            problems.add(where, "name: missing")
        sequence = _int(item.get("sequence"), where, "sequence", problems, required=False)
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
        theme_id = _int(item.get("themeId"), where, "themeId", problems)
        name = clean_text(item.get("themeName"))
        if not name:
            problems.add(where, "themeName: missing or empty")
        if theme_id is None or not name:
            continue
        check_lengths(GreenTheme, {"name": name}, where, problems)
        sub_themes = {}
        for sub_index, sub in enumerate(_list(item, "subThemes", where, problems)):
            sub_where = f"{where} sub-theme[{sub_index}]"
            if not isinstance(sub, dict):
                problems.add(sub_where, "expected an object")
                continue
            sub_id = _int(sub.get("themeId"), sub_where, "themeId", problems)
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


def read_occupation(item: dict, label: str, data: MapData, problems: Problems) -> None:
    raw_code = item.get("stdCode")
    code = clean_text(raw_code)
    where = f"{label}: record {code or '(no code)'}"
    before = len(problems)
    if not code:
        problems.add(where, "stdCode: missing or empty")
    elif not re.match(OCCUPATION_CODE_RE, code):
        problems.add(where, f"stdCode: {raw_code!r}: not an occupation code like OCC0118")
    if code in data.occupations:
        problems.add(where, f"stdCode: {code}: also in {data.occupations[code].where}")
    title = clean_text(item.get("name"))
    if not title:
        problems.add(where, "name: missing or empty")
    status = _int(item.get("status"), where, "status", problems)
    if status is not None and status not in STATUSES:
        problems.add(where, f"status: {status}: not a known status (1 to 4)")
    level = _int(item.get("level"), where, "level", problems)
    if level is not None and not 2 <= level <= 7:
        problems.add(where, f"level: {level}: must be between 2 and 7")
    status_date = parse_date(item.get("statusLastUpdated"), where, problems, "statusLastUpdated")
    keywords = _list(item, "keywords", where, problems)
    if not all(isinstance(k, str | int | float) for k in keywords):
        problems.add(where, "keywords: expected a list of words")
        keywords = []

    cluster_id = read_hierarchy(item.get("mapHierarchy"), item, where, level, data, problems)
    job_titles = read_job_titles(_list(item, "typicalJobTitles", where, problems), where, problems)
    products = read_products(_list(item, "products", where, problems), code, where, data, problems)
    soc2010, soc2020, sub_unit_groups = read_soc(item.get("soc") or {}, where, data, problems)
    theme_ids = []
    for value in _list(item, "greenThemeIds", where, problems):
        theme_id = _int(value, where, "greenThemeIds", problems)
        if theme_id is not None:
            theme_ids.append(theme_id)
    neighbours = []
    for index, neighbour in enumerate(_list(item, "progression", where, problems)):
        other = clean_text(neighbour.get("stdCode") if isinstance(neighbour, dict) else None)
        if not re.match(OCCUPATION_CODE_RE, other):
            problems.add(where, f"progression[{index}].stdCode: {other!r}: not an occupation code")
        elif other != code and other not in neighbours:
            neighbours.append(other)

    if len(problems) > before:
        return
    cleaned_keywords = _unique(clean_text(k) for k in keywords)
    standard = next(
        (c for c, _ in products if data.products[c]["type"] == Product.Type.APPRENTICESHIP), ""
    )
    data.occupations[code] = OccupationData(
        where=where,
        code=code,
        fields={
            "code": code,
            "title": title,
            "level": level,
            "status": status,
            "version": clean_text(item.get("versionNo")),
            "status_date": status_date,
            "standard_reference": standard,
            "overview": clean_text(item.get("overview")),
            "summary": sanitise_html(item.get("summary")),
            "involved_employers": clean_text(item.get("involvedEmployers")),
            "keywords": cleaned_keywords,
            "search_text": Occupation.make_search_text(
                [name for name, _ in job_titles], cleaned_keywords
            ),
        },
        cluster_id=cluster_id,
        job_titles=job_titles,
        products=products,
        green_theme_ids=_unique(theme_ids),
        soc2010=soc2010,
        soc2020=soc2020,
        sub_unit_groups=sub_unit_groups,
        neighbours=neighbours,
    )
    check_lengths(Occupation, data.occupations[code].fields, where, problems)
    for name, _ in job_titles:
        check_lengths(TypicalJobTitle, {"name": name}, where, problems, "typicalJobTitles.")
    for _, name in products:
        check_lengths(OccupationProduct, {"name": name}, where, problems, "products.")


def _unique(values) -> list:
    seen: list = []
    for value in values:
        if value not in seen and value != "":
            seen.append(value)
    return seen


HIERARCHY_KEYS = (
    "routeId",
    "routeName",
    "pathwayId",
    "pathwayName",
    "clusterGroupId",
    "clusterId",
    "clusterName",
    "technicalLevel",
)


def read_hierarchy(hierarchy, item, where, level, data: MapData, problems: Problems) -> int | None:
    if not isinstance(hierarchy, dict):
        problems.add(where, "mapHierarchy: missing")
        return None
    before = len(problems)
    for key in HIERARCHY_KEYS:
        if hierarchy.get(key) in (None, ""):
            problems.add(where, f"mapHierarchy.{key}: missing")
    if len(problems) > before:
        return None
    ids = {
        key: _int(hierarchy.get(key), where, f"mapHierarchy.{key}", problems)
        for key in ("routeId", "pathwayId", "clusterGroupId", "clusterId", "technicalLevel")
    }
    sequences = {
        key: _int(hierarchy.get(key), where, f"mapHierarchy.{key}", problems, required=False) or 0
        for key in ("routeSequence", "pathwaySequence", "clusterGroupSequence", "clusterSeqeunce")
    }
    if len(problems) > before:
        return None
    band = ids["technicalLevel"]
    if band not in BAND_LEVELS:
        problems.add(where, f"mapHierarchy.technicalLevel: {band}: not a band (1 to 3)")
        return None
    if level is not None and level not in BAND_LEVELS[band]:
        low, high = BAND_LEVELS[band]
        problems.add(
            where,
            f"level: {level}: outside its cluster's band {TechnicalBand(band).label} "
            f"(levels {low} to {high})",
        )
    route_id = ids["routeId"]
    route = {
        "api_id": route_id,
        "name": clean_text(hierarchy["routeName"]),
        "sequence": sequences["routeSequence"],
    }
    data.routes.setdefault(route_id, route)
    slug = route_slug_from_links(item.get("links") if isinstance(item.get("links"), list) else [])
    if slug:
        data.route_slugs.setdefault(route_id, slug)
    _put(
        data.pathways,
        ids["pathwayId"],
        {
            "route": route_id,
            "name": clean_text(hierarchy["pathwayName"]),
            "sequence": sequences["pathwaySequence"],
        },
        where,
        "pathway",
        problems,
    )
    _put(
        data.rows,
        ids["clusterGroupId"],
        {"pathway": ids["pathwayId"], "sequence": sequences["clusterGroupSequence"]},
        where,
        "cluster group",
        problems,
    )
    _put(
        data.clusters,
        ids["clusterId"],
        {
            "pathway": ids["pathwayId"],
            "row": ids["clusterGroupId"],
            "band": band,
            "name": clean_text(hierarchy["clusterName"]),
            "sequence": sequences["clusterSeqeunce"],
        },
        where,
        "cluster",
        problems,
    )
    return ids["clusterId"]


def _put(store: dict, key: int, values: dict, where: str, what: str, problems: Problems) -> None:
    """Keep the first description of a pathway, row or cluster; later ones must agree."""
    if "name" in values:
        model = Pathway if what == "pathway" else Cluster
        check_lengths(model, {"name": values["name"]}, where, problems, f"{what} ")
    known = store.get(key)
    if known is None:
        store[key] = {**values, "where": where}
        return
    for name, value in values.items():
        if known[name] != value:
            problems.add(
                where,
                f"mapHierarchy: {what} {key}: {name} is {value!r} here but {known[name]!r} "
                f"in {known['where']}",
            )


def route_slug_from_links(links) -> str:
    for link in links or []:
        if isinstance(link, dict) and link.get("rel") == "occupationalMapURL":
            # The API's map page (/maps/route/digital), or this site's (/routes/digital/).
            href = str(link.get("href", ""))
            match = re.search(r"/(?:maps/route|routes)/([a-z0-9-]+)/?$", href)
            if match:
                return match.group(1)
    return ""


def read_job_titles(items, where: str, problems: Problems) -> list[tuple[str, bool]]:
    titles: dict[str, bool] = {}
    for index, item in enumerate(items):
        if not isinstance(item, dict):
            problems.add(where, f"typicalJobTitles[{index}]: expected an object")
            continue
        name = clean_text(item.get("name"))
        if not name:
            problems.add(where, f"typicalJobTitles[{index}].name: missing or empty")
            continue
        titles[name] = titles.get(name, False) or bool(item.get("isGreen"))
    return list(titles.items())


def read_products(items, code: str, where: str, data: MapData, problems: Problems):
    products: list[tuple[str, str]] = []
    for index, item in enumerate(items):
        label = f"products[{index}]"
        if not isinstance(item, dict):
            problems.add(where, f"{label}: expected an object")
            continue
        product_code = clean_text(item.get("productCode"))
        if not product_code:
            problems.add(where, f"{label}.productCode: missing or empty")
            continue
        product_type = _int(item.get("type"), where, f"{label}.type", problems)
        if product_type is not None and product_type not in PRODUCT_TYPES:
            problems.add(where, f"{label}.type: {product_type}: not a known product type (1 to 6)")
            continue
        small = {"required": False, "maximum": 32767}
        level = _int(item.get("level"), where, f"{label}.level", problems, **small)
        status = _int(item.get("status"), where, f"{label}.status", problems, **small)
        name = clean_text(item.get("name"))
        if product_type is None:
            continue
        values = {
            "code": product_code,
            "name": name,
            "type": product_type,
            "level": level,
            "status": status,
            "status_name": clean_text(item.get("statusName")),
            "career_starter": bool(item.get("careerStarter")),
            "qualification_category": clean_text(item.get("qualificationCategory")),
        }
        check_lengths(Product, values, where, problems, f"{label}.")
        known = data.products.get(product_code)
        if known is None:
            data.products[product_code] = values
        elif known["type"] != product_type:
            problems.add(
                where,
                f"{label}.type: {product_type}: product {product_code} has type "
                f"{known['type']} elsewhere",
            )
        if product_code not in dict(products):
            products.append((product_code, name))
    return products


def _soc_code(value, where: str, name: str, problems: Problems) -> str | None:
    if value in (None, "", 0, "0"):
        return None
    text = str(value).strip()
    if not re.fullmatch(r"[1-9][0-9]{3}", text):
        problems.add(where, f"soc.{name}: {value!r}: not a four-digit unit group code")
        return None
    return text


def read_soc(soc, where: str, data: MapData, problems: Problems):
    if not isinstance(soc, dict):
        problems.add(where, "soc: expected an object")
        return None, None, []
    soc2010 = _soc_code(soc.get("soc2010Code"), where, "soc2010Code", problems)
    soc2020 = _soc_code(soc.get("soc2020Code"), where, "soc2020Code", problems)
    for version, code, key in ((2010, soc2010, "soc2010"), (2020, soc2020, "soc2020")):
        if code:
            title = clean_text(soc.get(f"{key}Description"))
            check_lengths(SocGroup, {"title": title}, where, problems, f"soc.{key}Description ")
            data.soc_titles.setdefault((version, code), title)
    groups: list[tuple[str, bool]] = []
    items = _list(soc, "soc2020SubUnitGroups", where, problems)
    for index, item in enumerate(items):
        label = f"soc.soc2020SubUnitGroups[{index}]"
        code = clean_text(item.get("code") if isinstance(item, dict) else None)
        if not re.match(SUB_UNIT_GROUP_CODE_RE, code):
            problems.add(where, f"{label}.code: {code!r}: not a sub-unit group code like 3544/00")
            continue
        if code in dict(groups):
            problems.add(where, f"{label}.code: {code}: listed twice")
            continue
        groups.append((code, bool(item.get("isPrimary"))))
        title = clean_text(item.get("description"))
        check_lengths(SubUnitGroup, {"title": title}, where, problems, f"{label}.description ")
        data.sub_unit_groups.setdefault(code, title)
    primaries = sum(1 for _, primary in groups if primary)
    if groups and primaries != 1:
        problems.add(
            where,
            f"soc.soc2020SubUnitGroups: {primaries} marked primary: exactly one must be",
        )
    return soc2010, soc2020, groups


def check_consistency(data: MapData, problems: Problems) -> None:
    for cluster_id, cluster in data.clusters.items():
        row = data.rows.get(cluster["row"])
        if row and row["pathway"] != cluster["pathway"]:
            problems.add(
                cluster["where"],
                f"mapHierarchy: cluster {cluster_id} is in pathway {cluster['pathway']} but its "
                f"cluster group {cluster['row']} is in pathway {row['pathway']}",
            )


# Writing ---------------------------------------------------------------------------------------


class MapsWriter:
    """Writes checked :class:`MapData` to the database. Call inside a transaction."""

    def __init__(self, data: MapData, *, prune: bool = False, overwrite_edits: bool = False):
        self.data = data
        self.prune = prune
        self.overwrite_edits = overwrite_edits
        self.outcome = ImportOutcome(main="occupations")
        self.unresolved: list[str] = []
        # Occupation id → the fields staff edited, which this import keeps.
        self.kept: dict[int, set[str]] = {}
        self.codes: dict[int, str] = {}

    def write(self) -> ImportOutcome:
        routes = self.write_routes()
        pathways = self.write_pathways(routes)
        rows = self.write_rows(pathways)
        clusters = self.write_clusters(pathways, rows)
        themes = self.write_themes()
        soc = self.write_soc_groups()
        sub_unit_groups = self.write_sub_unit_groups(soc)
        products = self.write_products()
        occupations = self.write_occupations(clusters)
        ids = {code: occupations[code].pk for code in self.data.occupations}
        changed: set[int] = set()
        changed |= self.write_job_titles(ids)
        changed |= self.write_product_links(ids, products)
        changed |= self.write_green_themes(ids, themes)
        changed |= self.write_soc_mappings(ids, soc)
        changed |= self.write_sub_unit_group_mappings(ids, sub_unit_groups)
        changed |= self.write_progression(ids)
        self.count_child_changes(occupations, ids, changed)
        self.write_local_edits(ids)
        self.outcome.notes.extend(self.data.notes)
        self.outcome.notes.extend(self.unresolved)
        return self.outcome

    # The map structure.
    def write_routes(self) -> dict[int, Route]:
        existing = keyed(Route.objects.all(), lambda r: r.api_id)
        # A slug names one route: another route's slug gets this one's id added.
        taken = {r.slug: api_id for api_id, r in existing.items() if api_id not in self.data.routes}
        desired = {}
        for api_id, route in sorted(self.data.routes.items()):
            current = existing.get(api_id)
            slug = (
                self.data.route_slugs.get(api_id)
                or (current.slug if current else "")
                or slugify(route["name"])
                or f"route-{api_id}"
            )
            if taken.get(slug, api_id) != api_id:
                slug = f"{slug}-{api_id}"
            taken[slug] = api_id
            desired[api_id] = {
                "api_id": api_id,
                "name": route["name"],
                "sequence": route["sequence"],
                "slug": slug,
            }
        result = sync_rows(Route, desired, existing, delete_missing=self.prune)
        return self.outcome.add("routes", result).objects | {
            k: v for k, v in existing.items() if k not in desired and not self.prune
        }

    def write_pathways(self, routes) -> dict[int, Pathway]:
        existing = keyed(Pathway.objects.all(), lambda p: p.api_id)
        # A pathway's slug is its name's, unless another pathway of the route has it already.
        taken = {
            (p.route_id, p.slug): api_id
            for api_id, p in existing.items()
            if api_id not in self.data.pathways
        }
        desired = {}
        for api_id, p in sorted(self.data.pathways.items(), key=lambda item: item[1]["sequence"]):
            route_id = routes[p["route"]].pk
            slug = slugify(p["name"]) or f"pathway-{api_id}"
            if (route_id, slug) in taken:
                slug = f"{slug}-{api_id}"
            taken[(route_id, slug)] = api_id
            desired[api_id] = {
                "api_id": api_id,
                "route_id": route_id,
                "name": p["name"],
                "slug": slug,
                "sequence": p["sequence"],
            }
        return self._sync_structure("pathways", Pathway, desired, existing)

    def write_rows(self, pathways) -> dict[int, ClusterGroup]:
        existing = keyed(ClusterGroup.objects.all(), lambda r: r.api_id)
        desired = {
            api_id: {
                "api_id": api_id,
                "pathway_id": pathways[r["pathway"]].pk,
                "sequence": r["sequence"],
            }
            for api_id, r in self.data.rows.items()
        }
        return self._sync_structure("cluster rows", ClusterGroup, desired, existing)

    def write_clusters(self, pathways, rows) -> dict[int, Cluster]:
        existing = keyed(Cluster.objects.all(), lambda c: c.api_id)
        desired = {
            api_id: {
                "api_id": api_id,
                "pathway_id": pathways[c["pathway"]].pk,
                "row_id": rows[c["row"]].pk,
                "band": c["band"],
                "name": c["name"],
                "sequence": c["sequence"],
            }
            for api_id, c in self.data.clusters.items()
        }
        return self._sync_structure("clusters", Cluster, desired, existing)

    def _sync_structure(self, name, model, desired, existing) -> dict:
        # Without --prune a partial import leaves the rest of the map alone.
        result = sync_rows(model, desired, existing, delete_missing=self.prune)
        self.outcome.add(name, result)
        if self.prune:
            return result.objects
        return {**existing, **result.objects}

    def write_themes(self) -> dict[int, GreenTheme]:
        existing = keyed(GreenTheme.objects.all(), lambda t: t.theme_id)
        desired = {
            theme_id: {"theme_id": theme_id, "name": theme["name"]}
            for theme_id, theme in self.data.themes.items()
        }
        result = sync_rows(
            GreenTheme,
            desired,
            {k: v for k, v in existing.items() if k in desired},
            delete_missing=False,
        )
        self.outcome.add("green themes", result)
        themes = {**existing, **result.objects}
        existing_subs = keyed(
            GreenSubTheme.objects.filter(theme__theme_id__in=list(desired)),
            lambda s: (s.theme_id, s.sub_theme_id),
        )
        desired_subs = {
            (themes[theme_id].pk, sub_id): {
                "theme_id": themes[theme_id].pk,
                "sub_theme_id": sub_id,
                "name": name,
            }
            for theme_id, theme in self.data.themes.items()
            for sub_id, name in theme["sub_themes"].items()
        }
        self.outcome.add(
            "green sub-themes",
            sync_rows(GreenSubTheme, desired_subs, existing_subs, delete_missing=True),
        )
        return themes

    # SOC codes met in the occupations (titles from the occupation files; import_soc fills the
    # rest of the hierarchy and the ONS descriptions).
    def write_soc_groups(self) -> dict[tuple[int, str], SocGroup]:
        wanted = dict(self.data.soc_titles)
        for code in self.data.sub_unit_groups:
            wanted.setdefault((2020, code[:4]), "")
        # One condition per version (an OR per code outgrows SQLite's expression depth).
        codes = Q(pk__in=[])
        for version in {version for version, _ in wanted}:
            in_version = [code for v, code in wanted if v == version]
            codes |= Q(version=version, code__in=in_version)
        existing = keyed(SocGroup.objects.filter(codes), lambda g: (g.version, g.code))
        desired = {}
        for (version, code), title in wanted.items():
            current = existing.get((version, code))
            if current is None:
                desired[(version, code)] = {
                    "version": version,
                    "code": code,
                    "level": SocGroup.Level.UNIT,
                    "title": title,
                }
            elif not current.title and title:
                desired[(version, code)] = {"title": title}
        result = sync_rows(
            SocGroup,
            desired,
            {k: v for k, v in existing.items() if k in desired},
            delete_missing=False,
        )
        result.unchanged = len(existing) - result.updated
        self.outcome.add("SOC groups", result)
        return {**existing, **result.objects}

    def write_sub_unit_groups(self, soc) -> dict[str, SubUnitGroup]:
        wanted = self.data.sub_unit_groups
        existing = keyed(SubUnitGroup.objects.filter(code__in=list(wanted)), lambda s: s.code)
        desired = {}
        for code, title in wanted.items():
            current = existing.get(code)
            if current is None:
                desired[code] = {
                    "code": code,
                    "title": title,
                    "unit_group_id": soc[(2020, code[:4])].pk,
                }
            elif not current.title and title:
                desired[code] = {"title": title}
        result = sync_rows(
            SubUnitGroup,
            desired,
            {k: v for k, v in existing.items() if k in desired},
            delete_missing=False,
        )
        result.unchanged = len(existing) - result.updated
        self.outcome.add("sub-unit groups", result)
        return {**existing, **result.objects}

    def write_products(self) -> dict[str, Product]:
        queryset = Product.objects.all()
        if not self.prune:
            queryset = queryset.filter(code__in=list(self.data.products))
        existing = keyed(queryset, lambda p: p.code)
        result = sync_rows(Product, self.data.products, existing, delete_missing=self.prune)
        self.outcome.add("products", result)
        return result.objects

    def write_occupations(self, clusters) -> dict[str, Occupation]:
        queryset = Occupation.objects.all()
        if not self.prune:
            queryset = queryset.filter(code__in=list(self.data.occupations))
        existing = keyed(queryset, lambda o: o.code)
        desired = {
            code: {**occupation.fields, "cluster_id": clusters[occupation.cluster_id].pk}
            for code, occupation in self.data.occupations.items()
        }
        self.apply_local_edits(existing, desired, clusters)
        if self.prune:
            removed = sorted(code for code in existing if code not in desired)
            if removed:
                self.outcome.notes.append(f"Removed occupations: {', '.join(removed)}")
        result = sync_rows(Occupation, desired, existing, delete_missing=self.prune)
        self.outcome.add("occupations", result)
        return result.objects

    def apply_local_edits(self, existing, desired, clusters) -> None:
        """Keep what staff edited (and report it), or with --overwrite-edits take the source's."""
        edits = LocalEdit.objects.filter(occupation__code__in=list(desired)).select_related(
            "occupation"
        )
        if self.overwrite_edits:
            dropped = [f"{e.occupation.code} {e.field}" for e in edits]
            if dropped:
                edits.delete()
                self.outcome.kept_edits.append(
                    f"Overwrote {len(dropped)} local edit(s) with the imported values: "
                    + ", ".join(sorted(dropped))
                )
            return
        cluster_ids = {c.pk: api_id for api_id, c in clusters.items()}
        for edit in edits:
            occupation = existing[edit.occupation.code]
            self.kept.setdefault(occupation.pk, set()).add(edit.field)
            self.codes[occupation.pk] = occupation.code
            name = "cluster_id" if edit.field == "cluster" else edit.field
            values = desired[occupation.code]
            if name not in values:
                continue  # one of the occupation's lists: kept where it is written
            staff, incoming = getattr(occupation, name), values[name]
            values[name] = staff
            if edit.field in {"keywords"}:
                values["search_text"] = occupation.search_text
            if staff != incoming:
                if name == "cluster_id":
                    staff, incoming = cluster_ids.get(staff, staff), cluster_ids.get(incoming)
                self.report_kept(occupation.code, edit.field, staff, incoming)

    def report_kept(self, code: str, field_name: str, staff, incoming) -> None:
        self.outcome.kept_edits.append(
            f"Kept local edit: {code} {field_name}: staff value {staff!r}, "
            f"imported value {incoming!r}"
        )

    # What belongs to each imported occupation: its rows are replaced when they differ.
    def _replace_children(
        self, name, model, desired_rows, compare, edit_field="", existing_rows=None
    ) -> set[int]:
        """Make each imported occupation's rows of ``model`` the ``desired_rows`` (occupation id
        → list of field dicts), replacing an occupation's rows only where they differ. Lists
        that staff edited (``edit_field``) are kept as they are."""
        if existing_rows is None:
            existing_rows = self._existing_by_owner(
                model.objects.filter(occupation_id__in=list(desired_rows)), "occupation_id"
            )
        result = SyncResult()
        changed: set[int] = set()
        stale: list[int] = []
        new: list = []
        for owner, rows in desired_rows.items():
            have = existing_rows.get(owner, [])
            incoming = sorted(map(compare, rows))
            staff = sorted(compare(vars(obj)) for obj in have)
            if edit_field and edit_field in self.kept.get(owner, ()):
                if staff != incoming:
                    self.report_kept(self.codes[owner], edit_field, staff, incoming)
                result.unchanged += len(have)
                continue
            if incoming == staff:
                result.unchanged += len(rows)
                continue
            changed.add(owner)
            stale.extend(obj.pk for obj in have)
            new.extend(model(**row) for row in rows)
        for start in range(0, len(stale), 500):
            model.objects.filter(pk__in=stale[start : start + 500]).delete()
        model.objects.bulk_create(new, batch_size=500)
        result.created = len(new)
        result.deleted = len(stale)
        self.outcome.add(name, result)
        return changed

    def _existing_by_owner(self, queryset, owner_attr: str) -> dict[int, list]:
        grouped: dict[int, list] = {}
        for obj in queryset:
            grouped.setdefault(getattr(obj, owner_attr), []).append(obj)
        return grouped

    def write_job_titles(self, ids) -> set[int]:
        desired = {
            ids[code]: [
                {"occupation_id": ids[code], "name": name, "is_green": green, "sequence": n}
                for n, (name, green) in enumerate(occupation.job_titles)
            ]
            for code, occupation in self.data.occupations.items()
        }
        return self._replace_children(
            "job titles",
            TypicalJobTitle,
            desired,
            lambda r: (r["name"], r["is_green"], r["sequence"]),
            edit_field=LocalEdit.Field.JOB_TITLES,
        )

    def write_product_links(self, ids, products) -> set[int]:
        desired = {
            ids[code]: [
                {"occupation_id": ids[code], "product_id": products[p].pk, "name": name}
                for p, name in occupation.products
            ]
            for code, occupation in self.data.occupations.items()
        }
        return self._replace_children(
            "product links",
            OccupationProduct,
            desired,
            lambda r: (r["product_id"], r["name"]),
            edit_field=LocalEdit.Field.PRODUCTS,
        )

    def write_green_themes(self, ids, themes) -> set[int]:
        through = Occupation.green_themes.through
        desired = {}
        for code, occupation in self.data.occupations.items():
            rows = []
            for theme_id in occupation.green_theme_ids:
                theme = themes.get(theme_id)
                if theme is None:
                    self.unresolved.append(
                        f"{occupation.where}: greenThemeIds: {theme_id}: no such green theme "
                        "in the import or the database; not linked"
                    )
                    continue
                rows.append({"occupation_id": ids[code], "greentheme_id": theme.pk})
            desired[ids[code]] = rows
        return self._replace_children(
            "green theme links",
            through,
            desired,
            lambda r: r["greentheme_id"],
            edit_field=LocalEdit.Field.GREEN_THEMES,
        )

    def write_soc_mappings(self, ids, soc) -> set[int]:
        existing = self._existing_by_owner(
            SocMapping.objects.filter(occupation_id__in=ids.values()), "occupation_id"
        )
        codes = {group.pk: group.code for group in soc.values()}
        desired = {}
        for code, occupation in self.data.occupations.items():
            owner = ids[code]
            current = existing.get(owner, [None])[0]
            incoming = {
                "soc2010_id": soc[(2010, occupation.soc2010)].pk if occupation.soc2010 else None,
                "soc2020_id": soc[(2020, occupation.soc2020)].pk if occupation.soc2020 else None,
            }
            for edit_field, name in (("soc2010", "soc2010_id"), ("soc2020", "soc2020_id")):
                if edit_field in self.kept.get(owner, ()):
                    staff = getattr(current, name) if current else None
                    if staff != incoming[name]:
                        self.report_kept(
                            code, edit_field, codes.get(staff, staff), codes.get(incoming[name])
                        )
                    incoming[name] = staff
            has_any = incoming["soc2010_id"] or incoming["soc2020_id"]
            desired[owner] = [{"occupation_id": owner, **incoming}] if has_any else []
        return self._replace_children(
            "SOC mappings",
            SocMapping,
            desired,
            lambda r: (r["soc2010_id"] or 0, r["soc2020_id"] or 0),
            existing_rows=existing,
        )

    def write_sub_unit_group_mappings(self, ids, sub_unit_groups) -> set[int]:
        desired = {
            ids[code]: [
                {
                    "occupation_id": ids[code],
                    "sub_unit_group_id": sub_unit_groups[sug].pk,
                    "is_primary": primary,
                }
                for sug, primary in occupation.sub_unit_groups
            ]
            for code, occupation in self.data.occupations.items()
        }
        return self._replace_children(
            "sub-unit group mappings",
            SubUnitGroupMapping,
            desired,
            lambda r: (r["sub_unit_group_id"], r["is_primary"]),
            edit_field=LocalEdit.Field.SUB_UNIT_GROUPS,
        )

    def write_progression(self, ids) -> set[int]:
        """One link per pair. Snapshot neighbours have no direction: stored from the lower level
        to the higher (then by code); the live API's directed edges keep their direction."""
        occupations = self.data.occupations
        known = dict(ids)
        outside = {
            n
            for occupation in occupations.values()
            for n in occupation.neighbours
            if n not in known
        } | {code for edge in self.data.edges for code in edge if code not in known}
        levels = {code: o.fields["level"] for code, o in occupations.items()}
        for other in Occupation.objects.filter(code__in=outside).values("pk", "code", "level"):
            known[other["code"]] = other["pk"]
            levels[other["code"]] = other["level"]
        desired: dict[frozenset, dict] = {}
        for code, occupation in occupations.items():
            for other in occupation.neighbours:
                if other not in known:
                    self.unresolved.append(
                        f"progression {code} – {other}: {other} is not in the import or the "
                        "database; not linked"
                    )
                    continue
                low, high = sorted([code, other], key=lambda c: (levels[c], c))
                desired.setdefault(
                    frozenset((known[low], known[high])),
                    {
                        "from_occupation_id": known[low],
                        "to_occupation_id": known[high],
                        "directed": False,
                    },
                )
        for (start, end), flags in sorted(self.data.edges.items()):
            if start not in known or end not in known:
                missing = start if start not in known else end
                self.unresolved.append(
                    f"progression {start} → {end}: {missing} is not in the import or the "
                    "database; not linked"
                )
                continue
            desired[frozenset((known[start], known[end]))] = {
                "from_occupation_id": known[start],
                "to_occupation_id": known[end],
                **flags,
            }
        imported = list(ids.values())
        existing = keyed(
            Progression.objects.filter(
                Q(from_occupation_id__in=imported) | Q(to_occupation_id__in=imported)
            ),
            lambda p: frozenset((p.from_occupation_id, p.to_occupation_id)),
        )
        # Links staff added stay; so do all the links of an occupation whose links they edited.
        frozen = {
            owner for owner, fields in self.kept.items() if LocalEdit.Field.PROGRESSION in fields
        }
        for key, link in list(existing.items()):
            if link.added_by_staff or key & frozen:
                del existing[key]
                desired.pop(key, None)
        for key in [key for key in desired if key & frozen]:
            del desired[key]
        if frozen:
            for owner in sorted(frozen):
                self.outcome.kept_edits.append(
                    f"Kept local edit: {self.codes[owner]} progression: its links were edited "
                    "by staff and are left as they are"
                )
        result = sync_rows(Progression, desired, existing, delete_missing=True)
        self.outcome.add("progression links", result)
        changed: set[int] = set()
        for key in result.changed_keys:
            changed |= set(key)
        for key in existing:
            if key not in desired:
                changed |= set(key)
        return changed & set(imported)

    def write_local_edits(self, ids) -> None:
        """Staff edits listed in this site's own export become local edits here too."""
        if not self.data.local_edits:
            return
        users = dict(
            User.objects.filter(
                username__in={who for *_, who in self.data.local_edits if who}
            ).values_list("username", "pk")
        )
        desired = {
            (ids[code], name): {
                "occupation_id": ids[code],
                "field": name,
                "edited_at": when,
                "edited_by_id": users.get(who),
            }
            for code, name, when, who in self.data.local_edits
            if code in ids
        }
        existing = keyed(
            LocalEdit.objects.filter(occupation_id__in=ids.values()),
            lambda e: (e.occupation_id, e.field),
        )
        existing = {k: v for k, v in existing.items() if k in desired}
        self.outcome.add(
            "local edits", sync_rows(LocalEdit, desired, existing, delete_missing=False)
        )

    def count_child_changes(self, occupations, ids, changed: set[int]) -> None:
        """An occupation whose own fields did not change but whose lists did is updated too."""
        result = self.outcome.counts["occupations"]
        already = {occupations[code].pk for code in result.changed_keys if code in occupations}
        extra = len((changed & set(ids.values())) - already)
        result.updated += extra
        result.unchanged -= extra
