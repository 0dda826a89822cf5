"""The filters of the search page and the route map: all their state is in the query string."""

import re

import django_filters
from django import forms
from django.db import connection
from django.db.models import Exists, IntegerField, OuterRef, Q
from django.db.models.expressions import RawSQL
from django.urls import reverse

from occupations import search
from occupations.models import (
    Occupation,
    OccupationProduct,
    Product,
    green_condition,
    sub_unit_group_mappings,
)
from routes.models import BAND_LEVELS, Pathway, Route, TechnicalBand

LEVEL_CHOICES = [(level, f"Level {level}") for level in range(2, 8)]
BAND_CHOICES = [
    (band.value, f"{band.label} (levels {low} to {high})")
    for band, (low, high) in BAND_LEVELS.items()
]
PRODUCT_TYPE_CHOICES = Product.Type.choices
SORT_CHOICES = [
    ("relevance", "Best match"),
    ("title", "Title (A to Z)"),
    ("level", "Level (lowest first)"),
    ("-level", "Level (highest first)"),
    ("code", "Occupation code"),
]
MAX_QUERY_LENGTH = 200


class MapFilter(django_filters.FilterSet):
    """What narrows the cards on a route map."""

    status = django_filters.TypedMultipleChoiceFilter(
        choices=Occupation.Status.choices,
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        label="Status",
    )
    band = django_filters.TypedMultipleChoiceFilter(
        choices=BAND_CHOICES,
        coerce=int,
        method="filter_band",
        widget=forms.CheckboxSelectMultiple,
        label="Band",
    )
    product_type = django_filters.TypedMultipleChoiceFilter(
        choices=PRODUCT_TYPE_CHOICES,
        coerce=int,
        method="filter_product_type",
        widget=forms.CheckboxSelectMultiple,
        label="Product",
    )
    green = django_filters.BooleanFilter(
        method="filter_green", widget=forms.CheckboxInput, label="Only green occupations"
    )

    class Meta:
        model = Occupation
        fields: list[str] = []

    def filter_band(self, queryset, name, value):
        if not value:
            return queryset
        levels = [level for band in value for level in BAND_LEVELS[TechnicalBand(band)]]
        return queryset.filter(level__in=levels)

    def filter_product_type(self, queryset, name, value):
        if not value:
            return queryset
        links = OccupationProduct.objects.filter(occupation=OuterRef("pk"), product__type__in=value)
        return queryset.filter(Exists(links))

    def filter_green(self, queryset, name, value):
        return queryset.filter(green_condition()) if value else queryset


class OccupationFilter(MapFilter):
    """The search page: text, where on the maps, level, status, products and SOC codes."""

    q = django_filters.CharFilter(
        method="filter_text",
        label="Search",
        max_length=MAX_QUERY_LENGTH,
        help_text="A title, job title, keyword or occupation code",
    )
    route = django_filters.ModelChoiceFilter(
        queryset=Route.objects.order_by("sequence"),
        field_name="cluster__pathway__route",
        to_field_name="slug",
        empty_label="All routes",
        label="Route",
    )
    pathway = django_filters.ModelChoiceFilter(
        queryset=Pathway.objects.select_related("route").order_by("route__sequence", "sequence"),
        field_name="cluster__pathway",
        to_field_name="api_id",
        empty_label="All pathways",
        label="Pathway",
    )
    level = django_filters.TypedMultipleChoiceFilter(
        choices=LEVEL_CHOICES, coerce=int, widget=forms.CheckboxSelectMultiple, label="Level"
    )
    soc2010 = django_filters.CharFilter(
        method="filter_soc2010", label="SOC 2010 unit group", max_length=4
    )
    soc2020 = django_filters.CharFilter(
        method="filter_soc2020",
        label="SOC 2020 unit or sub-unit group",
        max_length=7,
        help_text="For example 3544 or 3544/00",
    )
    green_theme = django_filters.NumberFilter(
        field_name="green_themes__theme_id", label="Green theme", widget=forms.HiddenInput
    )
    sort = django_filters.ChoiceFilter(
        choices=SORT_CHOICES, method="filter_sort", label="Sort by", empty_label=None
    )

    class Meta:
        model = Occupation
        fields: list[str] = []

    # The form's order: the search box first (on a phone the filters otherwise push it below two
    # dozen checkboxes), then where on the maps, then the map's own filters.
    FIELD_ORDER = (
        "q",
        "route",
        "pathway",
        "level",
        "band",
        "status",
        "product_type",
        "green",
        "soc2010",
        "soc2020",
        "green_theme",
        "sort",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        #: What the text search found (``occupations.search.Found``), once it has run.
        self.found = None
        # A filter missing from FIELD_ORDER still shows, at the end.
        self.filters = {name: self.filters[name] for name in self.FIELD_ORDER} | self.filters
        # The suggestions' script (static/js/search-suggest.js) finds the box by this.
        self.form.fields["q"].widget.attrs["data-suggest-url"] = reverse("api:suggest")
        self.form.fields["pathway"].label_from_instance = lambda p: f"{p.route}: {p.name}"

    def filter_text(self, queryset, name, value):
        """Codes, titles, job titles and the ONS coding index: see ``occupations.search``."""
        value = " ".join(value.split())
        if not value:
            return queryset
        self.found = search.find(value)
        ids = self.found.ids
        if not ids:
            return queryset.none()
        # The rank of each id, as one simple CASE written out at once: a ``Case`` of ``When``
        # objects is resolved expression by expression, which for the hundreds of ids a common
        # word finds cost more than the search itself.
        quote = connection.ops.quote_name
        column = f"{quote(Occupation._meta.db_table)}.{quote('id')}"
        order = RawSQL(  # noqa: S611 (the ids and positions are parameters)
            f"CASE {column} {' '.join(['WHEN %s THEN %s'] * len(ids))} END",
            [part for position, pk in enumerate(ids) for part in (pk, position)],
            output_field=IntegerField(),
        )
        return queryset.filter(pk__in=ids).annotate(rank=order).order_by("rank")

    def filter_soc2010(self, queryset, name, value):
        return queryset.filter(soc__soc2010__code=value) if value else queryset

    def filter_soc2020(self, queryset, name, value):
        if not value:
            return queryset
        if "/" in value:
            links = sub_unit_group_mappings().filter(
                occupation=OuterRef("pk"), sub_unit_group__code=value
            )
            return queryset.filter(Exists(links))
        links = sub_unit_group_mappings().filter(
            occupation=OuterRef("pk"), sub_unit_group__unit_group__code=value
        )
        return queryset.filter(Q(soc__soc2020__code=value) | Q(Exists(links)))

    def filter_sort(self, queryset, name, value):
        return queryset  # applied last, by sorted_queryset()

    def clean_code(self, field: str, pattern: str, message: str):
        value = self.form.cleaned_data.get(field)
        if value and not re.fullmatch(pattern, value):
            self.form.add_error(field, message)

    def is_valid(self):
        valid = super().is_valid()
        if valid:
            self.clean_code("soc2010", r"[1-9][0-9]{3}", "Enter a four-digit SOC 2010 unit group")
            self.clean_code(
                "soc2020",
                r"[1-9][0-9]{3}(/[0-9]{2})?",
                "Enter a four-digit SOC 2020 unit group, or a sub-unit group like 3544/00",
            )
        return valid and not self.form.errors

    def sorted_queryset(self):
        queryset = self.qs
        sort = self.form.cleaned_data.get("sort") or "relevance"
        text = self.form.cleaned_data.get("q")
        if sort == "relevance":
            if text:
                return queryset  # already ordered by rank
            return queryset.order_by("title", "code")
        return (
            queryset.order_by(sort, "title", "code")
            if sort != "code"
            else queryset.order_by("code")
        )
