"""The comparable state of the maps: what a release compares, in a few queries.

Per occupation: its title, level, status, place on the map (route, pathway, cluster), products
with their status, progression links (the neighbours, either way), SOC 2010 and SOC 2020 unit
groups, SOC 2020 sub-unit groups and job titles. Per route: its name, pathways and clusters.
Text is normalised (HTML tags and entities, runs of white space), so tidying the source is no
difference. Everything is plain JSON data: the states of what changed are kept with the
release.
"""

from __future__ import annotations

import html
from collections import defaultdict

from django.utils.html import strip_tags

from occupations.models import (
    Occupation,
    OccupationProduct,
    Progression,
    TypicalJobTitle,
    UnloadedProgression,
)
from routes.models import Cluster, Pathway, Route
from socmapping.models import SocMapping, SubUnitGroupMapping

#: {"occupations": {code: state}, "routes": {api id: state}}
State = dict[str, dict[str, dict]]


def clean(text: str | None) -> str:
    """Text as it reads: no tags, entities decoded, white space collapsed."""
    if not text:
        return ""
    if "<" in text:  # the parser is slow: most text has no tags
        text = strip_tags(text)
    if "&" in text:
        text = html.unescape(text)
    return " ".join(text.replace("\xa0", " ").split())


def take() -> State:
    """The state now (ten queries, whatever the size of the map)."""
    return {"occupations": occupation_states(), "routes": route_states()}


def occupation_states() -> dict[str, dict]:
    states: dict[str, dict] = {}
    codes: dict[int, str] = {}
    rows = Occupation.objects.values_list(
        "pk",
        "code",
        "title",
        "level",
        "status",
        "cluster__api_id",
        "cluster__name",
        "cluster__pathway__api_id",
        "cluster__pathway__name",
        "cluster__pathway__route__slug",
        "cluster__pathway__route__name",
    )
    for (
        pk,
        code,
        title,
        level,
        status,
        cluster,
        cluster_name,
        pathway,
        pathway_name,
        *route,
    ) in rows:
        codes[pk] = code
        states[code] = {
            "title": clean(title),
            "level": level,
            "status": status,
            "place": None
            if cluster is None
            else {
                "route": route[0],
                "route_name": clean(route[1]),
                "pathway_id": pathway,
                "pathway": clean(pathway_name),
                "cluster_id": cluster,
                "cluster": clean(cluster_name),
            },
            "products": {},
            "progression": [],
            "soc2010": None,
            "soc2020": None,
            "sub_unit_groups": [],
            "job_titles": [],
        }

    def state(pk: int) -> dict:
        return states[codes[pk]]

    products = OccupationProduct.objects.values_list(
        "occupation_id", "product__code", "product__name", "product__status_name"
    )
    for pk, code, name, status_name in products:
        state(pk)["products"][code] = {"name": clean(name), "status": clean(status_name)}

    # Progression links are compared as pairs of neighbours, listed at both loaded ends (a link
    # to an occupation not loaded is the same link once that occupation is loaded).
    pairs = Progression.objects.values_list("from_occupation__code", "to_occupation__code")
    unloaded = (
        (codes[pk], other)
        for pk, other in UnloadedProgression.objects.values_list("occupation_id", "code")
    )
    links: dict[str, set[str]] = defaultdict(set)
    for one, other in [*pairs, *unloaded]:
        links[one].add(other)
        links[other].add(one)
    for code, neighbours in links.items():
        if code in states:
            states[code]["progression"] = sorted(neighbours)

    mappings = SocMapping.objects.values_list("occupation_id", "soc2010__code", "soc2020__code")
    for pk, soc2010, soc2020 in mappings:
        state(pk)["soc2010"] = soc2010
        state(pk)["soc2020"] = soc2020
    sub_units = SubUnitGroupMapping.objects.values_list("occupation_id", "sub_unit_group__code")
    for pk, code in sub_units:
        state(pk)["sub_unit_groups"].append(code)
    for pk, name in TypicalJobTitle.objects.values_list("occupation_id", "name"):
        state(pk)["job_titles"].append(clean(name))
    for item in states.values():
        item["sub_unit_groups"].sort()
        item["job_titles"] = sorted(set(item["job_titles"]))
    return states


def route_states() -> dict[str, dict]:
    routes: dict[str, dict] = {}
    ids: dict[int, str] = {}
    for pk, api_id, slug, name in Route.objects.values_list("pk", "api_id", "slug", "name"):
        ids[pk] = str(api_id)
        routes[str(api_id)] = {"slug": slug, "name": clean(name), "pathways": {}, "clusters": {}}
    pathways: dict[int, tuple[str, str]] = {}
    for pk, route, api_id, name in Pathway.objects.values_list("pk", "route_id", "api_id", "name"):
        pathways[pk] = (ids[route], clean(name))
        routes[ids[route]]["pathways"][str(api_id)] = clean(name)
    for pathway, api_id, name in Cluster.objects.values_list("pathway_id", "api_id", "name"):
        route, pathway_name = pathways[pathway]
        routes[route]["clusters"][str(api_id)] = {"name": clean(name), "pathway": pathway_name}
    return routes
