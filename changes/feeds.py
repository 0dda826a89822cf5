"""Atom feeds of the releases: every change, and one route's."""

from django.contrib.syndication.views import Feed
from django.db.models import Prefetch
from django.http import Http404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import format_html, format_html_join

from changes import selectors
from changes.models import Change, Release
from routes.models import Route

#: Releases in a feed, newest first.
FEED_SIZE = 30
#: Differences listed in one entry; the rest are on the release's page.
ENTRY_CHANGES = 50


def entry_content(changes: list[Change], total: int, link: str) -> str:
    listed = format_html_join(
        "",
        "<li>{}{}: {}</li>",
        (
            (
                c.occupation_title or c.route_name,
                f" ({c.occupation_code})" if c.occupation_code else "",
                c.description,
            )
            for c in changes[:ENTRY_CHANGES]
        ),
    )
    more = (
        format_html('<p><a href="{}">All {} changes</a></p>', link, total)
        if total > ENTRY_CHANGES
        else ""
    )
    return format_html("<ul>{}</ul>{}", listed, more)


class AllChangesFeed(Feed):
    feed_type = Atom1Feed
    author_name = "Occupational maps"
    title = "Occupational maps: what changed"
    subtitle = (
        "Each release of the occupational maps on this site: occupations added, removed or "
        "changed, and changes to routes' pathways and clusters."
    )

    def link(self):
        return reverse("changes:list")

    def feed_url(self):
        return reverse("changes:feed")

    def items(self):
        return Release.objects.order_by("-number").prefetch_related(
            Prefetch(
                "changes",
                queryset=Change.objects.order_by("sequence"),
                to_attr="route_changes",
            )
        )[:FEED_SIZE]

    def item_title(self, item: Release):
        return f"Release {item.number}: {item.total} change{'s' if item.total != 1 else ''}"

    def item_link(self, item: Release):
        return getattr(item, "feed_link", "") or item.get_absolute_url()

    def item_description(self, item: Release):
        return entry_content(item.route_changes, len(item.route_changes), self.item_link(item))

    def item_pubdate(self, item: Release):
        return item.created_at

    def item_updateddate(self, item: Release):
        return item.created_at

    def item_categories(self, item: Release):
        return [item.source_label]


class RouteChangesFeed(AllChangesFeed):
    def get_object(self, request, slug):
        route = Route.objects.filter(slug=slug).first()
        if route is not None:
            return route.slug, route.name
        names = dict(selectors.route_choices())
        if slug not in names:
            raise Http404(f"There is no route {slug!r}.")
        return slug, names[slug]

    def title(self, obj):
        return f"Occupational maps: what changed on the {obj[1]} route"

    def subtitle(self, obj):
        return f"Each release that changed the {obj[1]} route's occupations, pathways or clusters."

    def link(self, obj):
        return reverse("changes:list") + f"?route={obj[0]}"

    def feed_url(self, obj):
        return reverse("changes:route_feed", args=[obj[0]])

    def items(self, obj):
        releases = selectors.releases_with_route_changes(obj[0], FEED_SIZE)
        for release in releases:
            release.feed_link = f"{release.get_absolute_url()}?route={obj[0]}"
        return releases

    def item_title(self, item: Release):
        count = len(item.route_changes)
        return f"Release {item.number}: {count} change{'s' if count != 1 else ''}"
