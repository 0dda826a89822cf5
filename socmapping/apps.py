from django.apps import AppConfig


class SocmappingConfig(AppConfig):
    name = "socmapping"
    verbose_name = "SOC codes and mappings"
