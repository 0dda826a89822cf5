"""A picture of the whole database, to prove that a rejected import changed nothing."""

from django.apps import apps

APPS = ("occmaps", "routes", "occupations", "socmapping")


def db_snapshot() -> dict:
    """Every row of every model of ours, as plain values, ordered by primary key."""
    picture = {}
    for label in APPS:
        for model in apps.get_app_config(label).get_models():
            picture[model._meta.label] = list(model.objects.order_by("pk").values())
            for field in model._meta.many_to_many:
                through = getattr(model, field.name).through
                picture[through._meta.label] = list(through.objects.order_by("pk").values())
    return picture


def data_snapshot() -> dict:
    """Like :func:`db_snapshot` without the bookkeeping: the import records (a rejected import is
    recorded) and the data version (every successful import starts a new one)."""
    picture = db_snapshot()
    picture.pop("occmaps.ImportRecord")
    picture.pop("occmaps.DataVersion")
    return picture
