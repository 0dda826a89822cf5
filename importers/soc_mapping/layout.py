"""The mapping CSVs' layout, defined once: the columns written and the header spellings read
(see the package's docstring)."""

from __future__ import annotations

import re

DISCLAIMER = (
    "These mappings link each occupation to the SOC group its publishers judged the closest fit: "
    "the Institute for Apprenticeships and Technical Education (now part of Skills England) for "
    "SOC 2010, the Gatsby Charitable Foundation for the SOC 2020 extension sub-unit groups. They "
    "are a best-fit judgement, not an official coding by the Office for National Statistics, and "
    "one occupation may span several SOC groups. Read the ONS descriptions of the groups before "
    "relying on a mapping, for example in statistics, funding or labour market analysis."
)

SOC2010 = "soc2010"
SOC2020EXT = "soc2020ext"
SCHEMES = (SOC2010, SOC2020EXT)

#: The columns we write, in order.
COLUMNS = {
    SOC2010: [
        "occupation_code",
        "standard_reference",
        "occupation_title",
        "soc2010_code",
        "soc2010_title",
    ],
    SOC2020EXT: [
        "occupation_code",
        "standard_reference",
        "occupation_title",
        "soc2020_unit_group",
        "sub_unit_group_code",
        "sub_unit_group_title",
        "primary",
    ],
}

_COMMON_ALIASES = {
    "occupation_code": ["Occupation code", "OCC code", "stdCode"],
    "standard_reference": [
        "Standard reference",
        "Reference",
        "ST code",
        "referenceNumber",
        "Standard code",
    ],
    "occupation_title": [
        "Occupation title",
        "Title",
        "Occupation name",
        "Standard title",
        "Standard name",
        "Name",
    ],
}
#: Header spellings accepted on reading, besides the column names we write.
ALIASES = {
    SOC2010: _COMMON_ALIASES
    | {
        "soc2010_code": ["SOC 2010", "SOC code", "SOC2010 code", "soc_code", "SOC 2010 unit group"],
        "soc2010_title": ["SOC 2010 title", "SOC title", "SOC 2010 description", "SOC description"],
    },
    SOC2020EXT: _COMMON_ALIASES
    | {
        "soc2020_unit_group": ["SOC 2020", "SOC 2020 code", "SOC 2020 unit group", "Unit group"],
        "sub_unit_group_code": [
            "SOC 2020 ext",
            "Sub-unit group",
            "Sub-unit group code",
            "SUG code",
            "SUG",
        ],
        "sub_unit_group_title": [
            "Sub-unit group title",
            "SUG title",
            "SOC 2020 ext title",
            "Sub-unit group description",
        ],
        "primary": ["is_primary", "Primary SUG", "Primary flag"],
    },
}
REQUIRED = {SOC2010: ["soc2010_code"], SOC2020EXT: ["sub_unit_group_code", "primary"]}
OCCUPATION_COLUMNS = ["occupation_code", "standard_reference"]
TRUE = {"yes", "y", "true", "1"}
FALSE = {"no", "n", "false", "0"}
SOC_UNIT_RE = re.compile(r"^[1-9][0-9]{3}$")


def fold(header: str) -> str:
    """``SOC 2020 ext``, ``soc_2020_ext`` and ``SOC-2020-Ext`` all fold to ``soc2020ext``."""
    return re.sub(r"[\s_\-]+", "", header).lower()


def header_names(scheme: str) -> dict[str, str]:
    """Folded header spelling → our column name."""
    names = {}
    for column in COLUMNS[scheme]:
        for spelling in [column, *ALIASES[scheme].get(column, [])]:
            names[fold(spelling)] = column
    return names
