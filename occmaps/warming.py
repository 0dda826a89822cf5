"""Warm pages: render the most read pages into the page cache as soon as a new data version is
seen, so that the first reader after an import or an admin save does not pay for them.

Each worker notices a new version within a second (``core.dataversion``); the first public
request that sees it starts one background thread that asks, through the whole middleware stack
as an anonymous visitor would, for the home page, every route map that has a map, the search
page, the downloads page, the list of releases and the pages of the occupations the newest
release changed, for each address (scheme and host) the worker has served (the last four new
ones). A page already in the cache (put there by another worker through a shared cache, or by a
reader meanwhile) costs a cache read. The requests run one after another on the thread's own
database connection, closed at the end; a failure is logged and stops the warming, nothing else.

``PAGE_WARMING`` (on by default) switches it off; the tests switch it off except where they
test it.
"""

import logging
import threading
from collections import OrderedDict

from django.conf import settings
from django.db import connections
from django.test import RequestFactory
from django.urls import reverse

logger = logging.getLogger("occmaps.warming")

#: How many addresses (scheme, host) a worker remembers to warm pages for.
ADDRESSES = 4
#: At most this many pages of occupations changed by the newest release are warmed.
CHANGED_OCCUPATIONS = 50


class Warmer:
    def __init__(self, handler):
        self.handler = handler  # the page cache middleware: the whole stack, as a visitor meets it
        self.lock = threading.Lock()
        self.addresses: OrderedDict[tuple[str, str], None] = OrderedDict()
        self.warmed: int | None = None
        self.thread: threading.Thread | None = None

    def seen(self, request, version: int) -> None:
        """Called for each public request: remember its address; warm a version not warmed."""
        if not settings.PAGE_WARMING or settings.PAGE_CACHE_SECONDS <= 0:
            return  # switched off, or nothing would be kept
        address = (request.scheme, request.get_host())
        if version == self.warmed and address in self.addresses:
            return  # the usual case, on every request: no lock taken
        with self.lock:
            if address not in self.addresses:
                self.addresses[address] = None
                while len(self.addresses) > ADDRESSES:
                    self.addresses.popitem(last=False)  # the one seen longest ago
            if version == self.warmed or (self.thread and self.thread.is_alive()):
                return
            self.warmed = version
            addresses = list(self.addresses)
            self.thread = threading.Thread(
                target=self.warm, args=(addresses,), name="occmaps-warm", daemon=True
            )
            self.thread.start()

    def warm(self, addresses: list[tuple[str, str]]) -> int:
        """Ask for each page at each address; return how many answered 200."""
        answered = 0
        try:
            paths = pages_to_warm()
            factory = RequestFactory()
            for scheme, host in addresses:
                for path in paths:
                    request = factory.get(path, HTTP_HOST=host, secure=scheme == "https")
                    response = self.handler(request)
                    answered += response.status_code == 200
                    response.close()
        except Exception:
            logger.exception("warming the page cache stopped")
        finally:
            connections.close_all()
        return answered


def pages_to_warm() -> list[str]:
    """The pages most readers start from (home, each route's map, search, downloads, the list
    of releases) and the pages of the occupations the newest release changed (at most
    ``CHANGED_OCCUPATIONS``: a first import changes them all)."""
    from changes.models import Change
    from occupations.models import Occupation
    from routes.models import Route

    maps = [
        route.get_absolute_url()
        for route in Route.objects.filter(pathways__isnull=False).distinct().order_by("sequence")
    ]
    newest = Change.objects.order_by("-release__number").values("release")[:1]
    codes = (
        Change.objects.filter(release=newest)
        .exclude(occupation_code="")
        .order_by("occupation_code")
        .values_list("occupation_code", flat=True)
        .distinct()[:CHANGED_OCCUPATIONS]
    )
    occupations = [
        o.get_absolute_url() for o in Occupation.objects.filter(code__in=list(codes)).only("code")
    ]
    return [
        reverse("home"),
        *maps,
        reverse("occupations:list"),
        reverse("downloads"),
        reverse("changes:list"),
        *sorted(occupations),
    ]
