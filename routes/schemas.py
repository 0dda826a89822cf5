"""The API's short references to the map's skeleton: a route, a pathway, a cluster.

Later apps' schemas (occupations, SOC) point at these; the route list and route map documents,
which hold occupations, live in ``occupations.route_schemas``.
"""

import enum

from ninja import Field

from core.schemas import Linked, api_link
from routes.models import TechnicalBand

Band = enum.IntEnum("Band", {band.name: band.value for band in TechnicalBand})
Band.__doc__ = "; ".join(f"{b.value} {b.label}" for b in TechnicalBand)


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
