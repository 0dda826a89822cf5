"""What each public view reads from the query string, for the page cache.

A view declares its query parameters with :func:`query_parameters`; the page cache
(``occmaps.middleware``) keeps only those, in a canonical order, both in the cache key and in
the request the view sees. Any other parameter is dropped before the view runs, so junk in a
query string neither renders a page again nor adds an entry to the cache. A view that declares
nothing is not cached at all.
"""

from collections.abc import Callable, Iterable

from django.http import QueryDict


def query_parameters(*names: str, filterset=None) -> Callable:
    """Declare the parameters a view reads: ``names``, and the filters of ``filterset`` (a
    django-filter ``FilterSet`` class) if given. ``@query_parameters()`` declares none."""
    known = frozenset(names) | frozenset(filterset.base_filters if filterset else ())

    def declare(view):
        view.query_parameters = known
        return view

    return declare


def canonical_query(query: QueryDict, known: Iterable[str]) -> str:
    """The known parameters of ``query`` sorted by name, each name's values in the order sent
    (the values' order can matter: the last ``q`` is the one a view reads)."""
    kept = QueryDict(mutable=True)
    for name in sorted(set(query) & set(known)):
        kept.setlist(name, query.getlist(name))
    return kept.urlencode()
