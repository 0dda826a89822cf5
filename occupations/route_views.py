from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_safe

from occupations.filters import MapFilter
from occupations.models import Occupation, Product
from occupations.selectors import CARD_ORDER, route_map
from routes.models import BAND_LEVELS, Route, TechnicalBand


@require_safe
def route_detail(request, slug):
    """The route map: for each pathway a grid of cluster rows by band, holding occupation cards."""
    route = get_object_or_404(Route, slug=slug)
    occupations = Occupation.objects.in_route(route).with_card_data().order_by(*CARD_ORDER)
    filterset = MapFilter(request.GET or None, queryset=occupations)
    filtered = filterset.is_bound and filterset.is_valid()
    shown_ids = set(filterset.qs.values_list("pk", flat=True)) if filtered else None
    found = route_map(route, shown_ids)
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
