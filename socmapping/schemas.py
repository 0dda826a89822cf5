"""The API's SOC groups and SOC 2020 extension sub-unit groups, with the occupations mapped
to them."""

from ninja import Field

from core.schemas import ApiSchema
from occupations.schemas import OccupationRef, SocGroupRef, SocVersion, SubUnitGroupRef
from socmapping.models import SocGroup


def strings(values) -> list[str]:
    return [v for v in values if isinstance(v, str) and v.strip()]


class SocGroupListItem(SocGroupRef):
    parent_code: str | None = Field(description="The code of the group it sits in.")
    occupation_count: int = Field(
        description="How many occupations map to it (unit groups: its unit group mapping)."
    )

    @staticmethod
    def resolve_parent_code(obj):
        return obj.parent.code if obj.parent_id else None


class SocGroupList(ApiSchema):
    version: SocVersion = Field(description="2010 or 2020.")
    count: int = Field(description="How many groups are listed.")
    results: list[SocGroupListItem] = Field(description="The groups, by code.")


class SubUnitGroupOut(SubUnitGroupRef):
    occupation_count: int = Field(description="How many occupations map to it.")


class SocGroupDetail(SocGroupRef):
    level_name: str = Field(description="The level in words (Unit group, ...).")
    parent: SocGroupRef | None = Field(description="The group it sits in.")
    ancestors: list[SocGroupRef] = Field(description="Its place: major group first.")
    children: list[SocGroupRef] = Field(description="The groups inside it, by code.")
    description: str | None = Field(description="The ONS description (SOC 2020).")
    entry_routes: str | None = Field(
        description="Typical entry routes and qualifications (SOC 2020)."
    )
    tasks: list[str] = Field(description="Tasks, as the ONS lists them (SOC 2020).")
    related_job_titles: list[str] = Field(description="Related job titles (SOC 2020).")
    sub_unit_groups: list[SubUnitGroupOut] = Field(
        description="Its SOC 2020 extension sub-unit groups (SOC 2020 unit groups)."
    )
    occupations: list[OccupationRef] = Field(
        description="Occupations mapped to this unit group, by level, then title."
    )
    occupations_through_sub_unit_groups: list[OccupationRef] = Field(
        description=(
            "SOC 2020: occupations mapped to one of its sub-unit groups but to another unit "
            "group (or none), by level, then title."
        )
    )

    @staticmethod
    def resolve_level_name(obj):
        return SocGroup.Level(obj.level).label

    @staticmethod
    def resolve_tasks(obj):
        return strings(obj.tasks)

    @staticmethod
    def resolve_related_job_titles(obj):
        return strings(obj.related_job_titles)

    @staticmethod
    def resolve_children(obj):
        return obj.subgroups

    @staticmethod
    def resolve_occupations(obj):
        return obj.direct

    @staticmethod
    def resolve_sub_unit_groups(obj):
        return obj.sub_unit_group_list

    @staticmethod
    def resolve_occupations_through_sub_unit_groups(obj):
        return obj.through_sub_unit_groups


class MappedOccupation(OccupationRef):
    is_primary: bool = Field(description="Whether this is the occupation's primary sub-unit group.")


class SubUnitGroupDetail(SubUnitGroupRef):
    unit_group: SocGroupRef = Field(description="The SOC 2020 unit group it sits in.")
    ancestors: list[SocGroupRef] = Field(description="Its place: major group first.")
    occupations: list[MappedOccupation] = Field(
        description="Occupations mapped to it: primary matches first, then by level and title."
    )
    siblings: list[SubUnitGroupRef] = Field(
        description="The other sub-unit groups of its unit group."
    )

    @staticmethod
    def resolve_occupations(obj):
        return obj.mapped

    @staticmethod
    def resolve_siblings(obj):
        return obj.sibling_list
