"""Reads shared by the pages (occupations/views.py, occupations/route_views.py) and the API
(occupations/api.py, occupations/route_api.py): the route counts, a route's map, and an
occupation with its neighbours. Each is built here once, so a page and its API document show
the same things in the same order."""

from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Count, Prefetch, Q

from occupations.models import (
    Occupation,
    OccupationProduct,
    Progression,
    TypicalJobTitle,
    UnloadedProgression,
    attach_product_types,
    sub_unit_group_mappings,
)
from routes.models import BAND_LEVELS, Cluster, ClusterGroup, Route, TechnicalBand

#: The order of cards in a cluster, of occupations in a list and of neighbours.
CARD_ORDER = ("level", "title", "code")


def routes_with_counts():
    """Routes with ``occupation_count`` and ``status_N`` (one per status), in one query."""
    occupations = "pathways__clusters__occupations"
    by_status = {
        f"status_{status.value}": Count(occupations, filter=Q(**{f"{occupations}__status": status}))
        for status in Occupation.Status
    }
    return Route.objects.annotate(occupation_count=Count(occupations), **by_status)


@dataclass
class RouteMap:
    """A route's map: ``pathways`` in order, each with ``grid`` (its rows, cluster groups, in
    order); each row has ``cluster_list`` (by band, then sequence) and ``cells`` (one per band);
    each cluster has ``cards`` (its occupations shown) and ``hidden`` (how many the filters
    hide). ``occupations`` is every occupation on the route, with its card data."""

    pathways: list
    occupations: list
    shown: int

    @property
    def total(self) -> int:
        return len(self.occupations)

    @property
    def hidden(self) -> int:
        return self.total - self.shown


def route_map(route: Route, shown_ids: set[int] | None = None) -> RouteMap:
    """The route's grid of pathways, rows and clusters holding occupation cards; with
    ``shown_ids``, only those occupations are cards and the others are counted as hidden."""
    occupations = list(Occupation.objects.in_route(route).with_card_data().order_by(*CARD_ORDER))
    attach_product_types(occupations)
    cards, hidden = defaultdict(list), defaultdict(int)
    for occupation in occupations:
        if shown_ids is None or occupation.pk in shown_ids:
            cards[occupation.cluster_id].append(occupation)
        else:
            hidden[occupation.cluster_id] += 1

    clusters_by_row = defaultdict(list)
    for cluster in (
        Cluster.objects.filter(pathway__route=route)
        .select_related("pathway__route")
        .order_by("band", "sequence", "name")
    ):
        cluster.cards = cards[cluster.pk]
        cluster.hidden = hidden[cluster.pk]
        clusters_by_row[cluster.row_id].append(cluster)

    rows_by_pathway = defaultdict(list)
    for row in (
        ClusterGroup.objects.filter(pathway__route=route)
        .select_related("pathway__route")
        .order_by("sequence", "api_id")
    ):
        row.cluster_list = clusters_by_row[row.pk]
        row.cells = [
            {
                "band": band,
                "levels": BAND_LEVELS[band],
                "clusters": [c for c in row.cluster_list if c.band == band.value],
            }
            for band in TechnicalBand
        ]
        rows_by_pathway[row.pathway_id].append(row)

    pathways = list(route.pathways.select_related("route").order_by("sequence", "name"))
    for pathway in pathways:
        pathway.grid = rows_by_pathway[pathway.pk]
        in_pathway = [cluster for row in pathway.grid for cluster in row.cluster_list]
        pathway.shown = sum(len(cluster.cards) for cluster in in_pathway)
        pathway.hidden = sum(cluster.hidden for cluster in in_pathway)
    shown = len(occupations) if shown_ids is None else len(shown_ids)
    return RouteMap(pathways=pathways, occupations=occupations, shown=shown)


def occupation_with_details(code: str) -> Occupation | None:
    """The occupation with its map place, SOC groups, job titles, products (ordered by type),
    SOC 2020 sub-unit groups (the primary first) and green themes; None if there is none."""
    return (
        Occupation.objects.with_map_place()
        .select_related("soc__soc2010", "soc__soc2020")
        .prefetch_related(
            Prefetch("job_titles", queryset=TypicalJobTitle.objects.order_by("sequence", "name")),
            Prefetch(
                "product_links",
                queryset=OccupationProduct.objects.select_related("product").order_by(
                    "product__type", "product__level", "name", "product__code"
                ),
            ),
            Prefetch(
                "sub_unit_group_mappings",
                queryset=sub_unit_group_mappings()
                .select_related("sub_unit_group__unit_group")
                .order_by("-is_primary", "sub_unit_group__code"),
            ),
            "green_themes",
        )
        .filter(code=code)
        .first()
    )


def neighbours(occupation: Occupation) -> list[Occupation]:
    """The occupations linked to this one by progression, by level, then title (then code).

    Each has ``direction`` ("to" or "from" when the link's direction is known, else ""),
    ``route`` (None when it is on no map) and ``other_route`` (it is on another route).
    """
    links = Progression.objects.filter(
        Q(from_occupation=occupation) | Q(to_occupation=occupation)
    ).select_related(
        "from_occupation__cluster__pathway__route", "to_occupation__cluster__pathway__route"
    )
    found = []
    for link in links:
        outgoing = link.from_occupation_id == occupation.pk
        other = link.to_occupation if outgoing else link.from_occupation
        other.direction = ("to" if outgoing else "from") if link.directed else ""
        other.route = other.cluster.pathway.route if other.cluster else None
        other.other_route = (
            other.route is not None
            and occupation.cluster is not None
            and (other.route.pk != occupation.cluster.pathway.route_id)
        )
        found.append(other)
    found.sort(key=lambda o: (o.level, o.title, o.code))
    return found


@dataclass
class Link:
    """One progression link of an occupation, as the route map's focus panel lists it.

    ``link`` is the other end's side of it: "to" (a step on from the occupation), "from" (a
    step into it) or "both" (both ways, or a move at the same level when the source gives no
    direction). ``occupation`` is None when the other end is not loaded; ``route`` is the name
    of its route when known.
    """

    code: str
    title: str
    level: int | None
    link: str
    route: str = ""
    on_route: bool = False
    occupation: Occupation | None = None
    status: str = ""

    @property
    def url(self) -> str:
        return self.occupation.get_absolute_url() if self.occupation else ""


def link_side(direction: str, level: int, other_level: int) -> str:
    """Which side of the link the other occupation is on: "to", "from" or "both"."""
    if direction:
        return direction
    if other_level > level:
        return "to"
    if other_level < level:
        return "from"
    return "both"


def unloaded_links(occupation: Occupation) -> list[UnloadedProgression]:
    """The occupation's progression entries whose other end is not loaded, by level, title."""
    return sorted(
        UnloadedProgression.objects.unloaded().filter(occupation=occupation),
        key=lambda link: (link.level or 99, link.title, link.code),
    )


def all_neighbours(occupation: Occupation) -> list:
    """Loaded neighbours and entries not loaded, together by level (unknown last), title."""
    found = [*neighbours(occupation), *unloaded_links(occupation)]
    found.sort(key=lambda o: (o.level or 99, o.title, o.code))
    return found


def focus_links(occupation: Occupation) -> list[Link]:
    """Every progression link of the occupation, by level, then title: one per other end."""
    route_id = occupation.cluster.pathway.route_id if occupation.cluster else None
    found: dict[str, Link] = {}
    for other in neighbours(occupation):
        side = link_side(other.direction, occupation.level, other.level)
        if other.code in found:
            found[other.code].link = "both" if found[other.code].link != side else side
            continue
        found[other.code] = Link(
            code=other.code,
            title=other.title,
            level=other.level,
            link=side,
            route=other.route.name if other.route else "",
            on_route=other.route is not None and other.route.pk == route_id,
            occupation=other,
            status=other.get_status_display(),
        )
    for entry in unloaded_links(occupation):
        found.setdefault(
            entry.code,
            Link(
                code=entry.code,
                title=entry.title or entry.code,
                level=entry.level,
                link=link_side("", occupation.level, entry.level or occupation.level),
                status=entry.get_status_display() if entry.status else "",
            ),
        )
    return sorted(found.values(), key=lambda link: (link.level or 99, link.title, link.code))
