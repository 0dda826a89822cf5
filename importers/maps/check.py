"""The checks of one occupation record and of the whole source, each problem with its place
(file, record, field, value)."""

from __future__ import annotations

import re

from core.parsers import (
    check_lengths,
    clean_text,
    flag,
    list_field,
    parse_date,
    sanitise_html,
    text,
    whole_number,
)
from core.problems import Problems
from importers.maps.data import PRODUCT_TYPES, STATUSES, MapData, OccupationData
from occupations.models import (
    OCCUPATION_CODE_RE,
    Occupation,
    OccupationProduct,
    Product,
    TypicalJobTitle,
)
from routes.models import BAND_LEVELS, Cluster, Pathway, TechnicalBand
from socmapping.models import (
    SUB_UNIT_GROUP_CODE_RE,
    SocGroup,
    SubUnitGroup,
)


def read_occupation(item: dict, label: str, data: MapData, problems: Problems) -> None:
    raw_code = item.get("stdCode")
    code = clean_text(raw_code) if isinstance(raw_code, str) else ""
    where = f"{label}: record {code or '(no code)'}"
    before = len(problems)
    if text(item, "stdCode", where, problems) is None:
        code = ""
    if not code:
        problems.add(where, "stdCode: missing or empty")
    elif not re.match(OCCUPATION_CODE_RE, code):
        problems.add(where, f"stdCode: {raw_code!r}: not an occupation code like OCC0118")
    if code in data.occupations:
        problems.add(where, f"stdCode: {code}: also in {data.occupations[code].where}")
    title = text(item, "name", where, problems)
    if title == "":
        problems.add(where, "name: missing or empty")
    status = whole_number(item.get("status"), where, "status", problems)
    if status is not None and status not in STATUSES:
        problems.add(where, f"status: {status}: not a known status (1 to 4)")
    level = whole_number(item.get("level"), where, "level", problems)
    if level is not None and not 2 <= level <= 7:
        problems.add(where, f"level: {level}: must be between 2 and 7")
    status_date = parse_date(item.get("statusLastUpdated"), where, problems, "statusLastUpdated")
    keywords = list_field(item, "keywords", where, problems)
    if not all(isinstance(k, str | int | float) for k in keywords):
        problems.add(where, "keywords: expected a list of words")
        keywords = []

    cluster_id = read_hierarchy(item.get("mapHierarchy"), item, where, level, data, problems)
    job_titles = read_job_titles(
        list_field(item, "typicalJobTitles", where, problems), where, problems
    )
    products = read_products(
        list_field(item, "products", where, problems), code, where, data, problems
    )
    soc2010, soc2020, sub_unit_groups = read_soc(item.get("soc") or {}, where, data, problems)
    theme_ids = []
    for value in list_field(item, "greenThemeIds", where, problems):
        theme_id = whole_number(value, where, "greenThemeIds", problems)
        if theme_id is not None:
            theme_ids.append(theme_id)
    neighbours, neighbour_details = [], {}
    for index, neighbour in enumerate(list_field(item, "progression", where, problems)):
        other = clean_text(neighbour.get("stdCode") if isinstance(neighbour, dict) else None)
        if not re.match(OCCUPATION_CODE_RE, other):
            problems.add(where, f"progression[{index}].stdCode: {other!r}: not an occupation code")
        elif other != code and other not in neighbours:
            neighbours.append(other)
            neighbour_details[other] = neighbour_summary(neighbour)

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
        neighbour_details=neighbour_details,
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
        key: whole_number(hierarchy.get(key), where, f"mapHierarchy.{key}", problems)
        for key in ("routeId", "pathwayId", "clusterGroupId", "clusterId", "technicalLevel")
    }
    sequences = {
        key: whole_number(
            hierarchy.get(key), where, f"mapHierarchy.{key}", problems, required=False
        )
        or 0
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
        label = f"typicalJobTitles[{index}]"
        name = text(item, "name", where, problems, f"{label}.name")
        if not name:
            if name == "":
                problems.add(where, f"{label}.name: missing or empty")
            continue
        is_green = flag(item, "isGreen", where, problems, f"{label}.isGreen")
        titles[name] = titles.get(name, False) or is_green
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
        product_type = whole_number(item.get("type"), where, f"{label}.type", problems)
        if product_type is not None and product_type not in PRODUCT_TYPES:
            problems.add(where, f"{label}.type: {product_type}: not a known product type (1 to 6)")
            continue
        small = {"required": False, "maximum": 32767}
        level = whole_number(item.get("level"), where, f"{label}.level", problems, **small)
        status = whole_number(item.get("status"), where, f"{label}.status", problems, **small)
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
            "career_starter": flag(
                item, "careerStarter", where, problems, f"{label}.careerStarter"
            ),
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
    items = list_field(soc, "soc2020SubUnitGroups", where, problems)
    for index, item in enumerate(items):
        label = f"soc.soc2020SubUnitGroups[{index}]"
        code = clean_text(item.get("code") if isinstance(item, dict) else None)
        if not re.match(SUB_UNIT_GROUP_CODE_RE, code):
            problems.add(where, f"{label}.code: {code!r}: not a sub-unit group code like 3544/00")
            continue
        if code in dict(groups):
            problems.add(where, f"{label}.code: {code}: listed twice")
            continue
        groups.append((code, flag(item, "isPrimary", where, problems, f"{label}.isPrimary")))
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


def neighbour_summary(neighbour: dict) -> dict:
    """The title, level and status a progression entry gives; what is missing or out of range
    is left empty (it only describes an occupation that may not be loaded)."""
    level, status = neighbour.get("level"), neighbour.get("status")
    return {
        "title": clean_text(neighbour.get("name"))[:300],
        "level": level if isinstance(level, int) and 2 <= level <= 7 else None,
        "status": status if isinstance(status, int) and status in STATUSES else None,
    }
