"""Public responses, cached per data version and revalidated with ETag and Last-Modified.

For an anonymous GET or HEAD of a public page, the data version is read (one small query): a
request whose ``If-None-Match`` or ``If-Modified-Since`` still holds gets a ``304 Not Modified``
without rendering; otherwise a cached copy made under the same version is served, or the page is
rendered and kept for the next reader. Any import or admin save starts a new version, so nothing
stale is served. Responses say ``Cache-Control: public`` with a short ``max-age`` and
``stale-while-revalidate`` so that a CDN can carry the load. Staff (anyone with a session
cookie), the admin and the health check bypass all of this and are never cached publicly.
"""

import logging

from django.conf import settings
from django.core.cache import cache
from django.db import InterfaceError, OperationalError
from django.http import HttpResponseNotModified
from django.shortcuts import render
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.http import http_date, parse_etags, parse_http_date_safe

from occmaps.models import DataVersion
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
        key = f"occmaps:page:{current.version}:{request.get_host()}:{request.get_full_path()}"
        cached = cache.get(key)
        if cached is not None:
            return cached
        response = self.get_response(request)
        if response.has_header("Cache-Control"):
            return response  # the view decided (the health check, for example)
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
