"""The codes of the problems and notes the importers leave: what code (the data-quality page,
a benchmark) reads instead of the wording. Pages may import this module and
``importers.exports``, nothing else of the importers."""

#: A progression link not made: one end is in neither the import nor the database.
#: Its value: ``{"from": code, "to": code, "missing": code}``.
UNLINKED_PROGRESSION = "progression.unlinked"
#: A green theme id no theme in the import or the database has.
#: Its value: ``{"occupation": code, "green_theme": id}``.
UNLINKED_GREEN_THEME = "green_theme.unlinked"
