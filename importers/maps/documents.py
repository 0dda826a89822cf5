"""The Occupational Maps API's documents, defined once, with the upstream spellings and quirks.

Each model's fields are named in Python (``std_code``) and carry the API's key as their alias
(``stdCode``), so a key is spelt here and nowhere else. The upstream quirks are kept: the
cluster's sequence is ``clusterSeqeunce``, an unknown date is ``0001-01-01``, and a SOC code
of ``0`` means "not mapped". The models are strict: a list where text belongs, or the string
"false" where true or false belongs, is refused rather than turned into a string or a truth
value. The export writes through them (``dump``), so what it writes is what they describe.
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

#: The source's placeholder for an unknown date.
UNKNOWN_DATE = "0001-01-01"
#: The SOC code that means "not mapped".
NOT_MAPPED = 0


class Document(BaseModel):
    model_config = ConfigDict(strict=True, populate_by_name=True, extra="ignore")

    def dump(self) -> dict:
        """The document as JSON-ready data, with the API's keys, leaving out what was not set."""
        return self.model_dump(mode="json", by_alias=True, exclude_unset=True)


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
    level: int | None = None
    status: int | None = None
    status_name: str | None = Field(None, alias="statusName")
    type: int
    type_name: str = Field("", alias="typeName")
    career_starter: bool = Field(False, alias="careerStarter")
    product_code: str = Field(alias="productCode")
    qualification_category: str | None = Field(None, alias="qualificationCategory")


class MapHierarchy(Document):
    route_id: int = Field(alias="routeId")
    route_name: str = Field(alias="routeName")
    route_sequence: int = Field(0, alias="routeSequence")
    pathway_id: int = Field(alias="pathwayId")
    pathway_name: str = Field(alias="pathwayName")
    pathway_sequence: int = Field(0, alias="pathwaySequence")
    cluster_group_id: int = Field(alias="clusterGroupId")
    cluster_group_sequence: int = Field(0, alias="clusterGroupSequence")
    cluster_id: int = Field(alias="clusterId")
    cluster_name: str = Field(alias="clusterName")
    # Spelt so by the API.
    cluster_sequence: int = Field(0, alias="clusterSeqeunce")
    technical_level: int = Field(alias="technicalLevel")
    technical_level_name: str = Field("", alias="technicalLevelName")


class OccupationSummary(Document):
    """An occupation as a neighbour in ``progression`` lists it."""

    object: Literal["Occupation"] = "Occupation"
    std_code: str = Field(alias="stdCode")
    name: str
    status: int
    status_name: str = Field("", alias="statusName")
    level: int
    version_no: str = Field("", alias="versionNo")
    status_last_updated: date | None = Field(None, alias="statusLastUpdated")

    @field_validator("status_last_updated", mode="before")
    @classmethod
    def unknown_date_is_none(cls, value):
        if isinstance(value, str) and value.startswith(UNKNOWN_DATE):
            return None
        if isinstance(value, str):
            return date.fromisoformat(value[:10])
        return value


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
    green_theme_ids: list[int] = Field([], alias="greenThemeIds")
    progression: list[OccupationSummary] = []
    links: list[Link] = []
    map_hierarchy: MapHierarchy | None = Field(None, alias="mapHierarchy")


class Route(Document):
    object: Literal["Route"] = "Route"
    route_id: int = Field(alias="routeId")
    name: str
    sequence: int = 0


class SubTheme(Document):
    theme_id: int = Field(alias="themeId")
    theme_name: str = Field(alias="themeName")


class GreenTheme(Document):
    theme_id: int = Field(alias="themeId")
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
