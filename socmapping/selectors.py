"""Reads of a SOC group or sub-unit group with the occupations mapped to it, shared by the
pages (socmapping/views.py) and the API (socmapping/api.py)."""

from dataclasses import dataclass, field

from django.db.models import Count, Exists, OuterRef

from occupations.models import Occupation
from socmapping.models import SocGroup, SubUnitGroup, SubUnitGroupMapping


def ancestors_of(group: SocGroup | None) -> list[SocGroup]:
    """``group`` and its parents, the major group first (parents must be selected with it)."""
    ancestors = []
    while group is not None:
        ancestors.insert(0, group)
        group = group.parent
    return ancestors


def mapped_occupations(queryset) -> list[Occupation]:
    return list(queryset.with_map_place().order_by("level", "title", "code"))


@dataclass
class GroupMappings:
    direct: list = field(default_factory=list)  # the group is their closest unit group
    through_sub_unit_groups: list = field(default_factory=list)  # mapped via a sub-unit group
    sub_unit_groups: list = field(default_factory=list)  # with ``occupation_count``


def group_mappings(group: SocGroup) -> GroupMappings:
    """The occupations mapped to a unit group (nothing for the higher levels)."""
    found = GroupMappings()
    if group.level != SocGroup.Level.UNIT:
        return found
    if group.version == SocGroup.Version.SOC2010:
        found.direct = mapped_occupations(Occupation.objects.filter(soc__soc2010=group))
        return found
    found.direct = mapped_occupations(Occupation.objects.filter(soc__soc2020=group))
    found.sub_unit_groups = list(
        group.sub_unit_groups.annotate(occupation_count=Count("mappings")).order_by("code")
    )
    through = SubUnitGroupMapping.objects.filter(
        occupation=OuterRef("pk"), sub_unit_group__unit_group=group
    )
    found.through_sub_unit_groups = mapped_occupations(
        Occupation.objects.filter(Exists(through)).exclude(soc__soc2020=group)
    )
    return found


def sub_unit_group_mappings(sub_unit_group: SubUnitGroup) -> list[SubUnitGroupMapping]:
    """Its mappings with their occupations (placed on the map), the primary ones first."""
    return list(
        SubUnitGroupMapping.objects.filter(sub_unit_group=sub_unit_group)
        .select_related("occupation__cluster__pathway__route")
        .order_by("-is_primary", "occupation__level", "occupation__title", "occupation__code")
    )


def siblings_of(sub_unit_group: SubUnitGroup):
    return (
        SubUnitGroup.objects.filter(unit_group_id=sub_unit_group.unit_group_id)
        .exclude(pk=sub_unit_group.pk)
        .order_by("code")
    )
