"""The API's routes: ``/api/v1/routes`` and ``/api/v1/routes/{slug}`` (see ``site_pages.api``)."""

from collections import defaultdict

from django.db.models import Count, Q
from django.http import Http404
from ninja import Router

from core.schemas import ErrorOut, path_key
from occupations.models import Occupation, attach_product_types
from occupations.route_schemas import RouteDetail, RouteOut
from routes.models import BAND_LEVELS, Cluster, ClusterGroup, Route, TechnicalBand

router = Router(tags=["Routes"])


def routes_with_counts():
    """Routes with ``occupation_count`` and ``status_N`` (one per status), in one query."""
    occupations = "pathways__clusters__occupations"
    by_status = {
        f"status_{status.value}": Count(occupations, filter=Q(**{f"{occupations}__status": status}))
        for status in Occupation.Status
    }
    return Route.objects.annotate(occupation_count=Count(occupations), **by_status)


@router.get(
    "",
    response=list[RouteOut],
    url_name="routes",
    summary="List the routes",
    description="The 15 routes in map order, with their occupations counted by status.",
)
def list_routes(request):
    return list(routes_with_counts().order_by("sequence", "name"))


@router.get(
    "/{slug}",
    response={200: RouteDetail, 404: ErrorOut},
    url_name="route",
    summary="One route's map",
    description=(
        "A route with its pathways; each pathway's grid as rows (cluster groups) of clusters, "
        "each cluster in a technical band and holding its occupations, as on the route map."
    ),
)
def route_detail(request, slug: str):
    key = path_key(slug, "route with the slug").lower()
    route = routes_with_counts().filter(slug=key).first()
    if route is None:
        raise Http404(f"No route has the slug {slug!r}.")
    occupations = list(
        Occupation.objects.in_route(route).with_card_data().order_by("level", "title", "code")
    )
    attach_product_types(occupations)
    cards = defaultdict(list)
    for occupation in occupations:
        cards[occupation.cluster_id].append(occupation)
    clusters_by_row = defaultdict(list)
    for cluster in (
        Cluster.objects.filter(pathway__route=route)
        .select_related("pathway__route")
        .order_by("band", "sequence", "name")
    ):
        cluster.cards = cards[cluster.pk]
        clusters_by_row[cluster.row_id].append(cluster)
    rows_by_pathway = defaultdict(list)
    for row in (
        ClusterGroup.objects.filter(pathway__route=route)
        .select_related("pathway__route")
        .order_by("sequence", "api_id")
    ):
        row.cluster_list = clusters_by_row[row.pk]
        rows_by_pathway[row.pathway_id].append(row)
    route.pathway_list = list(route.pathways.select_related("route").order_by("sequence", "name"))
    for pathway in route.pathway_list:
        pathway.row_list = rows_by_pathway[pathway.pk]
    route.bands = [
        {"band": band.value, "name": band.label, "levels": list(BAND_LEVELS[band])}
        for band in TechnicalBand
    ]
    return route
