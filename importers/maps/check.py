"""The checks of one occupation record and of the whole source, each problem with its place
(file, record, field, value).

A record is read through its document model (``documents.Occupation``), which refuses wrong
types; what is checked here is what types cannot say: codes and their patterns, levels and
bands, duplicates, and agreement between records. The places in the messages are the API's
names, which ``documents.place`` gives from the models' Python names."""

from __future__ import annotations

import re

from core.parsers import check_lengths, clean_text, sanitise_html, validated
from core.problems import Problems
from importers.maps import documents
from importers.maps.data import PRODUCT_TYPES, STATUSES, MapData, OccupationData
from importers.maps.documents import place
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

OCCUPATION = documents.Occupation
HIERARCHY = "map_hierarchy"


def at(*parts: str | int) -> str:
    """A place in an occupation record, in the API's names."""
    return place(OCCUPATION, *parts)


def read_occupation(item, label: str, data: MapData, problems: Problems) -> None:
    raw_code = documents.record_code(item)
    code = clean_text(raw_code)
    where = f"{label}: record {code or '(no code)'}"
    record = validated(OCCUPATION, item, where, problems)
    if record is None:
        return
    before = len(problems)
    if not code:
        problems.add(where, f"{at('std_code')}: missing or empty")
    elif not re.match(OCCUPATION_CODE_RE, code):
        problems.add(where, f"{at('std_code')}: {raw_code!r}: not an occupation code like OCC0118")
    if code in data.occupations:
        problems.add(where, f"{at('std_code')}: {code}: also in {data.occupations[code].where}")
    title = clean_text(record.name)
    if not title:
        problems.add(where, f"{at('name')}: missing or empty")
    if record.status not in STATUSES:
        problems.add(where, f"{at('status')}: {record.status}: not a known status (1 to 4)")
    level = record.level
    if not 2 <= level <= 7:
        problems.add(where, f"{at('level')}: {level}: must be between 2 and 7")

    cluster_id = read_hierarchy(record, where, data, problems)
    job_titles = read_job_titles(record.typical_job_titles, where, problems)
    products = read_products(record.products, where, data, problems)
    soc2010, soc2020, sub_unit_groups = read_soc(record.soc, where, data, problems)
    neighbours, neighbour_details = [], {}
    for index, neighbour in enumerate(record.progression):
        other = clean_text(neighbour.std_code)
        if not re.match(OCCUPATION_CODE_RE, other):
            problems.add(
                where,
                f"{at('progression', index, 'std_code')}: {other!r}: not an occupation code",
            )
        elif other != code and other not in neighbours:
            neighbours.append(other)
            neighbour_details[other] = neighbour_summary(neighbour)

    if len(problems) > before:
        return
    cleaned_keywords = _unique(clean_text(k) for k in record.keywords)
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
            "status": record.status,
            "version": clean_text(record.version_no),
            "status_date": record.status_last_updated,
            "standard_reference": standard,
            "overview": clean_text(record.overview),
            "summary": sanitise_html(record.summary),
            "involved_employers": clean_text(record.involved_employers),
            "keywords": cleaned_keywords,
            "search_text": Occupation.make_search_text(
                [name for name, _ in job_titles], cleaned_keywords
            ),
        },
        cluster_id=cluster_id,
        job_titles=job_titles,
        products=products,
        green_theme_ids=_unique(record.green_theme_ids),
        soc2010=soc2010,
        soc2020=soc2020,
        sub_unit_groups=sub_unit_groups,
        neighbours=neighbours,
        neighbour_details=neighbour_details,
    )
    check_lengths(Occupation, data.occupations[code].fields, where, problems)
    titles = at("typical_job_titles")
    for name, _ in job_titles:
        check_lengths(TypicalJobTitle, {"name": name}, where, problems, f"{titles}.")
    for _, name in products:
        check_lengths(OccupationProduct, {"name": name}, where, problems, f"{at('products')}.")


def _unique(values) -> list:
    seen: list = []
    for value in values:
        if value not in seen and value != "":
            seen.append(value)
    return seen


def read_hierarchy(
    record: documents.Occupation, where: str, data: MapData, problems: Problems
) -> int | None:
    hierarchy = record.map_hierarchy
    if hierarchy is None:
        problems.add(where, f"{at(HIERARCHY)}: missing")
        return None
    names = {
        name: clean_text(getattr(hierarchy, name))
        for name in ("route_name", "pathway_name", "cluster_name")
    }
    missing = [name for name, value in names.items() if not value]
    for name in missing:
        problems.add(where, f"{at(HIERARCHY, name)}: missing")
    if missing:
        return None
    band = hierarchy.technical_level
    if band not in BAND_LEVELS:
        problems.add(where, f"{at(HIERARCHY, 'technical_level')}: {band}: not a band (1 to 3)")
        return None
    level = record.level
    if level not in BAND_LEVELS[band]:
        low, high = BAND_LEVELS[band]
        problems.add(
            where,
            f"{at('level')}: {level}: outside its cluster's band {TechnicalBand(band).label} "
            f"(levels {low} to {high})",
        )
    route_id = hierarchy.route_id
    route = {
        "api_id": route_id,
        "name": names["route_name"],
        "sequence": hierarchy.route_sequence,
    }
    data.routes.setdefault(route_id, route)
    slug = route_slug_from_links(record.links)
    if slug:
        data.route_slugs.setdefault(route_id, slug)
    _put(
        data.pathways,
        hierarchy.pathway_id,
        {
            "route": route_id,
            "name": names["pathway_name"],
            "sequence": hierarchy.pathway_sequence,
        },
        where,
        "pathway",
        problems,
    )
    _put(
        data.rows,
        hierarchy.cluster_group_id,
        {"pathway": hierarchy.pathway_id, "sequence": hierarchy.cluster_group_sequence},
        where,
        "cluster group",
        problems,
    )
    _put(
        data.clusters,
        hierarchy.cluster_id,
        {
            "pathway": hierarchy.pathway_id,
            "row": hierarchy.cluster_group_id,
            "band": band,
            "name": names["cluster_name"],
            "sequence": hierarchy.cluster_sequence,
        },
        where,
        "cluster",
        problems,
    )
    return hierarchy.cluster_id


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
                f"{at(HIERARCHY)}: {what} {key}: {name} is {value!r} here but {known[name]!r} "
                f"in {known['where']}",
            )


def route_slug_from_links(links: list[documents.Link]) -> str:
    for link in links:
        if link.rel == documents.MAP_LINK:
            # The API's map page (/maps/route/digital), or this site's (/routes/digital/).
            match = re.search(r"/(?:maps/route|routes)/([a-z0-9-]+)/?$", link.href)
            if match:
                return match.group(1)
    return ""


def read_job_titles(
    items: list[documents.JobTitle], where: str, problems: Problems
) -> list[tuple[str, bool]]:
    titles: dict[str, bool] = {}
    for index, item in enumerate(items):
        name = clean_text(item.name)
        if not name:
            problems.add(where, f"{at('typical_job_titles', index, 'name')}: missing or empty")
            continue
        titles[name] = titles.get(name, False) or item.is_green
    return list(titles.items())


def read_products(items: list[documents.Product], where: str, data: MapData, problems: Problems):
    products: list[tuple[str, str]] = []
    for index, item in enumerate(items):
        label = at("products", index)
        product_code = clean_text(item.product_code)
        if not product_code:
            problems.add(where, f"{at('products', index, 'product_code')}: missing or empty")
            continue
        product_type = item.type
        if product_type not in PRODUCT_TYPES:
            problems.add(where, f"{label}.type: {product_type}: not a known product type (1 to 6)")
            continue
        name = clean_text(item.name)
        values = {
            "code": product_code,
            "name": name,
            "type": product_type,
            "level": item.level,
            "status": item.status,
            "status_name": clean_text(item.status_name),
            "career_starter": item.career_starter,
            "qualification_category": clean_text(item.qualification_category),
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


def _soc_code(value: int, where: str, name: str, problems: Problems) -> str | None:
    if value == documents.NOT_MAPPED:
        return None
    text = str(value)
    if not re.fullmatch(r"[1-9][0-9]{3}", text):
        problems.add(where, f"{at('soc', name)}: {value!r}: not a four-digit unit group code")
        return None
    return text


def read_soc(soc: documents.Soc | None, where: str, data: MapData, problems: Problems):
    if soc is None:
        return None, None, []
    soc2010 = _soc_code(soc.soc2010_code, where, "soc2010_code", problems)
    soc2020 = _soc_code(soc.soc2020_code, where, "soc2020_code", problems)
    for version, code, title in (
        (2010, soc2010, soc.soc2010_description),
        (2020, soc2020, soc.soc2020_description),
    ):
        if code:
            title = clean_text(title)
            name = at("soc", f"soc{version}_description")
            check_lengths(SocGroup, {"title": title}, where, problems, f"{name} ")
            data.soc_titles.setdefault((version, code), title)
    groups: list[tuple[str, bool]] = []
    for index, item in enumerate(soc.soc2020_sub_unit_groups):
        label = at("soc", "soc2020_sub_unit_groups", index)
        code = clean_text(item.code)
        if not re.match(SUB_UNIT_GROUP_CODE_RE, code):
            problems.add(where, f"{label}.code: {code!r}: not a sub-unit group code like 3544/00")
            continue
        if code in dict(groups):
            problems.add(where, f"{label}.code: {code}: listed twice")
            continue
        groups.append((code, item.is_primary))
        title = clean_text(item.description)
        check_lengths(SubUnitGroup, {"title": title}, where, problems, f"{label}.description ")
        data.sub_unit_groups.setdefault(code, title)
    primaries = sum(1 for _, primary in groups if primary)
    if groups and primaries != 1:
        problems.add(
            where,
            f"{at('soc', 'soc2020_sub_unit_groups')}: {primaries} marked primary: "
            "exactly one must be",
        )
    return soc2010, soc2020, groups


def check_consistency(data: MapData, problems: Problems) -> None:
    for cluster_id, cluster in data.clusters.items():
        row = data.rows.get(cluster["row"])
        if row and row["pathway"] != cluster["pathway"]:
            problems.add(
                cluster["where"],
                f"{at(HIERARCHY)}: cluster {cluster_id} is in pathway {cluster['pathway']} but "
                f"its cluster group {cluster['row']} is in pathway {row['pathway']}",
            )


def neighbour_summary(neighbour: documents.OccupationSummary) -> dict:
    """The title, level and status a progression entry gives; what is out of range is left
    empty (it only describes an occupation that may not be loaded)."""
    level, status = neighbour.level, neighbour.status
    return {
        "title": clean_text(neighbour.name)[:300],
        "level": level if 2 <= level <= 7 else None,
        "status": status if status in STATUSES else None,
    }
