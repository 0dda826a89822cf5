"""The Occupational Maps API's documents, defined once, with the upstream spellings and quirks.

Each model's fields are named in Python (``std_code``) and carry the API's key as their alias
(``stdCode``), so a key is spelt here and nowhere else. The upstream quirks are kept: the
cluster's sequence is ``clusterSeqeunce``, an unknown date is ``0001-01-01``, and a SOC code
of ``0`` means "not mapped". The models are strict: a list where text belongs, or the string
"false" where true or false belongs, is refused rather than turned into a string or a truth
value. The export writes through them (``dump``), so what it writes is what they describe, and
the importer reads every document through them (``core.parsers.validated``), so the keys are
spelt here and nowhere else: other modules name a place by its Python names (:func:`place`).
"""

from __future__ import annotations

import typing
from datetime import date
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator
from pydantic_core import PydanticCustomError

from core.parsers import MAX_NUMBER, iso_date

#: The SOC code that means "not mapped".
NOT_MAPPED = 0
#: The largest small number a column holds (``MAX_NUMBER`` is the largest id or sequence).
MAX_SMALL = 32767
#: What the live API's occupation detail is asked to expand.
EXPAND = "products,soc,mapHierarchy,typicalJobTitles,keywords,greenThemes,progression"
#: The ``rel`` of the link to the occupation's map (its route's page).
MAP_LINK = "occupationalMapURL"
#: The ``rel`` of the link to the occupation's own page.
STANDARD_LINK = "occupationalStandardURL"


def _between(maximum: int):
    def check(value: int) -> int:
        if not 0 <= value <= maximum:
            raise PydanticCustomError(
                "number_range",
                "must be between {minimum} and {maximum}",
                {"minimum": 0, "maximum": maximum},
            )
        return value

    return AfterValidator(check)


#: A whole number the database holds (an id, a sequence, a level).
Number = Annotated[int, _between(MAX_NUMBER)]
#: A whole number for a small column.
Small = Annotated[int, _between(MAX_SMALL)]


def _date(value):
    """An ISO date, or the date of an ISO date and time (``core.parsers.iso_date``);
    ``0001-01-01`` and empty text mean unknown."""
    if value is None or isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return iso_date(value)
        except ValueError:
            pass
    raise PydanticCustomError("date_format", "not a date (YYYY-MM-DD)")


class Document(BaseModel):
    model_config = ConfigDict(strict=True, populate_by_name=True, extra="ignore")

    def dump(self) -> dict:
        """The document as JSON-ready data, with the API's keys, leaving out what was not set."""
        return self.model_dump(mode="json", by_alias=True, exclude_unset=True)


def place(model: type[Document], *parts: str | int) -> str:
    """The API's name for a place in a document, from the Python names: ``place(Occupation,
    "soc", "soc2020_sub_unit_groups", 0, "code")`` is ``soc.soc2020SubUnitGroups[0].code``."""
    text = ""
    current: Any = model
    for part in parts:
        if isinstance(part, int):
            text += f"[{part}]"
            continue
        field = current.model_fields[part]
        key = field.alias or part
        text += f".{key}" if text else key
        current = _model_in(field.annotation)
    return text


def _model_in(annotation):
    """The document model inside ``list[X]``, ``X | None`` and the like, if any."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for argument in typing.get_args(annotation):
        found = _model_in(argument)
        if found is not None:
            return found
    return None


class Link(Document):
    rel: str
    href: str


class JobTitle(Document):
    name: str
    is_green: bool = Field(False, alias="isGreen")


class SubUnitGroup(Document):
    code: str
    description: str = ""
    is_primary: bool = Field(False, alias="isPrimary")


class Soc(Document):
    soc2010_code: int = Field(NOT_MAPPED, alias="soc2010Code")
    soc2010_description: str = Field("", alias="soc2010Description")
    soc2020_code: int = Field(NOT_MAPPED, alias="soc2020Code")
    soc2020_description: str = Field("", alias="soc2020Description")
    soc2020_sub_unit_groups: list[SubUnitGroup] = Field([], alias="soc2020SubUnitGroups")


class Product(Document):
    object: Literal["Product"] = "Product"
    name: str
    level: Small | None = None
    status: Small | None = None
    status_name: str | None = Field(None, alias="statusName")
    type: Number
    type_name: str = Field("", alias="typeName")
    career_starter: bool = Field(False, alias="careerStarter")
    product_code: str = Field(alias="productCode")
    qualification_category: str | None = Field(None, alias="qualificationCategory")


class MapHierarchy(Document):
    route_id: Number = Field(alias="routeId")
    route_name: str = Field(alias="routeName")
    route_sequence: Number = Field(0, alias="routeSequence")
    pathway_id: Number = Field(alias="pathwayId")
    pathway_name: str = Field(alias="pathwayName")
    pathway_sequence: Number = Field(0, alias="pathwaySequence")
    cluster_group_id: Number = Field(alias="clusterGroupId")
    cluster_group_sequence: Number = Field(0, alias="clusterGroupSequence")
    cluster_id: Number = Field(alias="clusterId")
    cluster_name: str = Field(alias="clusterName")
    # Spelt so by the API.
    cluster_sequence: Number = Field(0, alias="clusterSeqeunce")
    technical_level: Number = Field(alias="technicalLevel")
    technical_level_name: str = Field("", alias="technicalLevelName")


class OccupationSummary(Document):
    """An occupation as a neighbour in ``progression`` lists it."""

    object: Literal["Occupation"] = "Occupation"
    std_code: str = Field(alias="stdCode")
    name: str
    status: Number
    status_name: str = Field("", alias="statusName")
    level: Number
    version_no: str = Field("", alias="versionNo")
    status_last_updated: date | None = Field(None, alias="statusLastUpdated")

    @field_validator("status_last_updated", mode="before")
    @classmethod
    def unknown_date_is_none(cls, value):
        return _date(value)


class Occupation(OccupationSummary):
    """An occupation detail (``/api/v1/Occupations/{code}?expand=...``), with the snapshot
    files' ``greenThemeIds`` and ``progression``."""

    summary: str = ""
    overview: str = ""
    involved_employers: str = Field("", alias="involvedEmployers")
    keywords: list[str] = []
    typical_job_titles: list[JobTitle] = Field([], alias="typicalJobTitles")
    soc: Soc | None = None
    products: list[Product] = []
    green_theme_ids: list[Number] = Field([], alias="greenThemeIds")
    progression: list[OccupationSummary] = []
    links: list[Link] = []
    map_hierarchy: MapHierarchy | None = Field(None, alias="mapHierarchy")


class Route(Document):
    object: Literal["Route"] = "Route"
    route_id: Number = Field(alias="routeId")
    name: str
    sequence: Number = 0


class SubTheme(Document):
    theme_id: Number = Field(alias="themeId")
    theme_name: str = Field(alias="themeName")


class GreenTheme(Document):
    theme_id: Number = Field(alias="themeId")
    theme_name: str = Field(alias="themeName")
    sub_themes: list[SubTheme] = Field([], alias="subThemes")


class ProgressionEdge(Document):
    """A directed link, as the live API's ``/OccupationalProgression/{code}`` gives them; this
    site's export adds links made by staff."""

    std_code_from: str = Field(alias="stdCodeFrom")
    std_code_to: str = Field(alias="stdCodeTo")
    directed: bool = True
    added_by_staff: bool = Field(False, alias="addedByStaff")


class LocalEdit(Document):
    """A staff edit this site's export carries, so that a re-import keeps it."""

    std_code: str = Field(alias="stdCode")
    field: str
    edited_at: str = Field(alias="editedAt")
    edited_by: str | None = Field(None, alias="editedBy")


class MapExport(Document):
    """This site's export of the whole map: ``import_maps`` reads it back."""

    title: str
    licence: str
    credit: str
    exported_at: str = Field(alias="exportedAt")
    data_as_at: str | None = Field(None, alias="dataAsAt")
    routes: list[Route] = []
    green_themes: list[GreenTheme] = Field([], alias="greenThemes")
    occupations: list[Occupation] = []
    progression_edges: list[ProgressionEdge] = Field([], alias="progressionEdges")
    local_edits: list[LocalEdit] = Field([], alias="localEdits")


class MapIndex(Document):
    """What ``import_maps`` reads from a harvest index or from this site's export: the routes
    and green themes in full; the occupations as objects (an index lists them by name only, an
    export in full, so each is told apart and read on its own); the links and staff edits."""

    version: str | None = None
    harvested_at: date | None = Field(None, alias="harvestedAt")
    routes: list[Route] = []
    green_themes: list[GreenTheme] = Field([], alias="greenThemes")
    occupations: list[dict] = []
    progression_edges: list[ProgressionEdge] = Field([], alias="progressionEdges")
    local_edits: list[LocalEdit] = Field([], alias="localEdits")

    @field_validator("harvested_at", mode="before")
    @classmethod
    def unknown_date_is_none(cls, value):
        return _date(value)


def kind(value) -> type[Document] | None:
    """Which document a JSON object is, told apart by its content: an occupation, or a harvest
    index (or this site's export) of the whole map."""
    if not isinstance(value, dict):
        return None
    if value.get("object") == "Occupation":
        return Occupation
    if "routes" in value or "greenThemes" in value:
        return MapIndex
    return None


def kind_of_items(first) -> type[Document] | None:
    """Which documents a JSON list holds, told apart by its first item: routes, green themes,
    progression edges or occupations."""
    if not isinstance(first, dict):
        return None
    if first.get("object") == "Route":
        return Route
    if "themeId" in first:
        return GreenTheme
    if "stdCodeFrom" in first:
        return ProgressionEdge
    if first.get("object") == "Occupation" or "stdCode" in first:
        return Occupation
    return None


def record_code(value) -> str | None:
    """An occupation's code as the source gives it, before any check (None unless text), to
    name the record in its problems."""
    code = value.get("stdCode") if isinstance(value, dict) else None
    return code if isinstance(code, str) else None


def listed_codes(items) -> list[str]:
    """The occupation codes a list of objects names (the API's occupation listing, or a
    route's ``occupations``); anything else is passed over."""
    codes = []
    for item in items if isinstance(items, list) else []:
        code = record_code(item)
        if code:
            codes.append(code)
    return codes


def route_occupation_codes(routes) -> list[str]:
    """The occupation codes the API's routes list, when they list their occupations."""
    codes = []
    for route in routes if isinstance(routes, list) else []:
        if isinstance(route, dict):
            codes.extend(listed_codes(route.get("occupations")))
    return codes
