from django.contrib import admin
from django.utils import timezone

from core.admin_tools import FormulaWarningMixin, RecordsReleasesMixin
from occupations.models import LocalEdit
from socmapping.models import (
    SocGroup,
    SocIndexEntry,
    SocIndexPair,
    SocMapping,
    SubUnitGroup,
    SubUnitGroupMapping,
)

CLASSIFICATION_PERMISSION = "socmapping.edit_soc_classification"


class ClassificationAdmin(RecordsReleasesMixin, FormulaWarningMixin, admin.ModelAdmin):
    """The ONS classification is read-only, but for staff with the specific permission."""

    def has_add_permission(self, request):
        return request.user.has_perm(CLASSIFICATION_PERMISSION)

    def has_change_permission(self, request, obj=None):
        return request.user.has_perm(CLASSIFICATION_PERMISSION)

    def has_delete_permission(self, request, obj=None):
        return request.user.has_perm(CLASSIFICATION_PERMISSION)


@admin.register(SocGroup)
class SocGroupAdmin(ClassificationAdmin):
    list_display = ["code", "title", "version", "level", "parent"]
    list_filter = ["version", "level"]
    list_select_related = ["parent"]
    search_fields = ["code", "title"]
    autocomplete_fields = ["parent"]


@admin.register(SubUnitGroup)
class SubUnitGroupAdmin(ClassificationAdmin):
    list_display = ["code", "title", "unit_group"]
    list_select_related = ["unit_group"]
    search_fields = ["code", "title"]
    autocomplete_fields = ["unit_group"]


@admin.register(SocIndexPair)
class SocIndexPairAdmin(ClassificationAdmin):
    list_display = ["soc2010", "soc2020", "index_entries"]
    list_select_related = ["soc2010", "soc2020"]
    search_fields = ["soc2010__code", "soc2020__code"]


@admin.register(SocMapping)
class SocMappingAdmin(RecordsReleasesMixin, FormulaWarningMixin, admin.ModelAdmin):
    list_display = ["occupation", "soc2010", "soc2020"]
    list_select_related = ["occupation", "soc2010", "soc2020"]
    search_fields = ["occupation__code", "occupation__title", "soc2010__code", "soc2020__code"]
    autocomplete_fields = ["occupation", "soc2010", "soc2020"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        edited = [name for name in ("soc2010", "soc2020") if name in form.changed_data]
        LocalEdit.record(obj.occupation, edited, request.user, timezone.now())


@admin.register(SubUnitGroupMapping)
class SubUnitGroupMappingAdmin(RecordsReleasesMixin, FormulaWarningMixin, admin.ModelAdmin):
    list_display = ["occupation", "sub_unit_group", "is_primary"]
    list_filter = ["is_primary"]
    list_select_related = ["occupation", "sub_unit_group"]
    search_fields = ["occupation__code", "sub_unit_group__code"]
    autocomplete_fields = ["occupation", "sub_unit_group"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        LocalEdit.record(obj.occupation, ["sub_unit_groups"], request.user, timezone.now())


@admin.register(SocIndexEntry)
class SocIndexEntryAdmin(ClassificationAdmin):
    list_display = ["title", "unit_group", "sub_unit_group"]
    list_select_related = ["unit_group", "sub_unit_group"]
    search_fields = ["title", "sub_unit_group__code", "unit_group__code"]
    autocomplete_fields = ["unit_group", "sub_unit_group"]
