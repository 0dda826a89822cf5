"""The API's routes: the list, and one route's map of pathways, rows and clusters."""

from ninja import Field

from core.schemas import ApiSchema, api_link
from occupations.models import Occupation
from occupations.schemas import OccupationCard, StatusCount
from routes.schemas import Band, ClusterRef, PathwayRef, RouteRef


class RouteOut(RouteRef):
    sequence: int = Field(description="Its place in the maps' display order (not its id).")
    occupation_count: int = Field(description="How many occupations the route holds.")
    occupations_by_status: list[StatusCount] = Field(
        description="How many of them have each status (every status is listed)."
    )

    @staticmethod
    def resolve_occupations_by_status(obj) -> list[dict]:
        return [
            {
                "status": status.value,
                "status_name": status.label,
                "count": getattr(obj, f"status_{status.value}"),
            }
            for status in Occupation.Status
        ]


class ClusterOut(ClusterRef):
    sequence: int = Field(description="Its order within its row and band.")
    levels: list[int] = Field(description="The two levels its band spans.")
    occupations: list[OccupationCard] = Field(
        description="The occupations in the cluster, by level, then title."
    )

    @staticmethod
    def resolve_levels(obj) -> list[int]:
        return list(obj.levels)

    @staticmethod
    def resolve_occupations(obj) -> list:
        return obj.cards


class RowOut(ApiSchema):
    """A cluster group: a row of the pathway's grid. It has no name of its own."""

    api_id: int = Field(description="The row's id in the Occupational Maps API.")
    sequence: int = Field(description="Its order within the pathway, from 0.")
    url: str = Field(description="The pathway on its route map (absolute URL).")
    api_url: str = Field(description="The route in the API (absolute URL).")
    clusters: list[ClusterOut] = Field(description="Its clusters, by band, then sequence.")

    @staticmethod
    def resolve_url(obj, context) -> str:
        return context["request"].build_absolute_uri(obj.get_absolute_url())

    @staticmethod
    def resolve_api_url(obj, context) -> str:
        return api_link(context, "route", obj.pathway.route.slug)

    @staticmethod
    def resolve_clusters(obj) -> list:
        return obj.cluster_list


class PathwayOut(PathwayRef):
    sequence: int = Field(description="Its order on the route map.")
    rows: list[RowOut] = Field(description="The pathway's grid, row by row.")

    @staticmethod
    def resolve_rows(obj) -> list:
        return obj.grid


class BandOut(ApiSchema):
    band: Band = Field(description="The band number: the column of the map.")
    name: str = Field(description="The band in words.")
    levels: list[int] = Field(description="The two levels it spans.")


class RouteDetail(RouteOut):
    bands: list[BandOut] = Field(description="The map's columns: the three technical bands.")
    pathways: list[PathwayOut] = Field(description="The route's pathways, in map order.")

    @staticmethod
    def resolve_pathways(obj) -> list:
        return obj.pathway_list
