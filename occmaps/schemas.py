"""What the API's resources have in common, and the short references between them.

Every schema here turns an empty string into ``null`` (unknown values are null, never ""), and
every resource carries ``url`` (its page on this site) and ``api_url`` (itself in the API), both
absolute, made from the request the API is answering. The apps' ``schemas.py`` build on these;
the references (a route, an occupation, a SOC group, ...) live here because each app's
resources point at the others'.
"""

import enum
import re

from django.core.paginator import EmptyPage, Paginator
from django.http import Http404
from django.urls import reverse
from ninja import Field, Schema
from pydantic import field_validator

from occupations.models import Occupation, Product
from routes.models import TechnicalBand
from socmapping.models import SocGroup

# The API's enumerations, named for what they are (the models' own are all "Status", "Type"...).
OccupationStatus = enum.IntEnum(
    "OccupationStatus", {status.name: status.value for status in Occupation.Status}
)
OccupationStatus.__doc__ = "; ".join(f"{s.value} {s.label}" for s in Occupation.Status)
ProductType = enum.IntEnum("ProductType", {t.name: t.value for t in Product.Type})
ProductType.__doc__ = "; ".join(f"{t.value} {t.label}" for t in Product.Type)
Band = enum.IntEnum("Band", {band.name: band.value for band in TechnicalBand})
Band.__doc__ = "; ".join(f"{b.value} {b.label}" for b in TechnicalBand)
SocVersion = enum.IntEnum("SocVersion", {v.name: v.value for v in SocGroup.Version})
SocVersion.__doc__ = "SOC 2010 or SOC 2020"
SocLevel = enum.StrEnum("SocLevel", {level.name: level.value for level in SocGroup.Level})
SocLevel.__doc__ = "; ".join(f"{level.value}: {level.label}" for level in SocGroup.Level)

#: What a code or slug in an API path may hold: anything else cannot name a resource.
PATH_KEY_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,199}")


def path_key(value: str, what: str) -> str:
    """The code or slug from a path, trimmed; a 404 when it cannot name anything (so that
    nothing odd, a NUL for one, reaches the database)."""
    key = value.strip()
    if not PATH_KEY_RE.fullmatch(key):
        raise Http404(f"There is no {what} {value!r}.")
    return key


class ApiError(Exception):
    """An answer other than success, with a message and, for a 400, the parameters in error."""

    def __init__(self, status: int, message: str, errors: dict[str, list[str]] | None = None):
        super().__init__(message)
        self.status, self.message, self.errors = status, message, errors


def form_errors(form) -> dict[str, list[str]]:
    return {
        field: [error["message"] for error in errors]
        for field, errors in form.errors.get_json_data().items()
    }


def paginate(request, queryset, query) -> dict:
    """One page of ``queryset`` as ``count``, ``next``, ``previous`` and ``results``."""
    paginator = Paginator(queryset, query.page_size)
    try:
        page = paginator.page(query.page)
    except EmptyPage:
        raise ApiError(
            404, f"There is no page {query.page}: the last page is {paginator.num_pages}."
        ) from None
    return page_links(request, page)


def absolute(context, path: str) -> str:
    return context["request"].build_absolute_uri(path)


def api_link(context, name: str, *args) -> str:
    return absolute(context, reverse(f"api:{name}", args=args))


class ApiSchema(Schema):
    """The base of every API schema: an empty string is an unknown value, so it is null."""

    @field_validator("*", mode="before")
    @classmethod
    def blank_is_null(cls, value):
        if isinstance(value, str) and not value.strip():
            return None
        return value


class Linked(ApiSchema):
    url: str = Field(description="This thing's page on this site (absolute URL).")
    api_url: str = Field(description="This thing in the API (absolute URL).")

    @staticmethod
    def resolve_url(obj, context) -> str:
        return absolute(context, obj.get_absolute_url())


class ErrorOut(Schema):
    """Every error: its HTTP status and a message saying what to change."""

    status: int = Field(description="The HTTP status code, repeated.", examples=[404])
    message: str = Field(description="What went wrong, in words.")
    errors: dict[str, list[str]] | None = Field(
        None,
        description="For a 400: each query parameter in error, with its messages.",
    )


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


# References: the few fields that name a resource, with its links.


class RouteRef(Linked):
    api_id: int = Field(description="The route's id in the Occupational Maps API.")
    name: str = Field(description="The route's name.")
    slug: str = Field(description="The route's identifier in URLs.", examples=["digital"])

    @staticmethod
    def resolve_api_url(obj, context) -> str:
        return api_link(context, "route", obj.slug)


class PathwayRef(Linked):
    """A pathway has no resource of its own: its ``api_url`` is its route's."""

    api_id: int = Field(description="The pathway's id in the Occupational Maps API.")
    name: str = Field(description="The pathway's name.")
    slug: str = Field(description="The pathway's identifier on its route map (the URL anchor).")

    @staticmethod
    def resolve_api_url(obj, context) -> str:
        return api_link(context, "route", obj.route.slug)


class ClusterRef(Linked):
    """A cluster has no resource of its own: its ``api_url`` is its route's."""

    api_id: int = Field(description="The cluster's id in the Occupational Maps API.")
    name: str = Field(description="The cluster's name.")
    band: Band = Field(description="The technical level band: its column on the map.")
    band_name: str = Field(description="The band in words.")

    @staticmethod
    def resolve_band_name(obj) -> str:
        return TechnicalBand(obj.band).label

    @staticmethod
    def resolve_api_url(obj, context) -> str:
        return api_link(context, "route", obj.pathway.route.slug)


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


def page_links(request, page) -> dict:
    """``count``, ``next`` and ``previous`` for a page of a paginated list (absolute or null)."""

    def link(number):
        query = request.GET.copy()
        query["page"] = str(number)
        return request.build_absolute_uri(f"{request.path}?{query.urlencode()}")

    return {
        "count": page.paginator.count,
        "next": link(page.next_page_number()) if page.has_next() else None,
        "previous": link(page.previous_page_number()) if page.has_previous() else None,
        "results": list(page.object_list),
    }


class PageFields(Schema):
    count: int = Field(description="How many results there are in all, on every page.")
    next: str | None = Field(description="The next page (absolute URL), or null on the last.")
    previous: str | None = Field(
        description="The previous page (absolute URL), or null on the first."
    )


class PageQuery(Schema):
    page: int = Field(1, ge=1, description="Which page of results, from 1.")
    page_size: int = Field(25, ge=1, le=100, description="Results on a page, at most 100.")
