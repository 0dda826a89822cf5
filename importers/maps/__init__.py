"""The Occupational Maps API occupation JSON: read, validate, then write in one transaction.

A source is any mix of JSON documents, told apart by their content, not their names, each
read through its model in ``documents.py`` (which spells every key):

- an occupation detail (``documents.Occupation``) or a list of them;
- the routes (a list of ``documents.Route``);
- the green themes (a list of ``documents.GreenTheme``);
- a harvest index, or this site's export (``documents.MapIndex``);
- directed progression edges (a list of ``documents.ProgressionEdge``, the live API's).
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
