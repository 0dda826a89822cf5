"""What every API resource has in common: null for unknown, links, errors and pages.

Every schema here turns an empty string into ``null`` (unknown values are null, never ""), and
every resource carries ``url`` (its page on this site) and ``api_url`` (itself in the API), both
absolute, made from the request the API is answering. The apps' ``schemas.py`` build on these;
each app's references (the few fields that name one of its resources) live in its own
``schemas.py``, so a later app can point at an earlier app's resources.
"""

import re

from django.core.paginator import EmptyPage, Paginator
from django.http import Http404
from django.urls import reverse
from ninja import Field, Schema
from pydantic import field_validator

from core.querystring import canonical_query

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


def page_links(request, page) -> dict:
    """``count``, ``next`` and ``previous`` for a page of a paginated list (absolute or null)."""

    def link(number):
        query = request.GET.copy()
        query["page"] = str(number)
        # In the page cache's order (by name), so that following a link finds its answer kept.
        return request.build_absolute_uri(f"{request.path}?{canonical_query(query, query)}")

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
