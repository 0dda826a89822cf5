"""Public responses, cached per data version and revalidated with ETag and Last-Modified.

For an anonymous GET or HEAD of a public page, the data version is read (one small query): a
request whose ``If-None-Match`` or ``If-Modified-Since`` still holds gets a ``304 Not Modified``
without rendering; otherwise a cached copy made under the same version is served, or the page is
rendered and kept for the next reader. Any import or admin save starts a new version, so nothing
stale is served. Responses say ``Cache-Control: public`` with a short ``max-age`` and
``stale-while-revalidate`` so that a CDN can carry the load. Staff (anyone with a session
cookie), the admin and the health check bypass all of this and are never cached publicly.
"""

import hashlib
import logging
from http import HTTPStatus

from django.conf import settings
from django.core.cache import cache
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, HttpResponseNotModified, JsonResponse
from django.shortcuts import render
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.http import http_date, parse_etags, parse_http_date_safe

from core.models import DataVersion
from occmaps.routers import public_read

CACHED_STATUSES = {200}
logger = logging.getLogger("occmaps.requests")


class PublicCacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.bypass = tuple(
            "/" + prefix for prefix in (settings.ADMIN_URL, "healthz", settings.STATIC_URL)
        )

    def is_public(self, request) -> bool:
        return (
            request.method in {"GET", "HEAD"}
            and not request.path.startswith(self.bypass)
            and settings.SESSION_COOKIE_NAME not in request.COOKIES
        )

    def __call__(self, request):
        if not self.is_public(request):
            response = self.get_response(request)
            if not response.has_header("Cache-Control"):
                patch_cache_control(response, private=True, no_cache=True)
            return response
        token = public_read.set(True)
        try:
            return self.public_response(request)
        except (OperationalError, InterfaceError) as error:
            return database_unavailable(request, error)
        finally:
            public_read.reset(token)

    def public_response(self, request):
        current = DataVersion.current()
        etag = f'"v{current.version}"'
        last_modified = int(current.changed_at.timestamp())
        if self.still_fresh(request, etag, last_modified):
            return self.decorate(HttpResponseNotModified(), etag, last_modified)
        key = page_key(current.version, request.get_host(), request.get_full_path())
        cached = cache.get(key)
        if cached is not None:
            return cached
        response = self.get_response(request)
        if response.has_header("Cache-Control"):
            return response  # the view decided (the health check, for example)
        if response.status_code >= 500:
            # A failure is never kept: not here, not by a browser, not by a CDN.
            patch_cache_control(response, no_store=True)
            return response
        self.decorate(response, etag, last_modified)
        if response.status_code in CACHED_STATUSES and not response.streaming:
            if hasattr(response, "render") and callable(response.render):
                response = response.render()
            cache.set(key, response, timeout=settings.PAGE_CACHE_SECONDS)
        return response

    @staticmethod
    def still_fresh(request, etag: str, last_modified: int) -> bool:
        if_none_match = request.headers.get("If-None-Match")
        if if_none_match:
            tags = parse_etags(if_none_match)
            return "*" in tags or etag in tags or f"W/{etag}" in tags
        since = parse_http_date_safe(request.headers.get("If-Modified-Since", ""))
        return since is not None and last_modified <= since

    @staticmethod
    def decorate(response, etag: str, last_modified: int):
        if response.status_code in (200, 304):
            response["ETag"] = etag
            response["Last-Modified"] = http_date(last_modified)
        patch_cache_control(
            response,
            public=True,
            max_age=settings.PAGE_MAX_AGE,
            stale_while_revalidate=settings.PAGE_STALE_WHILE_REVALIDATE,
        )
        patch_vary_headers(response, ["Accept-Encoding"])
        return response


def page_key(version: int, host: str, full_path: str) -> str:
    """The cache key of a page. A long address (any query string may be sent) is hashed: keys
    stay short enough for every cache backend, and no warning is raised for them."""
    key = f"occmaps:page:{version}:{host}:{full_path}"
    if len(key) > 200:
        key = f"occmaps:page:{version}:sha256:{hashlib.sha256(key.encode()).hexdigest()}"
    return key


def database_unavailable(request, error):
    """A friendly 503 that asks to come back soon; logged, with no details for the visitor."""
    logger.error(
        "database unavailable",
        extra={"path": request.path, "status_code": 503, "error": str(error)[:200]},
    )
    response = render(request, "503.html", status=503)
    response["Retry-After"] = str(settings.RETRY_AFTER_SECONDS)
    patch_cache_control(response, no_store=True)
    return response


class DatabaseUnavailableMiddleware:
    """When the database cannot be reached during a view, answer the friendly 503.

    Django opens connections lazily and checks them before reuse (``CONN_HEALTH_CHECKS``), so
    the site recovers by itself as soon as the database answers again.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, OperationalError | InterfaceError):
            return database_unavailable(request, exception)
        return None


API_PREFIX = "/api/v1/"
API_METHODS = "GET, HEAD, OPTIONS"
API_REQUEST_HEADERS = "Accept, Accept-Language, Content-Language, If-Modified-Since, If-None-Match"


class ApiMiddleware:
    """What every answer under ``/api/v1/`` shares, whatever answered it.

    - Any origin may read the API (``Access-Control-Allow-Origin: *``): it is public, read-only
      open data and takes no credentials. ``OPTIONS`` answers a CORS preflight at once.
    - Only GET, HEAD and OPTIONS: anything else is a 405 in JSON, before any view or the CSRF
      check. HEAD is served as GET (the server leaves out the body).
    - Errors are JSON ``{"status": ..., "message": ...}`` even when Django answered them itself
      (an unknown path, a failure, the database being away), never the HTML pages.

    It sits before ``PublicCacheMiddleware`` so that its 304s and cached answers get the
    CORS header too.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path.startswith(API_PREFIX):
            return self.get_response(request)
        if request.method == "OPTIONS":
            response = HttpResponse(status=204)
            response["Access-Control-Allow-Methods"] = API_METHODS
            response["Access-Control-Allow-Headers"] = API_REQUEST_HEADERS
            response["Access-Control-Max-Age"] = "86400"
            response["Allow"] = API_METHODS
        elif request.method not in {"GET", "HEAD"}:
            response = api_error(
                405, f"{request.method} is not allowed: this API is read-only ({API_METHODS})."
            )
            response["Allow"] = API_METHODS
        else:
            method = request.method
            request.method = "GET"  # the views answer GET; the server drops a HEAD's body
            response = self.get_response(request)
            request.method = method
            if response.status_code >= 400 and not is_json(response):
                response = as_json_error(request, response)
        response["Access-Control-Allow-Origin"] = "*"
        response["Access-Control-Expose-Headers"] = "ETag, Last-Modified, Retry-After"
        if not response.has_header("Cache-Control"):
            patch_cache_control(response, no_store=True)
        return response


def is_json(response) -> bool:
    return response.get("Content-Type", "").startswith("application/json")


def api_error(status: int, message: str) -> JsonResponse:
    return JsonResponse({"status": status, "message": message}, status=status)


def as_json_error(request, response):
    """The same error in the API's shape, keeping its caching and Retry-After headers."""
    status = response.status_code
    if status == 404:
        message = f"There is nothing at {request.path}. The endpoints are listed at /api/."
    else:
        try:
            message = HTTPStatus(status).phrase + "."
        except ValueError:
            message = "Error."
    replacement = api_error(status, message)
    for header in ("Cache-Control", "Retry-After", "Vary", "Allow"):
        if response.has_header(header):
            replacement[header] = response[header]
    return replacement
