"""The SOC mapping CSVs: which SOC 2010 unit group (IfATE) and which SOC 2020 extension sub-unit
groups (Gatsby) each occupation maps to. Read, check, write in one transaction; and export.

The layout we write (``export_soc_mapping``) and read back unchanged
---------------------------------------------------------------------

UTF-8 without a byte order mark, comma-separated, fields quoted only when they need it, lines
ending in ``\\n``, the first line the header. Rows are sorted by occupation code (then, for
``soc2020ext``, the primary sub-unit group first and the rest by code).

``--scheme soc2010``: one row per occupation with a SOC 2010 unit group::

    occupation_code,standard_reference,occupation_title,soc2010_code,soc2010_title
    OCC0118,ST0118,Data analyst,3539,Business and related associate professionals n.e.c.

``--scheme soc2020ext``: one row per occupation and sub-unit group, exactly one row per
occupation marked primary::

    occupation_code,standard_reference,occupation_title,soc2020_unit_group,sub_unit_group_code,sub_unit_group_title,primary
    OCC0118,ST0118,Data analyst,3544,3544/00,Data analysts,yes
    OCC0118,ST0118,Data analyst,2433,2433/04,Statistical data scientists,no

- ``occupation_code``: the occupation (``OCC0118``, variants ``OCC0119A``).
- ``standard_reference``: its apprenticeship standard (``ST0118``); empty when it has none.
- ``soc2010_code``: a four-digit SOC 2010 unit group; ``sub_unit_group_code``: a SOC 2020
  extension sub-unit group (``3544/00``); ``soc2020_unit_group``: its four-digit unit group.
- ``primary``: ``yes`` or ``no``.
- The titles are there for people reading the file; an import does not write them.

What an import accepts
----------------------

Published copies name their columns differently, so headers are matched ignoring case, spaces,
underscores and hyphens (``SOC 2020 ext`` = ``soc_2020_ext``), and these names are accepted:

- occupation code: ``occupation_code``, ``Occupation code``, ``OCC code``, ``stdCode``;
- standard reference: ``standard_reference``, ``Standard reference``, ``Reference``, ``ST code``,
  ``referenceNumber``, ``Reference number``, ``Standard code``;
- occupation title: ``occupation_title``, ``Occupation title``, ``Title``, ``Occupation name``,
  ``Standard title``, ``Standard name``, ``Name``;
- SOC 2010 unit group: ``soc2010_code``, ``SOC 2010``, ``SOC code``, ``SOC2010 code``,
  ``soc_code``, ``SOC 2010 unit group``; its title: ``soc2010_title``, ``SOC 2010 title``,
  ``SOC title``, ``SOC 2010 description``, ``SOC description``;
- SOC 2020 unit group: ``soc2020_unit_group``, ``SOC 2020``, ``SOC 2020 code``,
  ``SOC 2020 unit group``, ``Unit group``;
- sub-unit group: ``sub_unit_group_code``, ``SOC 2020 ext``, ``SOC_2020_ext``,
  ``Sub-unit group``, ``Sub-unit group code``, ``SUG code``, ``SUG``; its title:
  ``sub_unit_group_title``, ``Sub-unit group title``, ``SUG title``, ``SOC 2020 ext title``,
  ``Sub-unit group description``;
- primary: ``primary``, ``Primary``, ``is_primary``, ``Primary SUG``, ``Primary flag``, with the
  values ``yes``/``no``, ``true``/``false``, ``y``/``n``, ``1``/``0`` in any case.

Required: an occupation code or a standard reference column, and ``soc2010`` the SOC 2010 code,
``soc2020ext`` the sub-unit group and primary columns. Other columns are ignored (and named in a
note). A UTF-8 byte order mark (as Excel writes) is accepted; blank lines are skipped.

An occupation is found by its code; a row without one by its standard reference (the occupation's
own, or the code of an apprenticeship product listed for it), which must name exactly one
occupation: a standard with options (ST0119) needs the occupation code.

The file is the whole mapping for the occupations it names: ``soc2010`` sets each one's SOC 2010
unit group, ``soc2020ext`` replaces each one's sub-unit groups. Occupations the file does not
name are left alone. Every code must already be in the database (``import_maps`` or
``import_soc``). Any problem (a missing column, an unknown occupation or code, a duplicate row,
not exactly one primary sub-unit group, a file that is not UTF-8 CSV) rejects the whole file.
"""

from importers.soc_mapping.export import export_csv, export_rows, write_csv
from importers.soc_mapping.layout import (
    COLUMNS,
    DISCLAIMER,
    SCHEMES,
    SOC2010,
    SOC2020EXT,
    fold,
    header_names,
)
from importers.soc_mapping.read import MappingData, MappingFile, read_bytes, read_file
from importers.soc_mapping.write import MappingWriter

__all__ = [
    "COLUMNS",
    "DISCLAIMER",
    "SCHEMES",
    "SOC2010",
    "SOC2020EXT",
    "MappingData",
    "MappingFile",
    "MappingWriter",
    "export_csv",
    "export_rows",
    "fold",
    "header_names",
    "read_bytes",
    "read_file",
    "write_csv",
]
