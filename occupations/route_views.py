from collections import defaultdict

from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_safe

from occupations.filters import MapFilter
from occupations.models import Occupation, Product, attach_product_types
from routes.models import BAND_LEVELS, Cluster, ClusterGroup, Route, TechnicalBand


@require_safe
def route_detail(request, slug):
    """The route map: for each pathway a grid of cluster rows by band, holding occupation cards."""
    route = get_object_or_404(Route, slug=slug)
    occupations = (
        Occupation.objects.in_route(route).with_card_data().order_by("level", "title", "code")
    )
    filterset = MapFilter(request.GET or None, queryset=occupations)
    filtered = filterset.is_bound and filterset.is_valid()
    everything = list(occupations)
    attach_product_types(everything)
    shown_ids = set(filterset.qs.values_list("pk", flat=True)) if filtered else None

    rows = ClusterGroup.objects.filter(pathway__route=route).order_by("sequence", "api_id")
    clusters = Cluster.objects.filter(pathway__route=route).order_by("sequence", "name")
    pathways = list(route.pathways.order_by("sequence", "name"))

    cards = defaultdict(list)
    hidden = defaultdict(int)
    for occupation in everything:
        if shown_ids is None or occupation.pk in shown_ids:
            cards[occupation.cluster_id].append(occupation)
        else:
            hidden[occupation.cluster_id] += 1
    cells = defaultdict(lambda: defaultdict(list))
    for cluster in clusters:
        cluster.cards = cards[cluster.pk]
        cluster.hidden = hidden[cluster.pk]
        cells[cluster.row_id][cluster.band].append(cluster)
    rows_by_pathway = defaultdict(list)
    for row in rows:
        row.cells = [
            {"band": band, "levels": BAND_LEVELS[band], "clusters": cells[row.pk][band.value]}
            for band in TechnicalBand
        ]
        rows_by_pathway[row.pathway_id].append(row)
    for pathway in pathways:
        pathway.grid = rows_by_pathway[pathway.pk]
        in_pathway = [x for r in pathway.grid for c in r.cells for x in c["clusters"]]
        pathway.shown = sum(len(x.cards) for x in in_pathway)
        pathway.hidden = sum(x.hidden for x in in_pathway)

    total = len(everything)
    shown = total if shown_ids is None else len(shown_ids)
    return render(
        request,
        "routes/route_detail.html",
        {
            "route": route,
            "pathways": pathways,
            "filterset": filterset,
            "filtered": filtered,
            "total": total,
            "shown": shown,
            "hidden": total - shown,
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
