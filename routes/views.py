from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_safe

from occupations.models import Occupation
from routes.models import Cluster, Pathway, Route


@require_safe
def route_detail(request, slug):
    route = get_object_or_404(Route, slug=slug)
    clusters = Cluster.objects.select_related("row").prefetch_related(
        Prefetch("occupations", queryset=Occupation.objects.order_by("level", "title"))
    )
    pathways = Pathway.objects.filter(route=route).prefetch_related(
        Prefetch("clusters", queryset=clusters)
    )
    return render(request, "routes/route_detail.html", {"route": route, "pathways": pathways})
