from django.contrib import admin

from occupations.models import (
    GreenSubTheme,
    GreenTheme,
    Occupation,
    OccupationProduct,
    Product,
    Progression,
    TypicalJobTitle,
)


class TypicalJobTitleInline(admin.TabularInline):
    model = TypicalJobTitle
    extra = 0


class OccupationProductInline(admin.TabularInline):
    model = OccupationProduct
    extra = 0
    autocomplete_fields = ["product"]


class ProgressionOutInline(admin.TabularInline):
    model = Progression
    fk_name = "from_occupation"
    extra = 0
    autocomplete_fields = ["to_occupation"]
    verbose_name = "progression link out"


@admin.register(Occupation)
class OccupationAdmin(admin.ModelAdmin):
    list_display = ["code", "title", "level", "status", "cluster"]
    list_filter = ["status", "level", "cluster__pathway__route"]
    list_select_related = ["cluster"]
    search_fields = ["code", "title", "job_titles__name"]
    autocomplete_fields = ["cluster"]
    filter_horizontal = ["green_themes"]
    inlines = [TypicalJobTitleInline, OccupationProductInline, ProgressionOutInline]


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "type", "level", "status_name"]
    list_filter = ["type", "level"]
    search_fields = ["code", "name"]


@admin.register(Progression)
class ProgressionAdmin(admin.ModelAdmin):
    list_display = ["from_occupation", "to_occupation", "directed"]
    list_select_related = ["from_occupation", "to_occupation"]
    search_fields = ["from_occupation__code", "to_occupation__code"]
    autocomplete_fields = ["from_occupation", "to_occupation"]


class GreenSubThemeInline(admin.TabularInline):
    model = GreenSubTheme
    extra = 0


@admin.register(GreenTheme)
class GreenThemeAdmin(admin.ModelAdmin):
    list_display = ["name", "theme_id"]
    search_fields = ["name", "sub_themes__name"]
    inlines = [GreenSubThemeInline]


@admin.register(TypicalJobTitle)
class TypicalJobTitleAdmin(admin.ModelAdmin):
    list_display = ["name", "occupation", "is_green"]
    list_filter = ["is_green"]
    list_select_related = ["occupation"]
    search_fields = ["name", "occupation__code"]
    autocomplete_fields = ["occupation"]


@admin.register(OccupationProduct)
class OccupationProductAdmin(admin.ModelAdmin):
    list_display = ["occupation", "product", "name"]
    list_select_related = ["occupation", "product"]
    search_fields = ["occupation__code", "product__code", "name"]
    autocomplete_fields = ["occupation", "product"]
