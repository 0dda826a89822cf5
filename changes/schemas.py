"""The API's releases and their differences."""

from datetime import date, datetime
from typing import Annotated, Any

from django.urls import reverse
from ninja import Field, Schema
from pydantic import StringConstraints
from pydantic.json_schema import SkipJsonSchema

from changes.models import Kind
from core.schemas import ApiSchema, Linked, PageFields, PageQuery, absolute, api_link

Slug = Annotated[str, StringConstraints(min_length=1, max_length=200, pattern=r"^[^\x00]*$")]


class KindCount(Schema):
    kind: Kind = Field(description="The kind of difference.")
    label: str = Field(description="The kind in words.")
    count: int = Field(description="How many differences of this kind the release lists.")


class ReleaseOut(Linked):
    number: int = Field(description="The release's number: 1 for the first, then one more each.")
    released_at: datetime = Field(description="When the data was written (ISO 8601).")
    data_date: date | None = Field(
        description="The data's own date, where the source gives one (ISO 8601)."
    )
    source: str = Field(
        description="What made it: an import (maps, standards, SOC mapping, ONS SOC) or a staff "
        "edit."
    )
    kind: str = Field(description="The importer's name (maps, standards, ...) or admin.")
    total: int = Field(description="How many differences it lists.")
    occupations_changed: int = Field(description="How many occupations have a difference.")
    counts: list[KindCount] = Field(description="The differences counted by kind.")
    csv_url: str = Field(description="Its differences as CSV (absolute URL).")

    @staticmethod
    def resolve_released_at(obj) -> datetime:
        return obj.created_at

    @staticmethod
    def resolve_source(obj) -> str:
        return obj.source_label

    @staticmethod
    def resolve_counts(obj) -> list[dict]:
        return [
            {"kind": kind, "label": kind.label, "count": obj.counts[kind.value]}
            for kind in Kind
            if obj.counts.get(kind.value)
        ]

    @staticmethod
    def resolve_api_url(obj, context) -> str:
        return api_link(context, "release", obj.number)

    @staticmethod
    def resolve_csv_url(obj, context) -> str:
        return absolute(context, reverse("changes:release_csv", args=[obj.number]))


class ChangeOut(ApiSchema):
    kind: Kind = Field(description="What kind of difference it is.")
    label: str = Field(description="The kind in words.")
    description: str = Field(description="The difference in words.")
    occupation_code: str | None = Field(
        description="The occupation it is about; null for a change to a route's structure."
    )
    occupation_title: str | None = Field(description="The occupation's title (after it).")
    occupation_url: str | None = Field(
        description="The occupation's page (absolute URL), or null if it is not on the site now."
    )
    route: str | None = Field(description="The slug of the route it is on; null if none.")
    route_name: str | None = Field(description="That route's name.")
    from_route: str | None = Field(
        description="For an occupation moved between routes: the slug of the route it left."
    )
    subject: str | None = Field(
        description="What changed within it: a product code, the other occupation's code of a "
        "progression link, a SOC code, a job title, a pathway's or cluster's API id."
    )
    old: Any = Field(description="The value before (null for something added).")
    new: Any = Field(description="The value after (null for something removed).")

    @staticmethod
    def resolve_label(obj) -> str:
        return obj.get_kind_display()

    @staticmethod
    def resolve_occupation_url(obj, context) -> str | None:
        url = getattr(obj, "occupation_url", "")
        return absolute(context, url) if url else None

    @staticmethod
    def resolve_route(obj) -> str:
        return obj.route_slug

    @staticmethod
    def resolve_from_route(obj) -> str:
        return obj.from_route_slug


class ReleaseDetail(ReleaseOut):
    changes: list[ChangeOut] = Field(
        description="Its differences (those matching ``route`` and ``kind``, if given), by "
        "route, then occupation, then kind."
    )

    @staticmethod
    def resolve_changes(obj) -> list:
        return obj.changes_list


class ReleasePage(PageFields):
    results: list[ReleaseOut] = Field(description="The releases on this page, newest first.")


class ReleaseQuery(PageQuery):
    pass


class ChangeQuery(Schema):
    route: Slug | SkipJsonSchema[None] = Field(
        None, description="Only the differences on this route (its slug: digital)."
    )
    kind: Kind | SkipJsonSchema[None] = Field(
        None, description="Only the differences of this kind."
    )
