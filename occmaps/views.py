from django.db import DatabaseError, connection
from django.db.models import Count, Q
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from occmaps.models import ImportRecord
from occupations.models import Occupation
from routes.models import Route


@require_safe
def home(request):
    status_counts = {
        f"status_{status.value}": Count(
            "pathways__clusters__occupations",
            filter=Q(pathways__clusters__occupations__status=status),
        )
        for status in Occupation.Status
    }
    routes = Route.objects.annotate(
        occupation_count=Count("pathways__clusters__occupations"), **status_counts
    ).order_by("sequence", "name")
    latest_import = ImportRecord.objects.succeeded().order_by("-finished_at").first()
    return render(
        request,
        "home.html",
        {"routes": routes, "latest_import": latest_import, "statuses": Occupation.Status},
    )


@require_safe
@never_cache
def healthz(request):
    """Liveness and readiness: 200 when the database answers, 503 when it does not."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return JsonResponse({"status": "error", "database": "unavailable"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})
