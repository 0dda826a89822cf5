"""Small presentation helpers shared by the public pages."""

from html import escape
from urllib.parse import urlencode

from django import template
from django.urls import reverse
from django.utils.safestring import mark_safe

from core.parsers import sanitise_html
from occupations.diagram import svg
from occupations.models import Occupation, Product

register = template.Library()

#: Short status names for tags; the legend gives the full names.
STATUS_SHORT = {
    Occupation.Status.APPROVED: "Approved",
    Occupation.Status.IN_DEVELOPMENT: "In development",
    Occupation.Status.POTENTIAL: "Potential",
    Occupation.Status.WITHOUT_APPRENTICESHIP: "Without apprenticeship",
}
#: Shorter still, for the route map's tiles (the full short name is there for screen readers).
STATUS_ABBR = {
    Occupation.Status.APPROVED: "Approved",
    Occupation.Status.IN_DEVELOPMENT: "In dev.",
    Occupation.Status.POTENTIAL: "Potential",
    Occupation.Status.WITHOUT_APPRENTICESHIP: "No appr.",
}
STATUS_CLASS = {
    Occupation.Status.APPROVED: "approved",
    Occupation.Status.IN_DEVELOPMENT: "in-development",
    Occupation.Status.POTENTIAL: "potential",
    Occupation.Status.WITHOUT_APPRENTICESHIP: "without-apprenticeship",
}
PRODUCT_ABBR = {
    Product.Type.APPRENTICESHIP: "A",
    Product.Type.HTQ: "HTQ",
    Product.Type.T_LEVEL: "TL",
    Product.Type.TQ: "TQ",
    Product.Type.FOUNDATION_APPRENTICESHIP: "FA",
    Product.Type.APPRENTICESHIP_UNIT: "AU",
}


@register.filter
def status_short(status) -> str:
    return STATUS_SHORT.get(status, "")


@register.filter
def status_abbr(status) -> str:
    return STATUS_ABBR.get(status, "")


@register.filter
def status_class(status) -> str:
    return STATUS_CLASS.get(status, "")


@register.filter
def product_abbr(product_type) -> str:
    return PRODUCT_ABBR.get(product_type, "")


@register.filter
def product_label(product_type) -> str:
    try:
        return Product.Type(product_type).label
    except ValueError:
        return ""


@register.filter
def sanitised(value) -> str:
    """Render stored HTML through the same allow-list the importer uses (staff may edit it)."""
    return mark_safe(sanitise_html(value))


@register.simple_tag(takes_context=True)
def query_with(context, **changes) -> str:
    """The current query string with some parameters replaced (None removes one)."""
    query = context["request"].GET.copy()
    for key, value in changes.items():
        if value is None or value == "":
            query.pop(key, None)
        else:
            query[key] = value
    return "?" + urlencode(sorted(query.lists()), doseq=True) if query else "?"


# The small pieces of markup repeated on every tile, list row and key, written in Python: a route
# map shows up to 150 tiles, and an include per piece cost most of the page's rendering time.


def _status_tag(status, short: bool = False) -> str:
    css = STATUS_CLASS.get(status, "")
    name = escape(STATUS_SHORT.get(status, ""))
    if short:
        return (
            f'<strong class="tag tag--short tag--{css}"><span class="tag__shape" '
            f'aria-hidden="true"></span><abbr title="{name}" aria-hidden="true">'
            f'{escape(STATUS_ABBR.get(status, ""))}</abbr><span class="visually-hidden">{name}'
            "</span></strong>"
        )
    return (
        f'<strong class="tag tag--{css}"><span class="tag__shape" aria-hidden="true"></span>'
        f"{name}</strong>"
    )


@register.simple_tag
def status_tag(status, short: bool = False) -> str:
    """A status as a coloured tag (``short``: the tile's abbreviation, named in full for screen
    readers)."""
    return mark_safe(_status_tag(status, short))  # every value escaped


def _markers(pairs) -> str:
    items = []
    for product_type, state in pairs:
        label = product_label(product_type)
        if state == "retired":
            label += " (retired)"
        elif state == "in-development":
            label += " (in development)"
        label = escape(label)
        abbr = escape(PRODUCT_ABBR.get(product_type, ""))
        modifier = f" marker--{escape(state)}" if state else ""
        items.append(
            f'<li class="marker marker--{abbr.lower()}{modifier}"><abbr title="{label}" '
            f'aria-hidden="true">{abbr}</abbr><span class="visually-hidden">{label}</span></li>'
        )
    if not items:
        return ""
    return f'<ul class="markers" aria-label="Products">{"".join(items)}</ul>'


@register.simple_tag
def product_markers(types) -> str:
    """A list row's product types, as small markers."""
    return mark_safe(_markers((product_type, None) for product_type in types or ()))


@register.simple_tag
def product_state_markers(markers) -> str:
    """A tile's products with their states (``live``, ``retired``, ``in-development``)."""
    return mark_safe(_markers(markers or ()))  # every value escaped


@register.simple_tag(takes_context=True)
def occupation_card(context, occupation) -> str:
    """One tile of the route map. ``focus`` (the chosen occupation) and ``keep`` (the filters'
    query string) come from the page. Written as plain strings with every value escaped: this
    runs for each of up to 150 tiles."""
    focus = context.get("focus")
    current = focus is not None and occupation.pk == focus.pk
    marking = note = ""
    if current:
        marking = ' aria-current="true"'
        note = '\n  <p class="card__link card__link--current">Chosen: its links are marked</p>'
    elif focus is not None and occupation.link:
        marking = f' data-link="{escape(occupation.link)}"'
        note = f'\n  <p class="card__link">{escape(occupation.link_words)}</p>'
    elif focus is not None:
        marking = " data-dimmed"
    code = escape(occupation.code)
    title = escape(occupation.title)
    level = int(occupation.level)
    count = int(occupation.progression_count)
    keep = escape(context.get("keep", ""))
    green = '\n    <span class="green">Green</span>' if occupation.is_green else ""
    return mark_safe(  # every value escaped
        f'<li class="card card--{STATUS_CLASS.get(occupation.status, "")}" id="occ-{code}" '
        f'data-code="{code}" data-level="{level}"{marking}>\n'
        f'  <a class="card__title" href="{occupation_url(context, code)}">{title}</a>\n'
        '  <div class="card__meta">\n'
        f'    <span class="card__level"><span aria-hidden="true">L{level}</span>'
        f'<span class="visually-hidden">Level {level}</span></span>\n'
        f"    {_status_tag(occupation.status, short=True)}\n"
        f"    {_markers(occupation.product_markers or ())}{green}\n"
        f'    <a class="card__focus" href="?{keep}focus={code}#focus"><span '
        f'class="visually-hidden">Show on the map the progression links of {title}: </span>'
        f"{count} link{'' if count == 1 else 's'}</a>\n"
        f"  </div>{note}\n</li>"
    )


def occupation_url(context, code: str) -> str:
    """``Occupation.get_absolute_url`` without resolving the URL pattern for every tile: it is
    resolved once a page (codes are letters and digits, which need no quoting)."""
    pattern = context.render_context.get(occupation_url)
    if pattern is None:
        pattern = reverse("occupations:detail", args=["OCC0000"]).replace("OCC0000", "{}")
        context.render_context[occupation_url] = pattern
    return pattern.format(code)


@register.simple_tag
def diagram_svg(diagram) -> str:
    """A progression diagram (``occupations.diagram``) as SVG."""
    return mark_safe(svg(diagram))  # every text escaped
