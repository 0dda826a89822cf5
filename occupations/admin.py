"""The admin for the people who keep the maps right between releases."""

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Count, Exists, OuterRef, Q
from django.forms.models import BaseInlineFormSet
from django.utils import timezone
from django.utils.html import format_html_join

from core.admin_tools import (
    CodeReadOnlyMixin,
    FormulaWarningMixin,
    KnownLabelsInlineMixin,
    RecordsReleasesMixin,
)
from occupations.models import (
    GreenSubTheme,
    GreenTheme,
    LocalEdit,
    Occupation,
    OccupationProduct,
    Product,
    Progression,
    TypicalJobTitle,
    green_condition,
)
from routes.models import BAND_LEVELS, TechnicalBand
from socmapping.models import SocMapping, SubUnitGroupMapping

#: Occupation form fields whose edits the next import keeps.
TRACKED_FIELDS = {choice.value for choice in LocalEdit.Field} & {
    f.name for f in Occupation._meta.get_fields()
}
#: Inline formsets (by model) and the list of the occupation they edit.
TRACKED_LISTS = {
    TypicalJobTitle: LocalEdit.Field.JOB_TITLES,
    OccupationProduct: LocalEdit.Field.PRODUCTS,
    SubUnitGroupMapping: LocalEdit.Field.SUB_UNIT_GROUPS,
    Progression: LocalEdit.Field.PROGRESSION,
}


class BandFilter(admin.SimpleListFilter):
    title = "band"
    parameter_name = "band"

    def lookups(self, request, model_admin):
        return [(str(b.value), f"{b.label} ({lo}–{hi})") for b, (lo, hi) in BAND_LEVELS.items()]

    def queryset(self, request, queryset):
        if self.value() in {"1", "2", "3"}:
            return queryset.filter(level__in=BAND_LEVELS[TechnicalBand(int(self.value()))])
        return queryset


class ProductTypeFilter(admin.SimpleListFilter):
    title = "product type"
    parameter_name = "product_type"

    def lookups(self, request, model_admin):
        return [(str(value), label) for value, label in Product.Type.choices]

    def queryset(self, request, queryset):
        if self.value() and self.value().isdigit():
            links = OccupationProduct.objects.filter(
                occupation=OuterRef("pk"), product__type=int(self.value())
            )
            return queryset.filter(Exists(links))
        return queryset


class YesNoFilter(admin.SimpleListFilter):
    def lookups(self, request, model_admin):
        return [("yes", "Yes"), ("no", "No")]

    def condition(self) -> Q:  # pragma: no cover - each filter has its own
        raise NotImplementedError

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(self.condition())
        if self.value() == "no":
            return queryset.exclude(self.condition())
        return queryset


class HasSoc2020Filter(YesNoFilter):
    title = "has SOC 2020"
    parameter_name = "has_soc2020"

    def condition(self):
        return Q(soc__soc2020__isnull=False)


class GreenFilter(YesNoFilter):
    title = "green"
    parameter_name = "green"

    def condition(self):
        return green_condition()


class TypicalJobTitleInline(admin.TabularInline):
    model = TypicalJobTitle
    extra = 0
    fields = ["name", "is_green", "sequence"]


class OccupationProductInline(KnownLabelsInlineMixin, admin.TabularInline):
    model = OccupationProduct
    extra = 0
    autocomplete_fields = ["product"]
    verbose_name = "product"


class SocMappingInline(KnownLabelsInlineMixin, admin.StackedInline):
    model = SocMapping
    also_select = ("occupation",)
    extra = 0
    max_num = 1
    can_delete = False
    autocomplete_fields = ["soc2010", "soc2020"]


class SubUnitGroupFormSet(BaseInlineFormSet):
    def clean(self):
        super().clean()
        kept = [
            form.cleaned_data
            for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE")
        ]
        primaries = sum(1 for data in kept if data.get("is_primary"))
        if kept and primaries != 1:
            raise ValidationError(
                f"{primaries} sub-unit groups are marked primary. Mark exactly one as primary."
            )


class SubUnitGroupMappingInline(KnownLabelsInlineMixin, admin.TabularInline):
    model = SubUnitGroupMapping
    formset = SubUnitGroupFormSet
    extra = 0
    autocomplete_fields = ["sub_unit_group"]
    also_select = ("occupation",)
    verbose_name = "SOC 2020 sub-unit group"


class ProgressionOutInline(KnownLabelsInlineMixin, admin.TabularInline):
    model = Progression
    fk_name = "from_occupation"
    extra = 0
    autocomplete_fields = ["to_occupation"]
    also_select = ("from_occupation",)
    fields = ["to_occupation", "directed", "added_by_staff"]
    readonly_fields = ["added_by_staff"]
    verbose_name = "progression link out"


@admin.register(Occupation)
class OccupationAdmin(
    RecordsReleasesMixin, FormulaWarningMixin, CodeReadOnlyMixin, admin.ModelAdmin
):
    source_codes = ("code",)
    list_display = ["code", "title", "level", "band_label", "status", "route", "cluster"]
    list_filter = [
        ("cluster__pathway__route", admin.RelatedOnlyFieldListFilter),
        ("cluster__pathway", admin.RelatedOnlyFieldListFilter),
        BandFilter,
        "level",
        "status",
        ProductTypeFilter,
        HasSoc2020Filter,
        GreenFilter,
    ]
    list_select_related = ["cluster__pathway__route"]
    search_fields = ["code", "title", "job_titles__name"]
    search_help_text = "Search by code, title or typical job title."
    autocomplete_fields = ["cluster"]
    filter_horizontal = ["green_themes"]
    readonly_fields = ["local_edits_summary", "updated_at"]
    fieldsets = [
        (None, {"fields": ["code", "title", "level", "status", "status_date", "version"]}),
        ("On the map", {"fields": ["cluster", "standard_reference", "green_themes"]}),
        ("Text", {"fields": ["overview", "summary", "involved_employers", "keywords"]}),
        ("Local edits", {"fields": ["local_edits_summary", "updated_at"]}),
    ]
    inlines = [
        TypicalJobTitleInline,
        OccupationProductInline,
        SocMappingInline,
        SubUnitGroupMappingInline,
        ProgressionOutInline,
    ]

    @admin.display(description="band", ordering="level")
    def band_label(self, obj):
        return TechnicalBand.for_level(obj.level).label

    @admin.display(description="route", ordering="cluster__pathway__route__sequence")
    def route(self, obj):
        return obj.cluster.pathway.route if obj.cluster else "-"

    @admin.display(description="fields edited here since the last import")
    def local_edits_summary(self, obj):
        if obj is None or obj.pk is None:
            return "-"
        edits = obj.local_edits.select_related("edited_by").order_by("field")
        if not edits:
            return "None: the next import may update every field."
        return format_html_join(
            "",
            "<p>{} since {}{}</p>",
            (
                (
                    e.get_field_display(),
                    timezone.localtime(e.edited_at).strftime("%-d %B %Y %H:%M"),
                    f" by {e.edited_by}" if e.edited_by else "",
                )
                for e in edits
            ),
        )

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change:
            edited = [name for name in form.changed_data if name in TRACKED_FIELDS]
            LocalEdit.record(obj, edited, request.user, timezone.now())

    def save_formset(self, request, form, formset, change):
        if formset.model is Progression:
            for inline_form in formset.forms:
                if not inline_form.instance.pk and inline_form.has_changed():
                    inline_form.instance.added_by_staff = True
        super().save_formset(request, form, formset, change)
        occupation = form.instance
        if change and formset.has_changed():
            if formset.model in TRACKED_LISTS:
                LocalEdit.record(
                    occupation, [TRACKED_LISTS[formset.model]], request.user, timezone.now()
                )
            if formset.model is SocMapping:
                changed = {name for f in formset.forms for name in f.changed_data}
                LocalEdit.record(
                    occupation,
                    [name for name in ("soc2010", "soc2020") if name in changed],
                    request.user,
                    timezone.now(),
                )
        if formset.model is SubUnitGroupMapping:
            warn_outside_unit_group(request, self, occupation)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        form.instance.refresh_search_text()


def warn_outside_unit_group(request, model_admin, occupation) -> None:
    """The published data itself sometimes maps outside the SOC 2020 unit group: warn only."""
    soc = SocMapping.objects.filter(occupation=occupation).select_related("soc2020").first()
    if not soc or not soc.soc2020:
        return
    outside = SubUnitGroupMapping.objects.filter(occupation=occupation).exclude(
        sub_unit_group__unit_group=soc.soc2020
    )
    codes = sorted(outside.values_list("sub_unit_group__code", flat=True))
    if codes:
        model_admin.message_user(
            request,
            f"Check the sub-unit groups {', '.join(codes)}: they are not in the occupation's "
            f"SOC 2020 unit group {soc.soc2020.code}. Saved anyway, as the published "
            "mappings sometimes do this.",
            level=messages.WARNING,
        )


@admin.register(Product)
class ProductAdmin(RecordsReleasesMixin, FormulaWarningMixin, CodeReadOnlyMixin, admin.ModelAdmin):
    source_codes = ("code",)
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    list_display = ["code", "name", "type", "level", "status_name", "occupation_count"]
    list_filter = ["type", "level", "status_name"]
    search_fields = ["code", "name"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(occupation_count=Count("occupation_links"))

    @admin.display(description="occupations", ordering="occupation_count")
    def occupation_count(self, obj):
        return obj.occupation_count


@admin.register(Progression)
class ProgressionAdmin(RecordsReleasesMixin, admin.ModelAdmin):
    list_display = ["from_occupation", "to_occupation", "directed", "added_by_staff"]
    list_filter = ["directed", "added_by_staff"]
    list_select_related = ["from_occupation", "to_occupation"]
    search_fields = ["from_occupation__code", "to_occupation__code", "from_occupation__title"]
    autocomplete_fields = ["from_occupation", "to_occupation"]
    readonly_fields = ["added_by_staff"]

    def save_model(self, request, obj, form, change):
        if not change:
            obj.added_by_staff = True
        super().save_model(request, obj, form, change)
        LocalEdit.record(obj.from_occupation, ["progression"], request.user, timezone.now())


class GreenSubThemeInline(admin.TabularInline):
    model = GreenSubTheme
    extra = 0


@admin.register(GreenTheme)
class GreenThemeAdmin(FormulaWarningMixin, CodeReadOnlyMixin, admin.ModelAdmin):
    source_codes = ("theme_id",)
    list_display = ["name", "theme_id"]
    search_fields = ["name", "sub_themes__name"]
    inlines = [GreenSubThemeInline]


@admin.register(TypicalJobTitle)
class TypicalJobTitleAdmin(RecordsReleasesMixin, FormulaWarningMixin, admin.ModelAdmin):
    list_display = ["name", "occupation", "is_green"]
    list_filter = ["is_green"]
    list_select_related = ["occupation"]
    search_fields = ["name", "occupation__code"]
    autocomplete_fields = ["occupation"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        LocalEdit.record(obj.occupation, ["job_titles"], request.user, timezone.now())
        obj.occupation.refresh_search_text()


@admin.register(LocalEdit)
class LocalEditAdmin(admin.ModelAdmin):
    list_display = ["occupation", "field", "edited_at", "edited_by"]
    list_filter = ["field"]
    list_select_related = ["occupation", "edited_by"]
    search_fields = ["occupation__code", "occupation__title"]
    date_hierarchy = "edited_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(OccupationProduct)
class OccupationProductAdmin(RecordsReleasesMixin, FormulaWarningMixin, admin.ModelAdmin):
    list_display = ["occupation", "product", "name"]
    list_select_related = ["occupation", "product"]
    search_fields = ["occupation__code", "product__code", "name"]
    autocomplete_fields = ["occupation", "product"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        LocalEdit.record(obj.occupation, ["products"], request.user, timezone.now())


@admin.register(GreenSubTheme)
class GreenSubThemeAdmin(FormulaWarningMixin, admin.ModelAdmin):
    list_display = ["name", "theme", "sub_theme_id"]
    list_select_related = ["theme"]
    search_fields = ["name", "theme__name"]
