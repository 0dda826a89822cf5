from django.contrib import admin

from routes.models import Cluster, ClusterGroup, Pathway, Route


@admin.register(Route)
class RouteAdmin(admin.ModelAdmin):
    list_display = ["name", "sequence", "api_id", "slug"]
    list_editable = ["sequence"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Pathway)
class PathwayAdmin(admin.ModelAdmin):
    list_display = ["name", "route", "sequence", "api_id"]
    list_filter = ["route"]
    list_select_related = ["route"]
    search_fields = ["name"]


@admin.register(ClusterGroup)
class ClusterGroupAdmin(admin.ModelAdmin):
    list_display = ["__str__", "pathway", "sequence", "api_id"]
    list_filter = ["pathway__route"]
    list_select_related = ["pathway__route"]
    search_fields = ["pathway__name"]


@admin.register(Cluster)
class ClusterAdmin(admin.ModelAdmin):
    list_display = ["name", "pathway", "band", "sequence", "api_id"]
    list_filter = ["band", "pathway__route"]
    list_select_related = ["pathway"]
    search_fields = ["name", "pathway__name"]
    autocomplete_fields = ["pathway"]
