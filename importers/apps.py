from django.apps import AppConfig


class ImportersConfig(AppConfig):
    """Every importer and export, and their management commands."""

    name = "importers"
    verbose_name = "Importers"
