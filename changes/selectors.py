"""The reads the release pages, feeds, CSV and API share."""

from __future__ import annotations

from collections.abc import Iterable
from itertools import groupby

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.urls import reverse

from changes import diff
from changes.models import KIND_ORDER, PROGRESSION_KINDS, Change, RecordState, Release
from occupations.models import Occupation
from routes.models import Route


def route_choices() -> list[tuple[str, str]]:
    """Every route a difference can be filed under: the routes now, in map order, then any only
    the differences remember (a route since removed)."""
    routes = list(Route.objects.order_by("sequence", "name").values_list("slug", "name"))
    known = {slug for slug, _ in routes}
    gone = (
        Change.objects.exclude(route_slug="")
        .exclude(route_slug__in=known)
        .values_list("route_slug", "route_name")
        .distinct()
        .order_by("route_name")
    )
    return routes + [(slug, name) for slug, name in gone if slug not in known]


def in_route(slug: str) -> Q:
    """The differences about a route: filed under it, or an occupation that moved out of it."""
    return Q(route_slug=slug) | Q(from_route_slug=slug)


def releases_with(*, route: str = "", kind: str = "") -> QuerySet:
    """The releases, newest first; only those with differences on ``route`` or of ``kind``."""
    releases = Release.objects.order_by("-number")
    if route or kind:
        changes = Change.objects.filter(release=OuterRef("pk"))
        if route:
            changes = changes.filter(in_route(route))
        if kind:
            changes = changes.filter(kind=kind)
        releases = releases.filter(Exists(changes))
    return releases


def release_changes(release: Release, *, route: str = "", kind: str = "") -> QuerySet:
    changes = release.changes.all()
    if route:
        changes = changes.filter(in_route(route))
    if kind:
        changes = changes.filter(kind=kind)
    return changes.order_by("sequence")


def combined_changes(first: int, last: int, *, route: str = "", kind: str = "") -> list[Change]:
    """The net difference from the state after release ``first`` to the state after release
    ``last``: what one release of everything between would have listed."""
    states = (
        RecordState.objects.filter(release__number__gt=first, release__number__lte=last)
        .order_by("release__number", "id")
        .only("scope", "key", "before", "after")
    )
    changes, _ = diff.combined(list(states))
    return [
        change
        for change in changes
        if (not route or route in {change.route_slug, change.from_route_slug})
        and (not kind or change.kind == kind)
    ]


def with_links(changes: Iterable[Change]) -> list[Change]:
    """The differences, each with ``occupation_url`` (and ``other_url`` and ``other_title`` for
    a progression link's other end) where that occupation is on the site now: one query."""
    changes = list(changes)
    codes = {c.occupation_code for c in changes if c.occupation_code}
    codes |= {c.subject for c in changes if c.kind in PROGRESSION_KINDS}
    loaded = dict(Occupation.objects.filter(code__in=codes).values_list("code", "title"))
    for change in changes:
        change.occupation_url = (
            Occupation(code=change.occupation_code).get_absolute_url()
            if change.occupation_code in loaded
            else ""
        )
        change.other_url = (
            Occupation(code=change.subject).get_absolute_url()
            if change.kind in PROGRESSION_KINDS and change.subject in loaded
            else ""
        )
        change.other_title = loaded.get(change.subject, "") if change.other_url else ""
    return changes


def grouped(changes: Iterable[Change]) -> list[dict]:
    """The differences by route, then by kind: ``[{"route", "slug", "kinds": [{"kind",
    "label", "changes"}]}]`` (the changes come sorted by route and kind)."""
    groups = []
    routes = set(Route.objects.values_list("slug", flat=True))
    for (slug, name), in_one_route in groupby(changes, key=lambda c: (c.route_slug, c.route_name)):
        rows = sorted(in_one_route, key=lambda c: (KIND_ORDER[c.kind], c.sequence))
        kinds = []
        for kind, of_kind in groupby(rows, key=lambda c: c.kind):
            of_kind = list(of_kind)
            kinds.append(
                {
                    "kind": kind,
                    "label": of_kind[0].get_kind_display(),
                    "about_route": not of_kind[0].occupation_code,
                    "changes": of_kind,
                }
            )
        groups.append(
            {
                "route": name or "Not on a route",
                "slug": slug,
                "route_url": reverse("routes:detail", args=[slug]) if slug in routes else "",
                "kinds": kinds,
            }
        )
    return groups


def occupation_history(code: str) -> list[Change]:
    """Every difference about an occupation, newest first: its own, and progression links to
    it filed under the other end."""
    return list(
        Change.objects.filter(Q(occupation_code=code) | Q(kind__in=PROGRESSION_KINDS, subject=code))
        .select_related("release")
        .order_by("-release__number", "sequence")
    )


def route_last_release(slug: str) -> Release | None:
    """The newest release with a difference on the route."""
    change = (
        Change.objects.filter(in_route(slug))
        .select_related("release")
        .order_by("-release__number")
        .first()
    )
    return change.release if change else None


def releases_with_route_changes(slug: str, limit: int) -> list[Release]:
    """The newest releases with differences on a route, each with ``route_changes``."""
    numbers = list(
        Change.objects.filter(in_route(slug))
        .order_by("-release__number")
        .values_list("release__number", flat=True)
        .distinct()[:limit]
    )
    return list(
        Release.objects.filter(number__in=numbers)
        .prefetch_related(
            Prefetch(
                "changes",
                queryset=Change.objects.filter(in_route(slug)).order_by("sequence"),
                to_attr="route_changes",
            )
        )
        .order_by("-number")
    )
