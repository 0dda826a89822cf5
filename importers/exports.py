"""What the site's pages take from the importers: the downloads' contents and the words that
go with them. Pages import this module only (a contract in pyproject.toml holds that), so an
importer's internals can change without touching a page."""

import json

from importers.maps.export import CREDIT, LICENCE, export_map
from importers.soc_mapping import COLUMNS, DISCLAIMER, SOC2010, SOC2020EXT, export_csv

__all__ = [
    "CREDIT",
    "DISCLAIMER",
    "LICENCE",
    "SOC2010_COLUMNS",
    "SOC2020_SUB_UNIT_GROUP_COLUMNS",
    "maps_json",
    "soc2010_mapping_csv",
    "soc2020_sub_unit_group_mapping_csv",
]

SOC2010_COLUMNS = COLUMNS[SOC2010]
SOC2020_SUB_UNIT_GROUP_COLUMNS = COLUMNS[SOC2020EXT]


def soc2010_mapping_csv() -> bytes:
    """Every occupation's closest SOC 2010 unit group, in the layout import_soc_mapping reads."""
    return export_csv(SOC2010).encode()


def soc2020_sub_unit_group_mapping_csv() -> bytes:
    """Every occupation's SOC 2020 extension sub-unit groups, in the same way."""
    return export_csv(SOC2020EXT).encode()


def maps_json(site: str) -> bytes:
    """The whole map in the Occupational Maps API's shapes; ``site`` makes its links absolute."""
    return json.dumps(export_map(site), ensure_ascii=False, indent=1).encode()
