from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_safe

from socmapping.models import SocGroup, SubUnitGroup


@require_safe
def group_detail(request, version, code):
    group = get_object_or_404(SocGroup.objects.select_related("parent"), version=version, code=code)
    return render(request, "socmapping/group_detail.html", {"group": group})


@require_safe
def sub_unit_group_detail(request, unit, suffix):
    sub_unit_group = get_object_or_404(
        SubUnitGroup.objects.select_related("unit_group"), code=f"{unit}/{suffix}"
    )
    return render(
        request, "socmapping/sub_unit_group_detail.html", {"sub_unit_group": sub_unit_group}
    )
