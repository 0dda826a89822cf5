import re

from django.db.models import Count
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_safe

from core.querystring import query_parameters
from socmapping.models import (
    SUB_UNIT_GROUP_CODE_RE,
    SocGroup,
    SubUnitGroup,
)
from socmapping.selectors import (
    ancestors_of,
    group_mappings,
    siblings_of,
    sub_unit_group_mappings,
)

VERSIONS = {v.value: v for v in SocGroup.Version}


def version_or_404(version: int) -> SocGroup.Version:
    if version not in VERSIONS:
        raise Http404("No such SOC version")
    return VERSIONS[version]


@require_safe
@query_parameters()
def soc_index(request):
    majors = SocGroup.objects.filter(level=SocGroup.Level.MAJOR).order_by("version", "code")
    return render(
        request,
        "socmapping/index.html",
        {
            "soc2010": [g for g in majors if g.version == 2010],
            "soc2020": [g for g in majors if g.version == 2020],
        },
    )


@require_safe
@query_parameters()
def hierarchy(request, version):
    """The whole of one version, as nested lists, with how many occupations map to each unit."""
    version = version_or_404(version)
    mapped = "soc2010_mappings" if version == SocGroup.Version.SOC2010 else "soc2020_mappings"
    groups = list(
        SocGroup.objects.filter(version=version)
        .annotate(occupation_count=Count(mapped))
        .order_by("code")
    )
    children: dict[int | None, list] = {}
    for group in groups:
        children.setdefault(group.parent_id, []).append(group)
    for group in groups:
        group.subgroups = children.get(group.pk, [])
    top = [g for g in groups if g.level == SocGroup.Level.MAJOR]
    orphans = [g for g in groups if g.parent_id is None and g.level != SocGroup.Level.MAJOR]
    return render(
        request,
        "socmapping/hierarchy.html",
        {"version": version, "majors": top, "orphans": orphans, "total": len(groups)},
    )


@require_safe
@query_parameters()
def group_detail(request, version, code):
    version = version_or_404(version)
    if not re.fullmatch(r"[0-9]{1,4}", code):
        # Not a SOC code at all (one to four digits): nothing to look up. A NUL, for one, would
        # make PostgreSQL refuse the query.
        raise Http404("No such SOC group")
    group = get_object_or_404(
        SocGroup.objects.select_related("parent__parent__parent"), version=version, code=code
    )
    mappings = group_mappings(group)
    return render(
        request,
        "socmapping/group_detail.html",
        {
            "group": group,
            "ancestors": ancestors_of(group.parent),
            "subgroups": list(group.children.order_by("code")),
            "sub_unit_groups": mappings.sub_unit_groups,
            "direct": mappings.direct,
            "through_sub_unit_groups": mappings.through_sub_unit_groups,
        },
    )


@require_safe
@query_parameters()
def sub_unit_group_detail(request, unit, suffix):
    code = f"{unit}/{suffix}"
    if not re.fullmatch(SUB_UNIT_GROUP_CODE_RE, code):
        raise Http404("No such sub-unit group")
    sub_unit_group = get_object_or_404(
        SubUnitGroup.objects.select_related("unit_group__parent__parent__parent"), code=code
    )
    mappings = sub_unit_group_mappings(sub_unit_group)
    return render(
        request,
        "socmapping/sub_unit_group_detail.html",
        {
            "sub_unit_group": sub_unit_group,
            "ancestors": ancestors_of(sub_unit_group.unit_group),
            "primary": [m.occupation for m in mappings if m.is_primary],
            "secondary": [m.occupation for m in mappings if not m.is_primary],
            "siblings": siblings_of(sub_unit_group),
        },
    )
