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

#: One entry per table: the model, its columns and every row as the database holds them.
_template: list[tuple[type, list[str], object]] | None = None


#: The apps whose tables hold the map data: the project's own, which INSTALLED_APPS lists from
#: ``core`` on (not Django's: users, sessions, permissions).
DATA_APPS = set(settings.INSTALLED_APPS[settings.INSTALLED_APPS.index("core") :])


def project_models() -> list[type]:
    """The models of the map data, with their many-to-many tables."""
    return [
        model
        for config in apps.get_app_configs()
        if config.name in DATA_APPS
        for model in config.get_models(include_auto_created=True)
        if not model._meta.proxy
    ]


def _tables() -> list[tuple[type, str, list[str]]]:
    return [
        (model, model._meta.db_table, [field.column for field in model._meta.concrete_fields])
        for model in project_models()
    ]


def _empty() -> None:
    """Delete every row of the map data, in one statement a table (the foreign keys are
    deferred, so the order does not matter within the transaction)."""
    with connection.cursor() as cursor:
        for _, table, _ in reversed(_tables()):
            cursor.execute(f"DELETE FROM {connection.ops.quote_name(table)}")  # noqa: S608


def _select(table: str, columns: list[str]) -> str:
    quoted = ", ".join(connection.ops.quote_name(column) for column in columns)
    return f"SELECT {quoted} FROM {connection.ops.quote_name(table)}"  # noqa: S608


def _take_template() -> list[tuple[type, list[str], object]]:
    """The rows the importers write, as the database holds them: PostgreSQL's COPY text, or
    SQLite's stored values (JSON as text, dates as ISO text), so nothing is converted twice."""
    with transaction.atomic():
        _empty()  # whatever the first caller's test held is no part of the bundled data
        call_command("load_bundled_data", stdout=StringIO(), stderr=StringIO())
        template = []
        with connection.cursor() as cursor:
            for model, table, columns in _tables():
                if connection.vendor == "postgresql":
                    with cursor.copy(f"COPY ({_select(table, columns)}) TO STDOUT") as copy:
                        rows = b"".join(bytes(block) for block in copy)
                else:
                    cursor.execute(_select(table, columns))
                    rows = cursor.fetchall()
                template.append((model, columns, rows))
        transaction.set_rollback(True)  # leave the database as it was
    return template


def load_bundled() -> None:
    """Put the bundled real data, and nothing else, into the test database, in the caller's
    transaction."""
    global _template
    if _template is None:
        _template = _take_template()
    with transaction.atomic(), connection.cursor() as cursor:
        _empty()  # the data version row that migrations make, or a test's own rows
        for model, columns, rows in _template:
            if not rows:
                continue
            table = connection.ops.quote_name(model._meta.db_table)
            quoted = ", ".join(connection.ops.quote_name(column) for column in columns)
            if connection.vendor == "postgresql":
                with cursor.copy(f"COPY {table} ({quoted}) FROM STDIN") as copy:
                    copy.write(rows)
            else:
                marks = ", ".join(["%s"] * len(columns))
                cursor.executemany(f"INSERT INTO {table} ({quoted}) VALUES ({marks})", rows)  # noqa: S608
        reset = connection.ops.sequence_reset_sql(no_style(), [m for m, _, _ in _template])
        for statement in reset:
            cursor.execute(statement)
