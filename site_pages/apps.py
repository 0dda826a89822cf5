from django.apps import AppConfig


class SitePagesConfig(AppConfig):
    """The site's own pages (home, about, downloads, data quality) and the API's assembly."""

    name = "site_pages"
    verbose_name = "Site pages"
