from django.contrib import admin

from socmapping.models import SocGroup, SocMapping, SubUnitGroup, SubUnitGroupMapping


@admin.register(SocGroup)
class SocGroupAdmin(admin.ModelAdmin):
    list_display = ["code", "title", "version", "level"]
    list_filter = ["version", "level"]
    search_fields = ["code", "title"]
    autocomplete_fields = ["parent"]


@admin.register(SubUnitGroup)
class SubUnitGroupAdmin(admin.ModelAdmin):
    list_display = ["code", "title", "unit_group"]
    list_select_related = ["unit_group"]
    search_fields = ["code", "title"]
    autocomplete_fields = ["unit_group"]


@admin.register(SocMapping)
class SocMappingAdmin(admin.ModelAdmin):
    list_display = ["occupation", "soc2010", "soc2020"]
    list_select_related = ["occupation", "soc2010", "soc2020"]
    search_fields = ["occupation__code", "occupation__title", "soc2010__code", "soc2020__code"]
    autocomplete_fields = ["occupation", "soc2010", "soc2020"]


@admin.register(SubUnitGroupMapping)
class SubUnitGroupMappingAdmin(admin.ModelAdmin):
    list_display = ["occupation", "sub_unit_group", "is_primary"]
    list_filter = ["is_primary"]
    list_select_related = ["occupation", "sub_unit_group"]
    search_fields = ["occupation__code", "sub_unit_group__code"]
    autocomplete_fields = ["occupation", "sub_unit_group"]
