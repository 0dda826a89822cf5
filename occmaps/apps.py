from django.apps import AppConfig


class OccmapsConfig(AppConfig):
    name = "occmaps"
    verbose_name = "Data imports"
