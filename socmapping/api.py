"""The API's SOC groups and sub-unit groups (see ``site_pages.api``)."""

from django.db.models import Count
from django.http import Http404
from ninja import Field, Query, Router, Schema
from pydantic.json_schema import SkipJsonSchema

from core.schemas import ErrorOut, path_key
from occupations.schemas import SocLevel, SocVersion
from socmapping.models import SocGroup, SubUnitGroup
from socmapping.schemas import SocGroupDetail, SocGroupList, SubUnitGroupDetail
from socmapping.selectors import (
    ancestors_of,
    group_mappings,
    siblings_of,
    sub_unit_group_mappings,
)

router = Router(tags=["SOC"])


class SocListQuery(Schema):
    level: SocLevel | SkipJsonSchema[None] = Field(None, description="Only groups at this level.")


@router.get(
    "/{version}",
    response={200: SocGroupList, 400: ErrorOut, 404: ErrorOut},
    url_name="soc_groups",
    summary="List the groups of SOC 2010 or SOC 2020",
    description="Every group of one version (or of one level of it), by code.",
)
def list_groups(request, version: SocVersion, query: Query[SocListQuery]):
    mapped = "soc2010_mappings" if version == SocVersion.SOC2010 else "soc2020_mappings"
    groups = (
        SocGroup.objects.filter(version=version)
        .select_related("parent")
        .annotate(occupation_count=Count(mapped))
        .order_by("code")
    )
    if query.level:
        groups = groups.filter(level=query.level.value)
    results = list(groups)
    return {"version": version, "count": len(results), "results": results}


def group_detail(version: int, code: str):
    key = path_key(code, f"SOC {version} group with the code")
    group = (
        SocGroup.objects.select_related("parent__parent__parent")
        .filter(version=version, code=key)
        .first()
    )
    if group is None:
        raise Http404(f"No SOC {version} group has the code {code!r}.")
    group.ancestors = ancestors_of(group.parent)
    group.subgroups = list(group.children.order_by("code"))
    mappings = group_mappings(group)
    group.direct = mappings.direct
    group.through_sub_unit_groups = mappings.through_sub_unit_groups
    group.sub_unit_group_list = mappings.sub_unit_groups
    return group


@router.get(
    "/2010/{code}",
    response={200: SocGroupDetail, 404: ErrorOut},
    url_name="soc2010_group",
    summary="One SOC 2010 group",
    description="A SOC 2010 group, its place in the hierarchy and the occupations mapped to it.",
)
def soc2010_group(request, code: str):
    return group_detail(SocGroup.Version.SOC2010, code)


@router.get(
    "/2020/{code}",
    response={200: SocGroupDetail, 404: ErrorOut},
    url_name="soc2020_group",
    summary="One SOC 2020 group",
    description=(
        "A SOC 2020 group with the ONS description, its place in the hierarchy, its sub-unit "
        "groups and the occupations mapped to it directly or through a sub-unit group."
    ),
)
def soc2020_group(request, code: str):
    return group_detail(SocGroup.Version.SOC2020, code)


@router.get(
    "/2020/{unit}/{suffix}",
    response={200: SubUnitGroupDetail, 404: ErrorOut},
    url_name="sub_unit_group",
    summary="One SOC 2020 extension sub-unit group",
    description="A sub-unit group (2134/01) and the occupations mapped to it.",
)
def sub_unit_group(request, unit: str, suffix: str):
    unit = path_key(unit, "sub-unit group with the unit group")
    code = f"{unit}/{path_key(suffix, 'sub-unit group with the suffix')}"
    found = (
        SubUnitGroup.objects.select_related("unit_group__parent__parent__parent")
        .filter(code=code)
        .first()
    )
    if found is None:
        raise Http404(f"No sub-unit group has the code {code!r}.")
    found.ancestors = ancestors_of(found.unit_group)
    found.mapped = []
    for mapping in sub_unit_group_mappings(found):
        mapping.occupation.is_primary = mapping.is_primary
        found.mapped.append(mapping.occupation)
    found.sibling_list = list(siblings_of(found))
    return found
