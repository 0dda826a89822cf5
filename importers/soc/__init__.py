"""The ONS SOC files: read and check every file, then write in one transaction.

Files are told apart by their content, not their names:

- **SOC 2020 Volume 1**, a workbook with a sheet "SOC2020 descriptions": the SOC 2020 hierarchy
  (major, sub-major, minor and unit groups) with titles, descriptions, typical entry routes,
  tasks and related job titles. Headers have line breaks and double spaces inside
  (``'SOC\\n2020 Major Group'``) and empty cells hold ``<blank>``.
- **The SOC 2020 coding index**, a workbook with a sheet "SOC2020 coding index" (~32,000 rows,
  read as a stream): the SOC 2020 extension sub-unit groups, the SOC 2010 unit groups and their
  titles, and how often the index's entries pair a SOC 2010 unit group with a SOC 2020 one.
  Rows holding the placeholder ``}}}}`` in a code column ("see another indexing word") are
  skipped and counted.
- **The SOC 2010 structure**, a CSV whose header is ``code,level,title``.

Other files are skipped and named; a directory's own files are read, not its folders. Where
sources overlap, Volume 1 gives SOC 2020 titles and the SOC 2010 structure gives SOC 2010 titles;
the coding index's unit group titles only create a group or fill an empty title.
"""

from importers.soc.data import SocData
from importers.soc.read import read_paths, split_items
from importers.soc.write import SocWriter

__all__ = ["SocData", "SocWriter", "read_paths", "split_items"]
