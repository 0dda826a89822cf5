"""Occupations, their job titles, products, green themes and progression links."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Count, Exists, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse

from core import textsearch
from routes.models import TechnicalBand

OCCUPATION_CODE_RE = r"^OCC[0-9]{4}[A-Z]?$"
validate_occupation_code = RegexValidator(
    OCCUPATION_CODE_RE, "An occupation code is OCC, four digits and an optional letter (OCC0118)."
)


class GreenTheme(models.Model):
    """A green theme (Energy and Networks, ...). Occupations name themes by these ids."""

    theme_id = models.PositiveIntegerField("API id", unique=True)
    name = models.CharField(max_length=200)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("occupations:list") + f"?green_theme={self.theme_id}"

    def natural_key(self) -> tuple[int]:
        return (self.theme_id,)


class GreenSubTheme(models.Model):
    """A sub-theme of a green theme. Its ids are a separate series from the themes' ids."""

    theme = models.ForeignKey(GreenTheme, on_delete=models.CASCADE, related_name="sub_themes")
    sub_theme_id = models.PositiveIntegerField("API id")
    name = models.CharField(max_length=200)

    class Meta:
        ordering = ["theme", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["theme", "sub_theme_id"], name="green_sub_theme_unique_in_theme"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.theme} › {self.name}"

    def get_absolute_url(self) -> str:
        return self.theme.get_absolute_url()


class OccupationQuerySet(models.QuerySet):
    def approved(self):
        return self.filter(status=Occupation.Status.APPROVED)

    def in_route(self, route):
        return self.filter(cluster__pathway__route=route)

    def with_map_place(self):
        """Everything needed to say where an occupation sits on its route map."""
        return self.select_related("cluster__row", "cluster__pathway__route")

    def green(self):
        return self.filter(green_condition())

    def with_card_data(self):
        """What an occupation card shows besides its own fields, in the same query:
        the number of progression links and whether it is green."""
        return self.annotate(
            progression_count=_count_of(Progression, "from_occupation")
            + _count_of(Progression, "to_occupation")
            + _count_of(UnloadedProgression, "occupation", UnloadedProgression.objects.unloaded()),
            is_green=Exists(
                TypicalJobTitle.objects.filter(occupation=OuterRef("pk"), is_green=True)
            )
            | Exists(Occupation.green_themes.through.objects.filter(occupation=OuterRef("pk"))),
        )


def _count_of(model, field: str, queryset=None):
    rows = (
        (model.objects if queryset is None else queryset)
        .filter(**{field: OuterRef("pk")})
        .order_by()
        .values(field)
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(rows), 0)


def green_condition() -> Q:
    """An occupation is green if one of its job titles is flagged green or it has a green theme."""
    titles = TypicalJobTitle.objects.filter(occupation=OuterRef("pk"), is_green=True)
    themes = Occupation.green_themes.through.objects.filter(occupation=OuterRef("pk"))
    return Q(Exists(titles)) | Q(Exists(themes))


def attach_product_types(occupations) -> None:
    """Give each occupation ``product_types``: the sorted product types it has, and
    ``product_markers``: (type, state) pairs, the state "live", "in-development" or "retired"
    (one query)."""
    by_id = {o.pk: o for o in occupations}
    for occupation in by_id.values():
        occupation.product_types = []
        occupation.product_markers = []
    if not by_id:
        return
    rows = (
        OccupationProduct.objects.filter(occupation_id__in=by_id)
        .values_list("occupation_id", "product__type", "product__status_name")
        .distinct()
    )
    for occupation_id, product_type, status_name in rows:
        occupation = by_id[occupation_id]
        kind = Product.Type(product_type)
        if kind not in occupation.product_types:
            occupation.product_types.append(kind)
        marker = (kind, Product.state_of(status_name))
        if marker not in occupation.product_markers:
            occupation.product_markers.append(marker)
    for occupation in by_id.values():
        occupation.product_types.sort()
        occupation.product_markers.sort(key=lambda m: (m[0], PRODUCT_STATES.index(m[1])))


#: A product's state, from its status name: in delivery (or no status, as HTQs), being
#: developed, or retired.
PRODUCT_STATES = ["live", "in-development", "retired"]


class OccupationManager(models.Manager.from_queryset(OccupationQuerySet)):
    def get_by_natural_key(self, code: str):
        return self.get(code=code)


class OccupationStatus(models.IntegerChoices):
    """The Occupational Maps API's status numbers and names."""

    APPROVED = 1, "Approved occupation"
    IN_DEVELOPMENT = 2, "Occupational standard in development"
    POTENTIAL = 3, "Potential occupational standard"
    WITHOUT_APPRENTICESHIP = 4, "Occupational standard without apprenticeship"


class Occupation(models.Model):
    # The choices live beside the model so that its constraints can derive from them.
    Status = OccupationStatus

    code = models.CharField(
        max_length=12, unique=True, validators=[validate_occupation_code], help_text="OCC0118"
    )
    title = models.CharField(max_length=300)
    level = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(2), MaxValueValidator(7)]
    )
    status = models.PositiveSmallIntegerField(choices=Status.choices)
    version = models.CharField(max_length=20, blank=True)
    status_date = models.DateField(
        null=True, blank=True, help_text="When the status last changed; empty when unknown."
    )
    standard_reference = models.CharField(
        max_length=20, blank=True, help_text="The apprenticeship standard's reference (ST0118)."
    )
    overview = models.TextField(blank=True)
    summary = models.TextField(blank=True, help_text="Sanitised HTML.")
    involved_employers = models.TextField(blank=True)
    keywords = models.JSONField(default=list, blank=True)
    search_text = models.TextField(
        blank=True,
        editable=False,
        help_text="Job titles and keywords, kept together for the search page.",
    )
    # The title, job titles and keywords folded for the search (core.textsearch); the search
    # reads it with LIKE, which a trigram index answers on PostgreSQL (created by migration
    # 0004 there only, as SQLite has no such index).
    search_document = models.TextField(blank=True, editable=False)
    cluster = models.ForeignKey(
        "routes.Cluster",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="occupations",
    )
    green_themes = models.ManyToManyField(GreenTheme, blank=True, related_name="occupations")
    products = models.ManyToManyField(
        "Product", through="OccupationProduct", blank=True, related_name="occupations"
    )
    updated_at = models.DateTimeField(auto_now=True)

    objects = OccupationManager()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(level__gte=2, level__lte=7), name="occupation_level_2_to_7"
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=OccupationStatus.values),
                name="occupation_status_known",
            ),
        ]
        indexes = [
            # Search and filters: "level" and "status" narrow the occupation list and route map.
            models.Index(fields=["status", "level"], name="occupation_status_level_idx"),
            # The search page sorts by title by default.
            models.Index(fields=["title"], name="occupation_title_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.code})"

    def save(self, *args, **kwargs):
        self.search_document = self.make_search_document(self.title, self.search_text)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and {"title", "search_text"} & set(update_fields):
            kwargs["update_fields"] = {*update_fields, "search_document"}
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("occupations:detail", args=[self.code])

    def natural_key(self) -> tuple[str]:
        return (self.code,)

    @property
    def band(self) -> TechnicalBand:
        return TechnicalBand.for_level(self.level)

    def clean(self):
        super().clean()
        if self.cluster_id and self.level:
            low, high = self.cluster.levels
            if not low <= self.level <= high:
                raise ValidationError(
                    {
                        "level": f"Level {self.level} is outside the cluster's band "
                        f"({TechnicalBand(self.cluster.band).label}, levels {low} to {high}). "
                        f"Choose a level from {low} to {high}, or move the occupation to a "
                        "cluster in the right band."
                    }
                )

    @staticmethod
    def make_search_text(job_titles, keywords) -> str:
        return " ".join([*job_titles, *keywords])

    @staticmethod
    def make_search_document(title: str, search_text: str) -> str:
        return textsearch.document(title, search_text)

    def refresh_search_text(self, *, save: bool = True) -> None:
        """Rebuild ``search_text`` from the job titles and keywords (after an edit)."""
        titles = self.job_titles.order_by("sequence", "name").values_list("name", flat=True)
        self.search_text = self.make_search_text(titles, self.keywords)
        self.search_document = self.make_search_document(self.title, self.search_text)
        if save:
            Occupation.objects.filter(pk=self.pk).update(
                search_text=self.search_text, search_document=self.search_document
            )


class TypicalJobTitle(models.Model):
    occupation = models.ForeignKey(Occupation, on_delete=models.CASCADE, related_name="job_titles")
    name = models.CharField(max_length=300)
    is_green = models.BooleanField("green", default=False)
    sequence = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["occupation", "sequence", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["occupation", "name"], name="job_title_unique_in_occupation"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return self.occupation.get_absolute_url()


class ProductType(models.IntegerChoices):
    APPRENTICESHIP = 1, "Apprenticeship"
    HTQ = 2, "HTQ"
    T_LEVEL = 3, "T Level"
    TQ = 4, "TQ"
    FOUNDATION_APPRENTICESHIP = 5, "Foundation Apprenticeship"
    APPRENTICESHIP_UNIT = 6, "Apprenticeship Unit"


class Product(models.Model):
    """An apprenticeship, T Level, HTQ, ... that trains for one or more occupations."""

    Type = ProductType

    code = models.CharField(max_length=30, unique=True, help_text="ST0118, HTQDZ0005, TL0021a")
    name = models.CharField(max_length=400)
    type = models.PositiveSmallIntegerField(choices=Type.choices)
    level = models.PositiveSmallIntegerField(null=True, blank=True)
    status = models.PositiveSmallIntegerField(null=True, blank=True)
    status_name = models.CharField(max_length=100, blank=True)
    career_starter = models.BooleanField(default=False)
    qualification_category = models.CharField(max_length=200, blank=True)
    # Filled from the apprenticeship standards JSON.
    lars_code = models.PositiveIntegerField("LARS code", null=True, blank=True)
    typical_duration_months = models.PositiveSmallIntegerField(null=True, blank=True)
    max_funding = models.PositiveIntegerField("maximum funding (£)", null=True, blank=True)
    eqa_provider = models.CharField("EQA provider", max_length=300, blank=True)
    approved_for_delivery = models.DateField(null=True, blank=True)
    standard_url = models.URLField("standard page", max_length=500, blank=True)
    duties_count = models.PositiveSmallIntegerField(null=True, blank=True)
    ksbs_count = models.PositiveSmallIntegerField("KSBs", null=True, blank=True)
    latest_version = models.CharField(max_length=20, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(type__in=ProductType.values), name="product_type_known"
            ),
        ]
        indexes = [
            # Route map and search filter cards by product type.
            models.Index(fields=["type"], name="product_type_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    def get_absolute_url(self) -> str:
        return reverse("occupations:list") + f"?product_type={self.type}"

    def natural_key(self) -> tuple[str]:
        return (self.code,)

    @staticmethod
    def state_of(status_name: str) -> str:
        """The state ("live", "in-development" or "retired") a status name gives."""
        name = (status_name or "").lower()
        if "retired" in name or "withdrawn" in name:
            return "retired"
        if "development" in name or "proposal" in name:
            return "in-development"
        return "live"

    @property
    def state(self) -> str:
        return self.state_of(self.status_name)


class OccupationProduct(models.Model):
    """A product listed for an occupation. The name can differ by occupation (a standard's
    options are listed under the occupation each one trains for)."""

    occupation = models.ForeignKey(
        Occupation, on_delete=models.CASCADE, related_name="product_links"
    )
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="occupation_links")
    name = models.CharField(max_length=400, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["occupation", "product"], name="occupation_product_unique"
            ),
        ]

    def __str__(self) -> str:
        return self.name or self.product.name


class Progression(models.Model):
    """A link between two occupations on the progression map.

    The published snapshot lists neighbours without a direction: such a pair is stored once, from
    the lower level to the higher (``directed`` false). The live API's edges keep their direction.
    """

    from_occupation = models.ForeignKey(
        Occupation, on_delete=models.CASCADE, related_name="progressions_out"
    )
    to_occupation = models.ForeignKey(
        Occupation, on_delete=models.CASCADE, related_name="progressions_in"
    )
    directed = models.BooleanField(default=False)
    added_by_staff = models.BooleanField(
        default=False, help_text="Added in the admin: imports never remove it."
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["from_occupation", "to_occupation"], name="progression_unique"
            ),
            models.CheckConstraint(
                condition=~models.Q(from_occupation=models.F("to_occupation")),
                name="progression_not_to_itself",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.from_occupation.code} → {self.to_occupation.code}"

    def get_absolute_url(self) -> str:
        return self.from_occupation.get_absolute_url()

    def clean(self):
        super().clean()
        if self.from_occupation_id and self.from_occupation_id == self.to_occupation_id:
            raise ValidationError(
                {"to_occupation": "An occupation cannot progress to itself: choose another one."}
            )


class UnloadedProgressionQuerySet(models.QuerySet):
    def unloaded(self):
        """Those whose occupation is still not loaded (once it is, the import links it)."""
        return self.exclude(Exists(Occupation.objects.filter(code=OuterRef("code"))))


class UnloadedProgression(models.Model):
    """A progression entry of an occupation whose other end is not loaded on this site.

    The source names the other occupation (code, title, level, status) but the import does not
    hold it, so there is no :class:`Progression` to make; the entry is kept as the source gives it
    so that the occupation's page, its tile and the data-quality page still show it.
    """

    occupation = models.ForeignKey(
        Occupation, on_delete=models.CASCADE, related_name="unloaded_links"
    )
    code = models.CharField(max_length=12, validators=[validate_occupation_code])
    title = models.CharField(max_length=300, blank=True)
    level = models.PositiveSmallIntegerField(null=True, blank=True)
    status = models.PositiveSmallIntegerField(
        choices=OccupationStatus.choices, null=True, blank=True
    )

    objects = UnloadedProgressionQuerySet.as_manager()

    #: Pages list these beside loaded neighbours, which have no such attribute.
    not_loaded = True

    class Meta:
        verbose_name = "progression link to an occupation not loaded"
        constraints = [
            models.UniqueConstraint(fields=["occupation", "code"], name="unloaded_link_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.occupation.code} – {self.code} (not loaded)"

    def get_absolute_url(self) -> str:
        return self.occupation.get_absolute_url()


class LocalEdit(models.Model):
    """Something about an occupation that staff changed since it was imported.

    The next import keeps the staff's version of that field (and says so) unless it is run with
    ``--overwrite-edits``. ``field`` is a field of the occupation, or one of its lists.
    """

    class Field(models.TextChoices):
        TITLE = "title", "Title"
        LEVEL = "level", "Level"
        STATUS = "status", "Status"
        VERSION = "version", "Version"
        STATUS_DATE = "status_date", "Status date"
        STANDARD_REFERENCE = "standard_reference", "Standard reference"
        OVERVIEW = "overview", "Overview"
        SUMMARY = "summary", "Summary"
        INVOLVED_EMPLOYERS = "involved_employers", "Involved employers"
        KEYWORDS = "keywords", "Keywords"
        CLUSTER = "cluster", "Cluster"
        GREEN_THEMES = "green_themes", "Green themes"
        JOB_TITLES = "job_titles", "Typical job titles"
        PRODUCTS = "products", "Products"
        SOC2010 = "soc2010", "SOC 2010 unit group"
        SOC2020 = "soc2020", "SOC 2020 unit group"
        SUB_UNIT_GROUPS = "sub_unit_groups", "SOC 2020 sub-unit groups"
        PROGRESSION = "progression", "Progression links"

    occupation = models.ForeignKey(Occupation, on_delete=models.CASCADE, related_name="local_edits")
    field = models.CharField(max_length=40, choices=Field.choices)
    edited_at = models.DateTimeField()
    edited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = "local edit"
        constraints = [
            models.UniqueConstraint(fields=["occupation", "field"], name="local_edit_unique_field"),
        ]

    def __str__(self) -> str:
        return (
            f"{self.occupation.code} {self.get_field_display()} (edited {self.edited_at:%Y-%m-%d})"
        )

    def get_absolute_url(self) -> str:
        return self.occupation.get_absolute_url()

    @classmethod
    def record(cls, occupation, fields, user, when) -> None:
        """Note that ``fields`` of ``occupation`` now carry staff edits."""
        for name in fields:
            cls.objects.update_or_create(
                occupation=occupation,
                field=name,
                defaults={"edited_at": when, "edited_by": user if user and user.pk else None},
            )


def sub_unit_group_mappings():
    """The SOC extension mappings (``socmapping.SubUnitGroupMapping``), reached through
    Occupation's reverse relation: the SOC app comes after this one and points at Occupation,
    so this app reads an occupation's mappings without importing the SOC app."""
    return Occupation.sub_unit_group_mappings.rel.related_model.objects


def soc_index_entries():
    """The ONS coding index's entries (``socmapping.SocIndexEntry``), reached the same way:
    through the mappings' sub-unit group, whose entries point at it."""
    sub_unit_group = sub_unit_group_mappings().model._meta.get_field("sub_unit_group")
    return sub_unit_group.related_model._meta.get_field("index_entries").related_model.objects
