"""A picture of the whole database, to prove that a rejected import changed nothing."""

from django.db import connection

from tests.bundled import project_models


def db_snapshot() -> dict:
    """Every row of every table of the map data (the project's own apps, their many-to-many
    tables included), as the database returns it, ordered by primary key."""
    picture = {}
    with connection.cursor() as cursor:
        for model in project_models():
            table = connection.ops.quote_name(model._meta.db_table)
            key = connection.ops.quote_name(model._meta.pk.column)
            cursor.execute(f"SELECT * FROM {table} ORDER BY {key}")  # noqa: S608
            picture[model._meta.label] = cursor.fetchall()
    return picture


def data_snapshot() -> dict:
    """Like :func:`db_snapshot` without the bookkeeping: the import records (a rejected import is
    recorded) and the data version (every successful import starts a new one)."""
    picture = db_snapshot()
    picture.pop("occmaps.ImportRecord")
    picture.pop("occmaps.DataVersion")
    return picture
