from django.conf import settings
from django.db import DatabaseError, connection
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from core.models import ImportRecord
from core.querystring import query_parameters
from importers.exports import CREDIT, DISCLAIMER, LICENCE
from occupations.models import Occupation
from occupations.selectors import routes_with_counts
from site_pages import apidocs
from site_pages.api import api
from site_pages.downloads import DOWNLOADS, opened, version_folder


@require_safe
@query_parameters()
def home(request):
    routes = routes_with_counts().order_by("sequence", "name")
    latest_import = ImportRecord.objects.latest_of("maps")
    return render(
        request,
        "home.html",
        {"routes": routes, "latest_import": latest_import, "statuses": Occupation.Status},
    )


@require_safe
@query_parameters()
@never_cache
def healthz(request):
    """Liveness and readiness: 200 when the database answers, 503 when it does not."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        response = JsonResponse({"status": "error", "database": "unavailable"}, status=503)
        response["Retry-After"] = str(settings.RETRY_AFTER_SECONDS)
        return response
    return JsonResponse({"status": "ok", "database": "ok"})


@require_safe
@query_parameters()
def about(request):
    return render(request, "about.html")


def site_root(request) -> str:
    """The site's address, which the map export's links start with."""
    return request.build_absolute_uri("/").rstrip("/")


@require_safe
@query_parameters()
def downloads(request):
    latest = ImportRecord.objects.latest_of("maps")
    site = site_root(request)
    folder = version_folder(site)
    files = []
    for download in DOWNLOADS.values():
        stream, size = opened(download, site, folder)
        stream.close()
        files.append({"download": download, "size": size})
    return render(
        request,
        "downloads.html",
        {
            "files": files,
            "latest_import": latest,
            "disclaimer": DISCLAIMER,
            "licence": LICENCE,
            "credit": CREDIT,
        },
    )


@require_safe
@query_parameters()
def download_file(request, name):
    """A download, sent from the file built for this data version (``site_pages.downloads``)."""
    download = DOWNLOADS.get(name)
    if download is None:
        raise Http404("No such download")
    stream, _ = opened(download, site_root(request))
    response = FileResponse(stream, as_attachment=True, filename=download.name)
    response["Content-Type"] = download.content_type
    return response


def data_quality(request):
    """The admin's data quality page (wrapped by ``admin_view`` in the URLs)."""
    from django.contrib import admin
    from django.core.exceptions import PermissionDenied

    from site_pages.quality import run_checks

    if not request.user.has_perm("occupations.view_occupation"):
        raise PermissionDenied
    checks = run_checks()
    context = {
        **admin.site.each_context(request),
        "title": "Data quality",
        "checks": checks,
        "problem_count": sum(len(c.rows) for c in checks),
    }
    return render(request, "admin/data_quality.html", context)


@require_safe
@query_parameters()
def api_docs(request):
    """The open data API's documentation, with live examples (``site_pages.apidocs``)."""
    openapi = api.get_openapi_schema()
    return render(
        request,
        "api/index.html",
        {
            "endpoints": apidocs.endpoints(request, openapi),
            "errors": apidocs.error_examples(request),
            "short_list": apidocs.SHORT_LIST,
            "api_root": request.build_absolute_uri(reverse("api_root")),
            "openapi_url": request.build_absolute_uri(reverse("api:openapi-json")),
            "licence": LICENCE,
            "credit": CREDIT,
            "latest_import": ImportRecord.objects.latest_of("maps"),
        },
    )


@require_safe
@query_parameters()
def api_root(request):
    """``/api/v1/``: where the endpoints, the OpenAPI schema and the documentation are."""

    def link(name, *args):
        return request.build_absolute_uri(reverse(name, args=args))

    return JsonResponse(
        {
            "documentation": link("api_docs"),
            "openapi": link("api:openapi-json"),
            "version": link("api:version"),
            "routes": link("api:routes"),
            "occupations": link("api:occupations"),
            "products": link("api:products"),
            "soc2010": link("api:soc_groups", 2010),
            "soc2020": link("api:soc_groups", 2020),
            "releases": link("api:releases"),
            "licence": LICENCE,
            "credit": CREDIT,
        }
    )


@query_parameters()
def api_not_found(request):
    """Any other path under /api/v1/: a JSON 404 (``ApiMiddleware`` answers other methods)."""
    return JsonResponse(
        {
            "status": 404,
            "message": f"There is nothing at {request.path}. The endpoints are listed at /api/.",
        },
        status=404,
    )
