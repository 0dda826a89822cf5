"""The real public data bundled in ``fixtures/``, put in the test database quickly.

The real importers load it once per test session (``load_bundled_data``, about ten seconds, most of
it reading the ONS coding index); every later load copies those rows back in bulk, in well under a
second (the values the importers wrote, except ``auto_now`` times, which are the copy's).
"""

from io import StringIO

from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.core.management.color import no_style
from django.db import connection, transaction

BUNDLED = settings.BASE_DIR / "fixtures"
MAPS = BUNDLED / "occupational-maps"
SOC = BUNDLED / "soc"
#: What ``load_bundled_data`` gives ``import_maps``: the index, the Digital route, the samples.
MAP_SOURCES = [MAPS / "index.json", MAPS / "digital", MAPS / "samples"]

#: One entry per model: its concrete columns and every row, as the importers left them.
_template: list[tuple[type, list[str], list[tuple]]] | None = None


#: The apps whose tables hold the map data (not Django's own: users, sessions, permissions).
DATA_APPS = {
    "core",
    "routes",
    "occupations",
    "socmapping",
    "changes",
    "importers",
    "site_pages",
}


def project_models() -> list[type]:
    """The models of the map data, with their many-to-many tables."""
    return [
        model
        for config in apps.get_app_configs()
        if config.name in DATA_APPS
        for model in config.get_models(include_auto_created=True)
        if not model._meta.proxy
    ]


def _empty() -> None:
    for model in reversed(project_models()):
        model._base_manager.all().delete()


def _take_template() -> list[tuple[type, list[str], list[tuple]]]:
    with transaction.atomic():
        _empty()  # whatever the first caller's test held is no part of the bundled data
        call_command("load_bundled_data", stdout=StringIO(), stderr=StringIO())
        template = []
        for model in project_models():
            columns = [field.attname for field in model._meta.concrete_fields]
            rows = list(model._base_manager.order_by("pk").values_list(*columns))
            template.append((model, columns, rows))
        transaction.set_rollback(True)  # leave the database as it was
    return template


def load_bundled() -> None:
    """Put the bundled real data, and nothing else, into the test database, in the caller's
    transaction."""
    global _template
    if _template is None:
        _template = _take_template()
    with transaction.atomic():
        _empty()  # the data version row that migrations make, or a test's own rows
        for model, columns, rows in _template:
            model._base_manager.bulk_create(
                [model(**dict(zip(columns, row, strict=True))) for row in rows], batch_size=2000
            )
        reset = connection.ops.sequence_reset_sql(no_style(), [m for m, _, _ in _template])
        if reset:
            with connection.cursor() as cursor:
                for statement in reset:
                    cursor.execute(statement)
