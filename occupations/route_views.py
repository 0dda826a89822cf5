from itertools import groupby

from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_safe

from core.querystring import query_parameters
from occupations.filters import MapFilter
from occupations.models import Occupation, Product
from occupations.selectors import CARD_ORDER, focus_links, route_map
from routes.models import BAND_LEVELS, Route, TechnicalBand

#: What a tile linked to the focused occupation says, by its ``data-link``.
LINK_WORDS = {
    "to": "Onward step",
    "from": "Step into it",
    "both": "Sideways or both ways",
}


@require_safe
@query_parameters("focus", filterset=MapFilter)
def route_detail(request, slug):
    """The route map: for each pathway a grid of cluster rows by band, holding occupation tiles.

    ``?focus=OCC0118`` marks that tile and the tiles linked to it by progression, and lists
    the links (also those on other routes or not loaded) in a panel; the filters are unchanged.
    """
    route = get_object_or_404(Route, slug=slug)
    data = request.GET.copy()
    focus_code = data.pop("focus", [""])[-1].strip().upper()
    occupations = Occupation.objects.in_route(route).with_card_data().order_by(*CARD_ORDER)
    filterset = MapFilter(data or None, queryset=occupations)
    filtered = filterset.is_bound and filterset.is_valid()
    shown_ids = set(filterset.qs.values_list("pk", flat=True)) if filtered else None
    found = route_map(route, shown_ids)

    focus = next((o for o in found.occupations if o.code == focus_code), None)
    focus_groups, focus_count = [], 0
    if focus is not None:
        links = focus_links(focus)
        by_code = {link.code: link for link in links}
        for occupation in found.occupations:
            link = by_code.get(occupation.code)
            occupation.link = link.link if link else ""
            occupation.link_words = LINK_WORDS.get(occupation.link, "")
        focus_count = len(links)
        focus_groups = [
            {"level": level, "links": list(group)}
            for level, group in groupby(links, key=lambda link: link.level)
        ]
    return render(
        request,
        "routes/route_detail.html",
        {
            "route": route,
            "pathways": found.pathways,
            "filterset": filterset,
            "filtered": filtered,
            "total": found.total,
            "shown": found.shown,
            "hidden": found.hidden,
            "bands": [(band, BAND_LEVELS[band]) for band in TechnicalBand],
            "statuses": Occupation.Status,
            "product_types": Product.Type,
            "active_filters": active_filters(filterset) if filtered else [],
            # The query string a tile's focus link keeps (the filters), ready to take ``focus=``.
            "keep": data.urlencode() + "&" if data else "",
            "focus": focus,
            "focus_code": focus_code,
            "focus_groups": focus_groups,
            "focus_links_count": focus_count,
        },
        status=400 if filterset.is_bound and not filterset.is_valid() else 200,
    )


def active_filters(filterset) -> list[str]:
    """Say in words what the filters keep, so that what is hidden is never a mystery."""
    words = []
    for name, field in filterset.form.fields.items():
        value = filterset.form.cleaned_data.get(name)
        if not value:
            continue
        choices = dict(getattr(field, "choices", []))
        if isinstance(value, list | tuple):
            shown = ", ".join(str(choices.get(v, choices.get(str(v), v))) for v in value)
        elif value is True:
            shown = "yes"
        else:
            shown = str(choices.get(value, value))
        words.append(f"{field.label}: {shown}")
    return words
