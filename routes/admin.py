from django.contrib import admin
from django.db.models import Count

from core.admin_tools import CodeReadOnlyMixin, FormulaWarningMixin, RecordsReleasesMixin
from routes.models import Cluster, ClusterGroup, Pathway, Route


class CountsMixin:
    """Annotate each row with how much it holds; ``counts`` maps a column to its lookup."""

    counts: dict[str, str] = {}

    def get_queryset(self, request):
        annotations = {name: Count(lookup, distinct=True) for name, lookup in self.counts.items()}
        return super().get_queryset(request).annotate(**annotations)


class PathwayInline(admin.TabularInline):
    model = Pathway
    extra = 0
    fields = ["name", "sequence", "api_id"]
    readonly_fields = ["api_id"]
    show_change_link = True


@admin.register(Route)
class RouteAdmin(
    RecordsReleasesMixin, FormulaWarningMixin, CountsMixin, CodeReadOnlyMixin, admin.ModelAdmin
):
    source_codes = ("api_id",)
    counts = {"pathway_count": "pathways", "occupation_count": "pathways__clusters__occupations"}
    list_display = ["name", "sequence", "pathway_count", "occupation_count", "slug", "api_id"]
    list_editable = ["sequence"]
    ordering = ["sequence"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [PathwayInline]

    @admin.display(description="pathways", ordering="pathway_count")
    def pathway_count(self, obj):
        return obj.pathway_count

    @admin.display(description="occupations", ordering="occupation_count")
    def occupation_count(self, obj):
        return obj.occupation_count


class ClusterInline(admin.TabularInline):
    model = Cluster
    extra = 0
    fields = ["name", "row", "band", "sequence", "api_id"]
    readonly_fields = ["api_id"]
    show_change_link = True

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("row")

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if db_field.name == "row":
            pathway = request.resolver_match.kwargs.get("object_id")
            field.queryset = ClusterGroup.objects.filter(pathway_id=pathway).select_related(
                "pathway__route"
            )
            # Read the rows once for the whole formset, not once per cluster.
            field.choices = list(field.choices)
        return field


class ClusterGroupInline(admin.TabularInline):
    model = ClusterGroup
    extra = 0
    fields = ["sequence", "api_id"]
    readonly_fields = ["api_id"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("pathway")  # each row's name


@admin.register(Pathway)
class PathwayAdmin(
    RecordsReleasesMixin, FormulaWarningMixin, CountsMixin, CodeReadOnlyMixin, admin.ModelAdmin
):
    source_codes = ("api_id",)
    counts = {"cluster_count": "clusters", "occupation_count": "clusters__occupations"}
    list_display = ["name", "route", "sequence", "cluster_count", "occupation_count", "api_id"]
    list_editable = ["sequence"]
    list_filter = ["route"]
    list_select_related = ["route"]
    ordering = ["route__sequence", "sequence"]
    search_fields = ["name", "route__name"]
    inlines = [ClusterGroupInline, ClusterInline]

    @admin.display(description="clusters", ordering="cluster_count")
    def cluster_count(self, obj):
        return obj.cluster_count

    @admin.display(description="occupations", ordering="occupation_count")
    def occupation_count(self, obj):
        return obj.occupation_count


@admin.register(ClusterGroup)
class ClusterGroupAdmin(
    RecordsReleasesMixin, FormulaWarningMixin, CountsMixin, CodeReadOnlyMixin, admin.ModelAdmin
):
    source_codes = ("api_id",)
    counts = {"cluster_count": "clusters"}
    list_display = ["__str__", "pathway", "sequence", "cluster_count", "api_id"]
    list_editable = ["sequence"]
    list_filter = ["pathway__route"]
    list_select_related = ["pathway__route"]
    ordering = ["pathway__route__sequence", "pathway__sequence", "sequence"]
    search_fields = ["pathway__name"]
    autocomplete_fields = ["pathway"]

    @admin.display(description="clusters", ordering="cluster_count")
    def cluster_count(self, obj):
        return obj.cluster_count


@admin.register(Cluster)
class ClusterAdmin(
    RecordsReleasesMixin, FormulaWarningMixin, CountsMixin, CodeReadOnlyMixin, admin.ModelAdmin
):
    source_codes = ("api_id",)
    counts = {"occupation_count": "occupations"}
    list_display = ["name", "pathway", "band", "sequence", "occupation_count", "api_id"]
    list_editable = ["sequence"]
    list_filter = ["band", "pathway__route"]
    list_select_related = ["pathway__route"]
    ordering = ["pathway__route__sequence", "pathway__sequence", "band", "sequence"]
    search_fields = ["name", "pathway__name"]
    autocomplete_fields = ["pathway", "row"]

    @admin.display(description="occupations", ordering="occupation_count")
    def occupation_count(self, obj):
        return obj.occupation_count
