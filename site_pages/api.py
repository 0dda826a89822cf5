"""The open data API: read-only JSON at ``/api/v1/``, described by ``/api/v1/openapi.json``.

It is built with Django Ninja. The OpenAPI schema is generated from the typed schemas
(``<app>/schemas.py``) and the views (``<app>/api.py``) themselves, so it cannot drift from
the code; pydantic validates every response against its schema before it is sent; and Ninja
is small and fast and needs no serializer layer besides those schemas. Its Swagger page is off:
it loads its scripts from a CDN, which our Content Security Policy forbids. ``/api/`` is the
human documentation (``site_pages.views.api_docs``).

Conventions, the same for every endpoint: snake_case field names; codes and slugs as the
identifiers in URLs; every resource carries ``url`` (its page) and ``api_url`` (itself here),
both absolute; dates in ISO 8601; unknown values are ``null``, never ""; errors are
``{"status": ..., "message": ...}`` (``occmaps.middleware.ApiMiddleware`` turns the errors
Django answers itself, such as an unknown path, into the same shape, answers CORS preflight
requests and refuses methods other than GET, HEAD and OPTIONS). Caching (ETag, Last-Modified,
Cache-Control per data version) comes from ``occmaps.middleware.PublicCacheMiddleware``, as
for the pages.
"""

import functools
import logging
from datetime import date, datetime

from django.core.signals import got_request_exception
from django.db import InterfaceError, OperationalError
from django.http import Http404
from django.urls import reverse
from ninja import Field, NinjaAPI, Schema
from ninja.errors import HttpError, ValidationError

from changes.api import router as releases_router
from core.models import DataVersion, ImportRecord
from core.schemas import ApiError, ApiSchema
from importers.exports import CREDIT, LICENCE
from occupations.api import products_router, suggest_router
from occupations.api import router as occupations_router
from occupations.route_api import router as routes_router
from routes.models import Pathway, Route
from socmapping.api import router as soc_router

logger = logging.getLogger("django.request")

DESCRIPTION = f"""\
Read-only open data from this site: England's occupational maps (routes, pathways, clusters,
occupations, products, progression) and their SOC 2010 and SOC 2020 mappings, and the releases
that changed them (what each import or staff edit changed).

Conventions: snake_case field names; codes and slugs identify things in URLs; every resource
has `url` (its page on this site) and `api_url` (itself in this API), both absolute; dates are
ISO 8601; unknown values are null. Errors are JSON: `{{"status": 404, "message": "..."}}`.
Lists of occupations and products come a page at a time (`page`, `page_size` up to 100), with
`count`, `next` and `previous`. Responses carry `ETag`, `Last-Modified` and `Cache-Control`
and change only when new data is loaded; any origin may read them (CORS). Only GET, HEAD and
OPTIONS are allowed.

Licence: {LICENCE}. {CREDIT} Documentation with live examples: `/api/`.
"""


class OccmapsApi(NinjaAPI):
    def get_openapi_schema(self, *, path_prefix=None, path_params=None):
        """The generated schema, plus what only the data knows: the route slugs and pathway
        ids the ``route`` and ``pathway`` filters accept."""
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        known = {
            "route": list(
                Route.objects.order_by("sequence", "slug").values_list("slug", flat=True)
            ),
            "pathway": list(Pathway.objects.order_by("api_id").values_list("api_id", flat=True)),
        }
        for item in schema["paths"].values():
            for operation in item.values():
                for parameter in operation.get("parameters", []):
                    values = known.get(parameter["name"])
                    if parameter["in"] == "query" and values:
                        parameter["schema"] = with_enum(parameter["schema"], values)
        return schema

    @functools.cached_property
    def query_parameters(self) -> dict[str, frozenset[str]]:
        """Each path template (``/api/v1/soc/{version}``) with the query parameters its
        operation reads, from the generated schema (without the data's own values, so
        without a query): what the page cache keeps of an API request's query string."""
        schema = NinjaAPI.get_openapi_schema(self)
        return {
            template: frozenset(
                parameter["name"]
                for operation in item.values()
                for parameter in operation.get("parameters", [])
                if parameter["in"] == "query"
            )
            for template, item in schema["paths"].items()
        } | {reverse(f"{self.urls_namespace}:openapi-json"): frozenset()}


def with_enum(schema: dict, values: list) -> dict:
    """``schema`` (a type, or ``anyOf`` a type and null) limited to ``values``."""
    if "anyOf" in schema:
        options = [
            option | {"enum": values} if option.get("type") != "null" else option
            for option in schema["anyOf"]
        ]
        return schema | {"anyOf": options}
    return schema | {"enum": values}


api = OccmapsApi(
    title="Occupational maps open data API",
    version="1",
    description=DESCRIPTION,
    docs_url=None,
    urls_namespace="api",
)
api.add_router("/routes", routes_router)
api.add_router("/occupations", occupations_router)
api.add_router("/products", products_router)
api.add_router("/soc", soc_router)
api.add_router("/suggest", suggest_router)
api.add_router("/releases", releases_router)


def error(request, status: int, message: str, errors=None):
    body = {"status": status, "message": message}
    if errors:
        body["errors"] = errors
    return api.create_response(request, body, status=status)


@api.exception_handler(ApiError)
def api_error(request, exc: ApiError):
    return error(request, exc.status, exc.message, exc.errors)


@api.exception_handler(Http404)
def not_found(request, exc: Http404):
    return error(request, 404, str(exc) or "Not found.")


@api.exception_handler(ValidationError)
def not_valid(request, exc: ValidationError):
    errors: dict[str, list[str]] = {}
    for problem in exc.errors:
        if problem.get("type") == "none_required":
            continue  # the "or nothing" half of an optional parameter: not what went wrong
        # ("query", "page"), ("query", "query", "level", 0) (a list in the query schema, which
        # the views take as ``query``), ("path", "version"): name the parameter.
        names = [part for part in problem.get("loc", ())[1:] if isinstance(part, str)]
        if len(names) > 1 and names[0] == "query":
            names = names[1:]
        name = names[0] if names else "request"
        errors.setdefault(name, []).append(problem.get("msg", "Not valid"))
    return error(request, 400, "Some parameters are not valid.", errors)


@api.exception_handler(HttpError)
def http_error(request, exc: HttpError):
    return error(request, exc.status_code, str(exc))


@api.exception_handler(OperationalError)
@api.exception_handler(InterfaceError)
def database_unavailable(request, exc):
    """The database away: the site's 503 with ``Retry-After``
    (``occmaps.middleware.DatabaseUnavailableMiddleware``), which the API gives in JSON."""
    raise exc


@api.exception_handler(Exception)
def server_error(request, exc: Exception):
    """Logged like any failure (with the traceback), answered in JSON without details."""
    logger.error(
        "API error at %s",
        request.path,
        exc_info=exc,
        extra={"status_code": 500, "request": request},
    )
    got_request_exception.send(sender=None, request=request)
    return error(request, 500, "Something went wrong on our side. Please try again later.")


class ImportCount(Schema):
    records: str = Field(description="Which records: routes, occupations, job titles, ...")
    created: int = Field(0, description="How many were created.")
    updated: int = Field(0, description="How many were updated.")
    unchanged: int = Field(0, description="How many were unchanged.")
    removed: int = Field(0, description="How many were removed.")


class ImportOut(ApiSchema):
    kind: str = Field(description="Which importer ran: maps, soc, standards, soc_mapping, ...")
    started_at: datetime = Field(description="When it started (ISO 8601).")
    finished_at: datetime = Field(description="When it finished: when the data was loaded.")
    data_date: date | None = Field(
        description="The data's own date, where the source gives one (ISO 8601): when the maps "
        "were harvested from the Occupational Maps API."
    )
    created: int = Field(description="Records created, in all.")
    updated: int = Field(description="Records updated, in all.")
    unchanged: int = Field(description="Records unchanged, in all.")
    removed: int = Field(description="Records removed, in all.")
    counts: list[ImportCount] = Field(description="The same, by kind of record.")

    @staticmethod
    def resolve_counts(obj) -> list[dict]:
        counts = obj.counts if isinstance(obj.counts, dict) else {}
        return [
            {"records": str(records)}
            | {k: v for k, v in numbers.items() if isinstance(v, int) and v >= 0}
            for records, numbers in counts.items()
            if isinstance(numbers, dict)
        ]


class VersionOut(Schema):
    version: int = Field(description="The data version: it goes up with every import or edit.")
    changed_at: datetime = Field(description="When the data last changed (ISO 8601).")
    latest_import: ImportOut | None = Field(description="The latest successful import.")
    data_as_at: date | None = Field(
        description="The map data's own date (ISO 8601): when it was harvested from the "
        "Occupational Maps API, as the newest dated maps import says."
    )
    licence: str = Field(description="The data's licence.")
    credit: str = Field(description="The attribution to give.")


@api.get(
    "/version",
    response=VersionOut,
    url_name="version",
    tags=["Data"],
    summary="The data version",
    description=(
        "The version and date of the data, which change with every import or edit (and with "
        "them every response's ETag), and the latest successful import."
    ),
)
def data_version(request):
    current = DataVersion.current()
    maps = ImportRecord.objects.latest_of("maps")
    return {
        "version": current.version,
        "changed_at": current.changed_at,
        "latest_import": ImportRecord.objects.succeeded().order_by("-finished_at", "-id").first(),
        "data_as_at": maps.data_as_at if maps else None,
        "licence": LICENCE,
        "credit": CREDIT,
    }
