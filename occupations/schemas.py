"""The API's occupations and products, and the query parameters of their lists."""

import enum
from datetime import date
from typing import Annotated, Literal

from django.utils.datastructures import MultiValueDict
from ninja import Field, Schema
from pydantic import StringConstraints
from pydantic.json_schema import SkipJsonSchema

from core.schemas import ApiSchema, Linked, PageFields, PageQuery, api_link
from occupations.filters import MAX_QUERY_LENGTH, SORT_CHOICES
from occupations.models import Occupation, Product
from routes.models import TechnicalBand
from routes.schemas import Band, ClusterRef, PathwayRef, RouteRef

# The API's enumerations, named for what they are (the models' own are all "Status", "Type"...).
OccupationStatus = enum.IntEnum(
    "OccupationStatus", {status.name: status.value for status in Occupation.Status}
)
OccupationStatus.__doc__ = "; ".join(f"{s.value} {s.label}" for s in Occupation.Status)
ProductType = enum.IntEnum("ProductType", {t.name: t.value for t in Product.Type})
ProductType.__doc__ = "; ".join(f"{t.value} {t.label}" for t in Product.Type)

# The SOC app comes after this one (its mappings point at Occupation), so its group model is
# reached through Occupation's reverse relation ``soc`` rather than imported: an occupation's
# document names its SOC groups, and the SOC app's schemas build on these references.
SocGroup = Occupation.soc.related.related_model.soc2010.field.related_model
SocVersion = enum.IntEnum("SocVersion", {v.name: v.value for v in SocGroup.Version})
SocVersion.__doc__ = "SOC 2010 or SOC 2020"
SocLevel = enum.StrEnum("SocLevel", {level.name: level.value for level in SocGroup.Level})
SocLevel.__doc__ = "; ".join(f"{level.value}: {level.label}" for level in SocGroup.Level)


class StatusCount(ApiSchema):
    status: OccupationStatus = Field(description="The occupation status number.")
    status_name: str = Field(description="The status in words.")
    count: int = Field(description="How many occupations have this status.")


class ProductTypeOut(ApiSchema):
    type: ProductType = Field(description="The product type number.")
    type_name: str = Field(description="The product type in words (Apprenticeship, HTQ, ...).")

    @staticmethod
    def resolve_type_name(obj) -> str:
        return Product.Type(obj).label

    @staticmethod
    def resolve_type(obj) -> int:
        return int(obj)


class OccupationRef(Linked):
    code: str = Field(description="The occupation code.", examples=["OCC0118"])
    title: str = Field(description="The occupation's title.")
    level: int = Field(description="Its level, 2 to 7.", ge=2, le=7)
    status: OccupationStatus = Field(description="Its status number.")
    status_name: str = Field(description="Its status in words.")

    @staticmethod
    def resolve_status_name(obj) -> str:
        return obj.get_status_display()

    @staticmethod
    def resolve_api_url(obj, context) -> str:
        return api_link(context, "occupation", obj.code)


class SocGroupRef(Linked):
    version: SocVersion = Field(description="2010 or 2020.")
    code: str = Field(description="The group's code: 1 to 4 digits.", examples=["2136"])
    level: SocLevel = Field(description="major, sub_major, minor or unit.")
    title: str = Field(description="The ONS title.")

    @staticmethod
    def resolve_api_url(obj, context) -> str:
        return api_link(context, f"soc{obj.version}_group", obj.code)


class SubUnitGroupRef(Linked):
    code: str = Field(description="The sub-unit group code.", examples=["2134/01"])
    title: str = Field(description="Its title.")

    @staticmethod
    def resolve_api_url(obj, context) -> str:
        unit, suffix = obj.code.split("/")
        return api_link(context, "sub_unit_group", unit, suffix)


Sort = Literal[tuple(value for value, _ in SORT_CHOICES)]
Level = Annotated[int, Field(ge=2, le=7)]
SearchText = Annotated[str, StringConstraints(max_length=MAX_QUERY_LENGTH, pattern=r"^[^\x00]*$")]
Slug = Annotated[str, StringConstraints(min_length=1, max_length=200)]
Soc2010Code = Annotated[str, StringConstraints(pattern=r"^[1-9][0-9]{3}$")]
Soc2020Code = Annotated[str, StringConstraints(pattern=r"^[1-9][0-9]{3}(/[0-9]{2})?$")]


def route_of(occupation):
    return occupation.cluster.pathway.route if occupation.cluster else None


def pathway_of(occupation):
    return occupation.cluster.pathway if occupation.cluster else None


class OccupationQuery(PageQuery):
    """The search page's filters (``OccupationFilter``), as query parameters."""

    q: SearchText | SkipJsonSchema[None] = Field(
        None, description="Search text: a title, job title, keyword or occupation code."
    )
    route: Slug | SkipJsonSchema[None] = Field(None, description="A route's slug (digital).")
    pathway: int | SkipJsonSchema[None] = Field(None, description="A pathway's API id.")
    level: list[Level] = Field(
        [], description="Levels to keep, 2 to 7; repeat for several (level=4&level=5)."
    )
    band: list[Band] = Field([], description="Technical level bands to keep; repeatable.")
    status: list[OccupationStatus] = Field([], description="Statuses to keep; repeatable.")
    product_type: list[ProductType] = Field(
        [], description="Keep occupations with a product of one of these types; repeatable."
    )
    soc2010: Soc2010Code | SkipJsonSchema[None] = Field(
        None, description="A SOC 2010 unit group (2136)."
    )
    soc2020: Soc2020Code | SkipJsonSchema[None] = Field(
        None, description="A SOC 2020 unit group (2134) or sub-unit group (2134/01)."
    )
    green: bool = Field(
        False, description="Only green occupations (a green job title or a green theme)."
    )
    green_theme: int | SkipJsonSchema[None] = Field(
        None, description="Only occupations with this green theme (its API id)."
    )
    sort: Sort = Field(
        "relevance",
        description="relevance (best match for q, else title), title, level, -level or code.",
    )

    def as_form_data(self) -> MultiValueDict:
        """The validated parameters as the search form's data, so the filters read them as the
        search page does."""
        data = MultiValueDict()
        for name in ("q", "route", "pathway", "soc2010", "soc2020", "green_theme"):
            value = getattr(self, name)
            if value is not None:
                data[name] = str(value)
        for name in ("level", "band", "status", "product_type"):
            data.setlist(name, [str(int(v)) for v in getattr(self, name)])
        if self.green:
            data["green"] = "true"
        data["sort"] = self.sort
        return data


class OccupationCard(OccupationRef):
    """An occupation as a card on a route map shows it."""

    band: Band = Field(description="Its technical level band.")
    band_name: str = Field(description="The band in words.")
    product_types: list[ProductTypeOut] = Field(
        description="The types of product it has, each once."
    )
    is_green: bool = Field(description="Whether it is green (a green job title or theme).")
    progression_count: int = Field(description="How many progression links it has.")

    @staticmethod
    def resolve_band_name(obj) -> str:
        return obj.band.label


class OccupationListItem(OccupationCard):
    """An occupation in a list: a card's fields, where it sits on the maps and its SOC codes.
    The same facts as a row of ``/occupations/occupations.csv``."""

    standard_reference: str | None = Field(
        description="The apprenticeship standard's reference (ST0118)."
    )
    version: str | None = Field(description="The occupational standard's version.")
    status_date: date | None = Field(description="When the status last changed (ISO 8601).")
    overview: str | None = Field(description="One line about the occupation.")
    route: RouteRef | None = Field(description="Its route, or null when it is not on a map.")
    pathway: PathwayRef | None = Field(description="Its pathway.")
    cluster: ClusterRef | None = Field(description="Its cluster.")
    soc2010_code: str | None = Field(description="Its SOC 2010 unit group code.")
    soc2020_code: str | None = Field(description="Its SOC 2020 unit group code.")
    primary_sub_unit_group: str | None = Field(
        description="Its primary SOC 2020 sub-unit group code."
    )

    @staticmethod
    def resolve_route(obj):
        return route_of(obj)

    @staticmethod
    def resolve_pathway(obj):
        return pathway_of(obj)

    @staticmethod
    def resolve_soc2010_code(obj):
        soc = getattr(obj, "soc", None)
        return soc.soc2010.code if soc and soc.soc2010 else None

    @staticmethod
    def resolve_soc2020_code(obj):
        soc = getattr(obj, "soc", None)
        return soc.soc2020.code if soc and soc.soc2020 else None

    @staticmethod
    def resolve_primary_sub_unit_group(obj):
        primary = [m for m in obj.sub_unit_group_mappings.all() if m.is_primary]
        return primary[0].sub_unit_group.code if primary else None


class OccupationPage(PageFields):
    results: list[OccupationListItem] = Field(description="This page's occupations.")


class JobTitleOut(ApiSchema):
    name: str = Field(description="A typical job title.")
    is_green: bool = Field(description="Whether the maps flag it as a green job.")


class OccupationProductOut(Linked):
    """A product as listed for an occupation (a standard's option is listed under its own
    name)."""

    code: str = Field(description="The product code (ST0118, HTQDZ0005, TL0021a).")
    name: str = Field(description="Its name as listed for this occupation.")
    type: ProductType = Field(description="The product type number.")
    type_name: str = Field(description="The product type in words.")
    level: int | None = Field(description="Its level.")
    status: int | None = Field(description="Its status number (products have their own).")
    status_name: str | None = Field(description="Its status in words (HTQs have none).")

    @staticmethod
    def resolve_code(obj):
        return obj.product.code

    @staticmethod
    def resolve_name(obj):
        return obj.name or obj.product.name

    @staticmethod
    def resolve_type(obj):
        return obj.product.type

    @staticmethod
    def resolve_type_name(obj):
        return obj.product.get_type_display()

    @staticmethod
    def resolve_level(obj):
        return obj.product.level

    @staticmethod
    def resolve_status(obj):
        return obj.product.status

    @staticmethod
    def resolve_status_name(obj):
        return obj.product.status_name

    @staticmethod
    def resolve_url(obj, context):
        return context["request"].build_absolute_uri(obj.product.get_absolute_url())

    @staticmethod
    def resolve_api_url(obj, context):
        return api_link(context, "product", obj.product.code)


class SubUnitGroupMappingOut(SubUnitGroupRef):
    is_primary: bool = Field(description="Whether it is the occupation's primary match.")
    unit_group: str = Field(description="The SOC 2020 unit group it sits in.")

    @staticmethod
    def resolve_code(obj):
        return obj.sub_unit_group.code

    @staticmethod
    def resolve_title(obj):
        return obj.sub_unit_group.title

    @staticmethod
    def resolve_unit_group(obj):
        return obj.sub_unit_group.unit_group.code

    @staticmethod
    def resolve_url(obj, context):
        return context["request"].build_absolute_uri(obj.sub_unit_group.get_absolute_url())

    @staticmethod
    def resolve_api_url(obj, context):
        return SubUnitGroupRef.resolve_api_url(obj.sub_unit_group, context)


class ProgressionOut(OccupationRef):
    """The occupation at the other end of a progression link."""

    route: RouteRef | None = Field(description="Its route, or null when it is not on a map.")
    direction: Literal["to", "from"] | None = Field(
        description=(
            "to: a known move from this occupation to that one; from: the other way; null when "
            "the source gives no direction (read it by level: higher is progression, the same "
            "level a sideways move)."
        )
    )

    @staticmethod
    def resolve_route(obj):
        return route_of(obj)


class GreenThemeOut(ApiSchema):
    theme_id: int = Field(description="The green theme's id in the Occupational Maps API.")
    name: str = Field(description="Its name.")
    url: str = Field(description="The search page for occupations with this theme.")
    api_url: str = Field(description="The occupations with this theme, in the API.")

    @staticmethod
    def resolve_url(obj, context):
        return context["request"].build_absolute_uri(obj.get_absolute_url())

    @staticmethod
    def resolve_api_url(obj, context):
        return api_link(context, "occupations") + f"?green_theme={obj.theme_id}"


class OccupationDetail(OccupationRef):
    """Everything the occupation's page shows."""

    standard_reference: str | None = Field(
        description="The apprenticeship standard's reference (ST0118)."
    )
    version: str | None = Field(description="The occupational standard's version.")
    status_date: date | None = Field(description="When the status last changed (ISO 8601).")
    band: Band = Field(description="Its technical level band.")
    band_name: str = Field(description="The band in words.")
    overview: str | None = Field(description="One line about the occupation.")
    summary: str | None = Field(
        description="What the occupation involves: HTML, cleaned to a few safe tags."
    )
    involved_employers: str | None = Field(description="Employers who wrote the standard.")
    keywords: list[str] = Field(description="Keywords, as published.")
    job_titles: list[JobTitleOut] = Field(description="Typical job titles.")
    route: RouteRef | None = Field(description="Its route, or null when it is not on a map.")
    pathway: PathwayRef | None = Field(description="Its pathway.")
    cluster: ClusterRef | None = Field(description="Its cluster.")
    products: list[OccupationProductOut] = Field(
        description="Apprenticeships, T Levels, HTQs, ... that train for it, by type and level."
    )
    soc2010: SocGroupRef | None = Field(description="Its closest SOC 2010 unit group.")
    soc2020: SocGroupRef | None = Field(description="Its SOC 2020 unit group.")
    sub_unit_groups: list[SubUnitGroupMappingOut] = Field(
        description="Its SOC 2020 extension sub-unit groups, the primary one first."
    )
    progression: list[ProgressionOut] = Field(
        description="Occupations linked to it on the progression map, by level, then title."
    )
    green_themes: list[GreenThemeOut] = Field(description="Its green themes.")

    @staticmethod
    def resolve_band_name(obj) -> str:
        return TechnicalBand(obj.band).label

    @staticmethod
    def resolve_keywords(obj) -> list[str]:
        return [k for k in obj.keywords if isinstance(k, str) and k.strip()]

    @staticmethod
    def resolve_route(obj):
        return route_of(obj)

    @staticmethod
    def resolve_pathway(obj):
        return pathway_of(obj)

    @staticmethod
    def resolve_soc2010(obj):
        soc = getattr(obj, "soc", None)
        return soc.soc2010 if soc else None

    @staticmethod
    def resolve_soc2020(obj):
        soc = getattr(obj, "soc", None)
        return soc.soc2020 if soc else None

    @staticmethod
    def resolve_products(obj):
        return list(obj.product_links.all())

    @staticmethod
    def resolve_sub_unit_groups(obj):
        return list(obj.sub_unit_group_mappings.all())

    @staticmethod
    def resolve_progression(obj):
        return obj.neighbours


class ProductOut(Linked):
    """A product; its ``url`` is the search page for occupations with products of its type."""

    code: str = Field(description="The product code (ST0118, HTQDZ0005, TL0021a).")
    name: str = Field(description="Its name.")
    type: ProductType = Field(description="The product type number.")
    type_name: str = Field(description="The product type in words.")
    level: int | None = Field(description="Its level.")
    status: int | None = Field(description="Its status number (products have their own).")
    status_name: str | None = Field(description="Its status in words (HTQs have none).")
    career_starter: bool = Field(description="Whether the maps mark it as a career starter.")
    qualification_category: str | None = Field(description="Its qualification category.")
    lars_code: int | None = Field(description="Its LARS code (apprenticeships).")
    typical_duration_months: int | None = Field(description="Typical duration in months.")
    max_funding: int | None = Field(description="The maximum funding band, in pounds.")
    eqa_provider: str | None = Field(description="The external quality assurance provider.")
    approved_for_delivery: date | None = Field(description="When it was approved for delivery.")
    standard_url: str | None = Field(description="The standard's page at Skills England.")
    latest_version: str | None = Field(description="The standard's latest version.")
    occupations: list[OccupationRef] = Field(description="The occupations it trains for.")

    @staticmethod
    def resolve_type_name(obj):
        return obj.get_type_display()

    @staticmethod
    def resolve_api_url(obj, context):
        return api_link(context, "product", obj.code)

    @staticmethod
    def resolve_occupations(obj):
        return [link.occupation for link in obj.occupation_links.all()]


class ProductPage(PageFields):
    results: list[ProductOut] = Field(description="This page's products.")


class ProductQuery(PageQuery):
    type: list[ProductType] = Field([], description="Product types to keep; repeatable.")


class SuggestQuery(Schema):
    q: SearchText = Field(
        "", description="What has been typed so far; fewer than 2 characters suggest nothing."
    )


class Suggestion(Schema):
    label: str = Field(description="What to show: a title, a job title or a SOC group.")
    kind: Literal["occupation", "job title", "SOC group"] = Field(
        description="An occupation (the link goes to its page), an ONS job title or a SOC group "
        "(the link searches for it)."
    )
    url: str = Field(description="Where choosing it leads: a path on this site.")


class SuggestionList(Schema):
    suggestions: list[Suggestion] = Field(description="At most 10, the best first.")
