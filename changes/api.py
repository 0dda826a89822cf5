"""The API's releases: ``/api/v1/releases`` and ``/api/v1/releases/{number}``."""

from django.http import Http404
from ninja import Query, Router

from changes import selectors
from changes.models import Release
from changes.schemas import ChangeQuery, ReleaseDetail, ReleasePage, ReleaseQuery
from core.schemas import ApiError, ErrorOut, paginate

router = Router(tags=["Releases"])


@router.get(
    "",
    response={200: ReleasePage, 400: ErrorOut, 404: ErrorOut},
    url_name="releases",
    summary="List the releases",
    description=(
        "Every import or staff edit that changed what the maps show, newest first, a page at a "
        "time, with its differences counted by kind."
    ),
)
def list_releases(request, query: Query[ReleaseQuery]):
    return paginate(request, Release.objects.order_by("-number"), query)


@router.get(
    "/{number}",
    response={200: ReleaseDetail, 400: ErrorOut, 404: ErrorOut},
    url_name="release",
    summary="One release and its differences",
    description=(
        "A release with every difference it lists, or those on one route or of one kind. An "
        "unknown route is a 400."
    ),
)
def release_detail(request, number: int, query: Query[ChangeQuery]):
    release = Release.objects.filter(number=number).first()
    if release is None:
        raise Http404(f"There is no release {number}.")
    route = query.route or ""
    if route and route not in dict(selectors.route_choices()):
        raise ApiError(
            400,
            "Some query parameters are not valid.",
            {"route": [f"There is no route {route!r}."]},
        )
    kind = query.kind.value if query.kind else ""
    release.changes_list = selectors.with_links(
        selectors.release_changes(release, route=route, kind=kind)
    )
    return release
