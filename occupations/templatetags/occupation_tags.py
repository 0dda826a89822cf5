"""Small presentation helpers shared by the public pages."""

from urllib.parse import urlencode

from django import template
from django.utils.safestring import mark_safe

from core.parsers import sanitise_html
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
