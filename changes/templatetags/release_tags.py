"""What the occupation and route pages (rendered by ``occupations``) show of the releases.

The pages load this library in their templates (``{% load release_tags %}``), so the
``occupations`` app never imports this one: the dependency runs from a template to the app
above, and the app layers stay one way.
"""

from django import template

from changes import selectors

register = template.Library()


@register.inclusion_tag("changes/includes/history.html")
def occupation_history(occupation):
    """The occupation's "History" section: every recorded change, newest first."""
    return {"occupation": occupation, "history": selectors.occupation_history(occupation.code)}


@register.inclusion_tag("changes/includes/route_last_changed.html")
def route_last_changed(route):
    """When the route last changed, with links to its changes and its feed."""
    return {"route": route, "release": selectors.route_last_release(route.slug)}
