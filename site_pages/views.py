from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError, connection
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from core.dataversion import data_version
from core.models import ImportRecord
from core.querystring import query_parameters
from importers.exports import (
    CREDIT,
    DISCLAIMER,
    LICENCE,
    SOC2010_COLUMNS,
    SOC2020_SUB_UNIT_GROUP_COLUMNS,
    maps_json,
    soc2010_mapping_csv,
    soc2020_sub_unit_group_mapping_csv,
)
from occupations.models import Occupation
from occupations.selectors import routes_with_counts
from site_pages import apidocs
from site_pages.api import api


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


@dataclass(frozen=True)
class Download:
    name: str
    title: str
    content_type: str
    description: str
    columns: list[str]

    def build(self, request) -> bytes:
        if self.name == "soc2010-mapping.csv":
            return soc2010_mapping_csv()
        if self.name == "soc2020-sub-unit-group-mapping.csv":
            return soc2020_sub_unit_group_mapping_csv()
        return maps_json(request.build_absolute_uri("/").rstrip("/"))


DOWNLOADS = {
    d.name: d
    for d in [
        Download(
            "soc2010-mapping.csv",
            "Occupations mapped to SOC 2010",
            "text/csv; charset=utf-8",
            "One row for each occupation with a SOC 2010 mapping: its closest SOC 2010 unit group.",
            SOC2010_COLUMNS,
        ),
        Download(
            "soc2020-sub-unit-group-mapping.csv",
            "Occupations mapped to SOC 2020 extension sub-unit groups",
            "text/csv; charset=utf-8",
            "One row for each occupation and sub-unit group; primary says which one is the "
            "occupation's main match (yes or no).",
            SOC2020_SUB_UNIT_GROUP_COLUMNS,
        ),
        Download(
            "occupational-maps.json",
            "The whole map as JSON",
            "application/json; charset=utf-8",
            "Every route, pathway, cluster and occupation, with products, SOC codes and "
            "progression, in the shapes of the Occupational Maps API (occupations as API "
            "occupation objects). The import_maps command reads it back.",
            [],
        ),
    ]
}


def download_content(request, download: Download, version: str) -> bytes:
    """A download's bytes, built once per data version and kept in the cache; the whole map
    holds absolute URLs, so it is kept per scheme and host (``X-Forwarded-Proto`` included)."""
    key = f"download:{version}:{download.name}"
    if download.name == "occupational-maps.json":
        key += f":{request.scheme}:{request.get_host()}"
    content = cache.get(key)
    if content is None:
        content = download.build(request)
        cache.set(key, content, timeout=60 * 60 * 24)
    return content


@require_safe
@query_parameters()
def downloads(request):
    version = data_version()
    latest = ImportRecord.objects.latest_of("maps")
    files = [
        {"download": d, "size": len(download_content(request, d, version))}
        for d in DOWNLOADS.values()
    ]
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
    download = DOWNLOADS.get(name)
    if download is None:
        raise Http404("No such download")
    response = HttpResponse(
        download_content(request, download, data_version()), content_type=download.content_type
    )
    response["Content-Disposition"] = f'attachment; filename="{download.name}"'
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
