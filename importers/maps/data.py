"""What a maps import has read, cleaned and checked, before anything is written."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.contrib.auth import get_user_model

from occupations.models import (
    Occupation,
    Product,
)

STATUSES = {status.value for status in Occupation.Status}
User = get_user_model()
PRODUCT_TYPES = {t.value for t in Product.Type}


@dataclass
class OccupationData:
    where: str
    code: str
    fields: dict
    cluster_id: int
    job_titles: list[tuple[str, bool]]
    products: list[tuple[str, str]]
    green_theme_ids: list[int]
    soc2010: str | None
    soc2020: str | None
    sub_unit_groups: list[tuple[str, bool]]
    neighbours: list[str]
    # What the source says of each neighbour (title, level, status), for those not loaded.
    neighbour_details: dict[str, dict] = field(default_factory=dict)


@dataclass
class MapData:
    """Everything read from a source, cleaned and checked, keyed by the source's ids."""

    routes: dict[int, dict] = field(default_factory=dict)
    route_slugs: dict[int, str] = field(default_factory=dict)
    pathways: dict[int, dict] = field(default_factory=dict)
    rows: dict[int, dict] = field(default_factory=dict)
    clusters: dict[int, dict] = field(default_factory=dict)
    themes: dict[int, dict] = field(default_factory=dict)
    products: dict[str, dict] = field(default_factory=dict)
    soc_titles: dict[tuple[int, str], str] = field(default_factory=dict)
    sub_unit_groups: dict[str, str] = field(default_factory=dict)
    occupations: dict[str, OccupationData] = field(default_factory=dict)
    # (from, to) → {"directed": ..., "added_by_staff": ...}: the live API's edges, and the links
    # this site's own export lists with their flags.
    edges: dict[tuple[str, str], dict] = field(default_factory=dict)
    # Staff edits carried by this site's own export: (code, field, when, who).
    local_edits: list[tuple[str, str, object, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    files: int = 0
    #: The data's own date: when a harvest index was harvested, else its API "Last Updated".
    data_date: date | None = None
