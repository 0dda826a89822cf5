from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path

from site_pages import views
from site_pages.api import api

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("about/", views.about, name="about"),
    path("downloads/", views.downloads, name="downloads"),
    path("downloads/<str:name>", views.download_file, name="download_file"),
    path("api/", views.api_docs, name="api_docs"),
    path("api/v1/", views.api_root, name="api_root"),
    path("api/v1/", api.urls),
    re_path(r"^api/v1/", views.api_not_found),
    path("routes/", include("occupations.route_urls")),
    path("occupations/", include("occupations.urls")),
    path("soc/", include("socmapping.urls")),
    path("changes/", include("changes.urls")),
    path(
        f"{settings.ADMIN_URL}data-quality/",
        admin.site.admin_view(views.data_quality),
        name="data_quality",
    ),
    path(settings.ADMIN_URL, admin.site.urls),
]

admin.site.site_header = "Occupational maps: staff"
admin.site.site_title = "occmaps staff"
admin.site.index_title = "Maps, occupations and SOC mappings"
