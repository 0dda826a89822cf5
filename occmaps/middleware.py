"""The public request path: the page cache, conditional requests and the methods allowed.

``PublicCacheMiddleware`` is the first middleware of all. For an anonymous GET or HEAD of a
public page (or API answer) it:

1. takes the data version this worker holds (``core.dataversion``: no query; read again at most
   once a second, and kept while the database is away);
2. keeps only the query parameters the view declares (``core.querystring``), sorted, both for
   the key and for the view, so unknown parameters neither render a page nor fill the cache;
3. looks the page up under :func:`page_key` (version, scheme, host, path, those parameters)
   and, when it is there, answers it -- or a ``304 Not Modified`` when the request's
   ``If-None-Match`` or ``If-Modified-Since`` still holds for it -- before sessions,
   authentication, messages, CSRF or any other middleware run. A stored page carries every
   header the middleware below gave it (HSTS and the others of ``SecurityMiddleware``,
   ``X-Frame-Options``, ``Permissions-Policy``, the CSP, the API's CORS), and a 304 carries
   them too;
4. otherwise lets the view answer; a 200 is stored for the next reader, and answered as a 304
   if the request's validators hold for it. Nothing else gives a 304: an address that answers
   404 or 400 does so whatever ``If-None-Match`` says.

Any import or admin save starts a new version, which every worker sees within about a second,
so nothing stale is served for longer. Responses say ``Cache-Control: public`` with a short
``max-age`` and ``stale-while-revalidate`` so that a CDN can carry the load. Signed-in staff (a
session cookie that holds a signed-in user: a cookie that does not is ignored), the admin and
the health check bypass all of this and are never cached publicly.

Every method but GET and HEAD on a public page is answered ``405`` with ``Allow: GET, HEAD``
before the CSRF check (``process_view``); the admin keeps its CSRF protection and the API
answers its own 405s (``ApiMiddleware``).
"""

import hashlib
import logging
import re
from http import HTTPStatus
from importlib import import_module

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.core.cache import cache
from django.db import DatabaseError, InterfaceError, OperationalError
from django.http import HttpResponse, HttpResponseNotAllowed, JsonResponse, QueryDict
from django.shortcuts import render
from django.urls import Resolver404, resolve
from django.utils.cache import get_conditional_response, patch_cache_control, patch_vary_headers
from django.utils.http import http_date, parse_http_date_safe

from core import dataversion
from core.querystring import canonical_query
from occmaps.routers import public_read
from occmaps.warming import Warmer
from site_pages.api import api

SAFE_METHODS = {"GET", "HEAD"}
CACHED_STATUSES = {200}
#: What a 304 leaves out of the page it stands for (it has no body).
CONTENT_HEADERS = {"content-type", "content-length", "content-disposition", "content-encoding"}
#: ``<int:version>`` in a URL pattern, ``{version}`` in the API's OpenAPI paths.
ROUTE_PARAMETER = re.compile(r"<(?:[^>:]+:)?([^>]+)>")
logger = logging.getLogger("occmaps.requests")


class PublicCacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.admin = f"/{settings.ADMIN_URL}"
        self.bypass = (self.admin, "/healthz", "/" + settings.STATIC_URL)
        self.warmer = Warmer(self)

    def __call__(self, request):
        if (
            request.method not in SAFE_METHODS
            or request.path.startswith(self.bypass)
            or signed_in(request)
        ):
            return private(self.get_response(request))
        token = public_read.set(True)
        try:
            try:
                version = dataversion.current()
            except (OperationalError, InterfaceError):
                # No version read yet and no database: nothing to key a page on. The view
                # answers (the friendly 503 if it needs the database), uncached.
                return private(self.get_response(request))
            self.warmer.seen(request, version.number)
            return self.public_response(request, version)
        finally:
            public_read.reset(token)

    def process_view(self, request, view_func, view_args, view_kwargs):
        """405 for any method but GET and HEAD on a public page, before the CSRF check."""
        if request.method in SAFE_METHODS or request.path.startswith(self.admin):
            return None
        return HttpResponseNotAllowed(["GET", "HEAD"])

    def public_response(self, request, version: dataversion.Version):
        known = known_parameters(request)
        if known is None:
            # No view declared what it reads (an unknown address, for one): not cached.
            return self.finish(request, self.get_response(request), version, key=None)
        query = canonical_query(request.GET, known)
        if query != request.META.get("QUERY_STRING", ""):
            request.GET = QueryDict(query)
            request.META["QUERY_STRING"] = query
        key = page_key(version.number, request.scheme, request.get_host(), request.path, query)
        cached = cache_call(cache.get, key)
        if cached is not None:
            return conditional(request, cached)
        return self.finish(request, self.get_response(request), version, key)

    def finish(self, request, response, version, key):
        if response.has_header("Cache-Control"):
            return response  # the view or a middleware decided
        if response.status_code >= 500:
            # A failure is never kept: not here, not by a browser, not by a CDN.
            patch_cache_control(response, no_store=True)
            return response
        if response.cookies:
            return private(response)  # an answer that sets a cookie is nobody else's
        decorate(response, version)
        if response.status_code not in CACHED_STATUSES:
            return response
        if key is not None and not response.streaming:
            if hasattr(response, "render") and callable(response.render):
                response = response.render()
            cache_call(cache.set, key, response, settings.PAGE_CACHE_SECONDS)
        return conditional(request, response)


def page_key(version: int, scheme: str, host: str, path: str, query: str = "") -> str:
    """The cache key of a page: everything its answer depends on, and nothing else.

    ``query`` is the canonical query string (``core.querystring.canonical_query``: the view's
    own parameters, sorted by name). ``scheme`` is the request's (``request.scheme``, which
    trusts ``X-Forwarded-Proto`` as ``SECURE_PROXY_SSL_HEADER`` says): absolute URLs in the
    API and the downloads follow it. A page is stored by ``PublicCacheMiddleware`` when a
    request for it is answered, so to warm the cache, request each address (with the host and
    scheme visitors use) through the middleware, for example with Django's test ``Client``;
    ``cache.get(page_key(...))`` then finds it. A long address is hashed, so that keys stay
    short enough for every cache backend."""
    address = f"{scheme}://{host}{path}" + (f"?{query}" if query else "")
    key = f"occmaps:page:{version}:{address}"
    if len(key) > 200:
        key = f"occmaps:page:{version}:sha256:{hashlib.sha256(address.encode()).hexdigest()}"
    return key


def known_parameters(request) -> frozenset[str] | None:
    """The query parameters the view at this address reads, or None when it declares none:
    ``@query_parameters`` on a page's view; the OpenAPI schema for an API operation."""
    try:
        match = resolve(request.path_info, getattr(request, "urlconf", None))
    except Resolver404:
        return None
    declared = getattr(match.func, "query_parameters", None)
    if declared is not None:
        return declared
    return api.query_parameters.get("/" + ROUTE_PARAMETER.sub(r"{\1}", match.route))


def signed_in(request) -> bool:
    """Does the request's session cookie hold a signed-in user? A cookie that names no session
    (forged, expired, or the database away) does not: the request is served as anyone's."""
    session_key = request.COOKIES.get(settings.SESSION_COOKIE_NAME)
    if not session_key:
        return False
    session = import_module(settings.SESSION_ENGINE).SessionStore(session_key)
    if session.session_key is None:
        return False  # not even the shape of a session key: no need to look
    try:
        return SESSION_KEY in session
    except (DatabaseError, InterfaceError):
        return False


def conditional(request, response):
    """``response``, or a 304 (412 for a failed ``If-Match``) when the request's validators
    hold for it. The 304 keeps every header but the body's own (security, CSP, CORS)."""
    answer = get_conditional_response(
        request,
        etag=response.get("ETag"),
        last_modified=parse_http_date_safe(response.get("Last-Modified", "")),
        response=response,
    )
    if answer is response:
        return response
    for header, value in response.items():
        if header.lower() not in CONTENT_HEADERS and not answer.has_header(header):
            answer[header] = value
    # Not ``response.close()``: that ends the request (``request_finished``) while it still runs.
    return answer


def decorate(response, version: dataversion.Version):
    if response.status_code in (200, 304):
        response["ETag"] = version.etag
        response["Last-Modified"] = http_date(version.changed_at)
    patch_cache_control(
        response,
        public=True,
        max_age=settings.PAGE_MAX_AGE,
        stale_while_revalidate=settings.PAGE_STALE_WHILE_REVALIDATE,
    )
    patch_vary_headers(response, ["Accept-Encoding"])
    return response


def private(response):
    if not response.has_header("Cache-Control"):
        patch_cache_control(response, private=True, no_cache=True)
    return response


def cache_call(method, *args):
    """The page cache, or nothing when it fails (the page is rendered instead)."""
    try:
        return method(*args)
    except Exception as error:
        logger.warning("page cache unavailable: %s", str(error)[:200])
        return None


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

    It sits after ``PublicCacheMiddleware``: the answers the cache keeps carry the CORS headers,
    and so do the 304s made from them. Caching headers are the cache's (``no-store`` on the
    preflight and the 405, which it never sees as public).
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
            patch_cache_control(response, no_store=True)
        elif request.method not in {"GET", "HEAD"}:
            response = api_error(
                405, f"{request.method} is not allowed: this API is read-only ({API_METHODS})."
            )
            response["Allow"] = API_METHODS
            patch_cache_control(response, no_store=True)
        else:
            method = request.method
            request.method = "GET"  # the views answer GET; the server drops a HEAD's body
            response = self.get_response(request)
            request.method = method
            if response.status_code >= 400 and not is_json(response):
                response = as_json_error(request, response)
        response["Access-Control-Allow-Origin"] = "*"
        response["Access-Control-Expose-Headers"] = "ETag, Last-Modified, Retry-After"
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
