from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_safe

from occupations.models import Occupation


@require_safe
def occupation_list(request):
    occupations = Occupation.objects.with_map_place().order_by("title", "code")
    return render(request, "occupations/occupation_list.html", {"occupations": occupations})


@require_safe
def occupation_detail(request, code):
    if code != code.upper():
        return redirect("occupations:detail", code=code.upper(), permanent=True)
    occupation = get_object_or_404(Occupation.objects.with_map_place(), code=code)
    return render(request, "occupations/occupation_detail.html", {"occupation": occupation})
