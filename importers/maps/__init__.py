"""The Occupational Maps API occupation JSON: read, validate, then write in one transaction.

A source is any mix of JSON documents, told apart by their content, not their names:

- an occupation detail (``{"object": "Occupation", "stdCode": ...}``) or a list of them;
- the routes (``[{"object": "Route", "routeId": ..., "name": ..., "sequence": ...}]``);
- the green themes (``[{"themeId": ..., "themeName": ..., "subThemes": [...]}]``);
- a harvest index (``{"routes": [...], "greenThemes": [...], ...}``);
- directed progression edges (``[{"stdCodeFrom": ..., "stdCodeTo": ...}]``, the live API's).
"""

from importers.maps.check import check_consistency, read_occupation
from importers.maps.data import MapData, OccupationData
from importers.maps.read import load_json, read_document, read_paths
from importers.maps.write import MapsWriter

__all__ = [
    "MapData",
    "MapsWriter",
    "OccupationData",
    "check_consistency",
    "load_json",
    "read_document",
    "read_occupation",
    "read_paths",
]
