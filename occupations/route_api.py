"""The API's routes: ``/api/v1/routes`` and ``/api/v1/routes/{slug}`` (see ``site_pages.api``)."""

from django.http import Http404
from ninja import Router

from core.schemas import ErrorOut, path_key
from occupations.route_schemas import RouteDetail, RouteOut
from occupations.selectors import route_map, routes_with_counts
from routes.models import BAND_LEVELS, TechnicalBand

router = Router(tags=["Routes"])


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
    route.pathway_list = route_map(route).pathways
    route.bands = [
        {"band": band.value, "name": band.label, "levels": list(BAND_LEVELS[band])}
        for band in TechnicalBand
    ]
    return route
