"""The ONS Standard Occupational Classification and how occupations map to it."""

from django.core.validators import RegexValidator
from django.db import models
from django.urls import reverse

from core import textsearch

SUB_UNIT_GROUP_CODE_RE = r"^[1-9][0-9]{3}/[0-9]{2}$"
validate_sub_unit_group_code = RegexValidator(
    SUB_UNIT_GROUP_CODE_RE,
    "A sub-unit group code is a unit group, a slash and two digits: 3544/00.",
)


class SocGroupQuerySet(models.QuerySet):
    def soc2010(self):
        return self.filter(version=SocGroup.Version.SOC2010)

    def soc2020(self):
        return self.filter(version=SocGroup.Version.SOC2020)

    def units(self):
        return self.filter(level=SocGroup.Level.UNIT)


class SocGroupManager(models.Manager.from_queryset(SocGroupQuerySet)):
    def get_by_natural_key(self, version: int, code: str):
        return self.get(version=version, code=code)


class SocVersion(models.IntegerChoices):
    SOC2010 = 2010, "SOC 2010"
    SOC2020 = 2020, "SOC 2020"


class SocGroup(models.Model):
    """A major, sub-major, minor or unit group of SOC 2010 or SOC 2020."""

    # Beside the model so that its constraints can derive from the choices.
    Version = SocVersion

    class Level(models.TextChoices):
        MAJOR = "major", "Major group"
        SUB_MAJOR = "sub_major", "Sub-major group"
        MINOR = "minor", "Minor group"
        UNIT = "unit", "Unit group"

    #: The number of digits in a code at each level.
    LEVEL_DIGITS = {Level.MAJOR: 1, Level.SUB_MAJOR: 2, Level.MINOR: 3, Level.UNIT: 4}

    version = models.PositiveSmallIntegerField(choices=Version.choices)
    code = models.CharField(max_length=4)
    level = models.CharField(max_length=10, choices=Level.choices)
    title = models.CharField(max_length=300)
    parent = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="children"
    )
    # The ONS descriptive fields (SOC 2020 Volume 1).
    description = models.TextField(blank=True)
    entry_routes = models.TextField("typical entry routes and qualifications", blank=True)
    tasks = models.JSONField(default=list, blank=True)
    related_job_titles = models.JSONField(default=list, blank=True)

    objects = SocGroupManager()

    class Meta:
        ordering = ["version", "code"]
        verbose_name = "SOC group"
        permissions = [
            ("edit_soc_classification", "Can edit the ONS classification (SOC groups)"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["version", "code"], name="soc_group_unique_code"),
            models.CheckConstraint(
                condition=models.Q(version__in=SocVersion.values), name="soc_group_version_known"
            ),
        ]
        indexes = [
            # The SOC browse pages list one version's groups at one level.
            models.Index(fields=["version", "level"], name="soc_group_version_level_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("socmapping:group", args=[self.version, self.code])

    def natural_key(self) -> tuple[int, str]:
        return (self.version, self.code)


class SubUnitGroupManager(models.Manager):
    def get_by_natural_key(self, code: str):
        return self.get(code=code)


class SubUnitGroup(models.Model):
    """A SOC 2020 extension sub-unit group (3544/00) inside one SOC 2020 unit group."""

    code = models.CharField(max_length=7, unique=True, validators=[validate_sub_unit_group_code])
    title = models.CharField(max_length=300)
    unit_group = models.ForeignKey(
        SocGroup,
        on_delete=models.CASCADE,
        related_name="sub_unit_groups",
        limit_choices_to={"version": 2020, "level": "unit"},
    )

    objects = SubUnitGroupManager()

    class Meta:
        ordering = ["code"]
        verbose_name = "SOC 2020 sub-unit group"

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    def get_absolute_url(self) -> str:
        unit, suffix = self.code.split("/")
        return reverse("socmapping:sub_unit_group", args=[unit, suffix])

    def natural_key(self) -> tuple[str]:
        return (self.code,)


class SocMapping(models.Model):
    """An occupation's closest SOC 2010 unit group (IfATE) and its SOC 2020 unit group."""

    occupation = models.OneToOneField(
        "occupations.Occupation", on_delete=models.CASCADE, primary_key=True, related_name="soc"
    )
    soc2010 = models.ForeignKey(
        SocGroup,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="soc2010_mappings",
        limit_choices_to={"version": 2010, "level": "unit"},
        verbose_name="SOC 2010 unit group",
    )
    soc2020 = models.ForeignKey(
        SocGroup,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="soc2020_mappings",
        limit_choices_to={"version": 2020, "level": "unit"},
        verbose_name="SOC 2020 unit group",
    )

    class Meta:
        verbose_name = "SOC unit group mapping"

    def __str__(self) -> str:
        soc2010 = self.soc2010 or "-"
        soc2020 = self.soc2020 or "-"
        return f"{self.occupation.code}: SOC 2010 {soc2010}, SOC 2020 {soc2020}"

    def get_absolute_url(self) -> str:
        return self.occupation.get_absolute_url()


class SubUnitGroupMapping(models.Model):
    """Gatsby's mapping: an occupation to SOC 2020 extension sub-unit groups, one primary."""

    occupation = models.ForeignKey(
        "occupations.Occupation", on_delete=models.CASCADE, related_name="sub_unit_group_mappings"
    )
    sub_unit_group = models.ForeignKey(
        SubUnitGroup, on_delete=models.PROTECT, related_name="mappings"
    )
    is_primary = models.BooleanField("primary", default=False)

    class Meta:
        verbose_name = "SOC 2020 sub-unit group mapping"
        constraints = [
            models.UniqueConstraint(
                fields=["occupation", "sub_unit_group"], name="sub_unit_group_mapping_unique"
            ),
            models.UniqueConstraint(
                fields=["occupation"],
                condition=models.Q(is_primary=True),
                name="one_primary_sub_unit_group",
            ),
        ]

    def __str__(self) -> str:
        primary = " (primary)" if self.is_primary else ""
        return f"{self.occupation.code} → {self.sub_unit_group.code}{primary}"

    def get_absolute_url(self) -> str:
        return self.occupation.get_absolute_url()


class SocIndexPair(models.Model):
    """How often the ONS SOC 2020 coding index pairs a SOC 2010 unit group with a SOC 2020 one.

    Each index entry (a job title) carries both codes; this counts the entries that carry this
    pair. It is not the official ONS SOC 2010 to SOC 2020 crosswalk (which weighs jobs by
    employment), only a guide to where a SOC 2010 unit group's job titles went.
    """

    soc2010 = models.ForeignKey(
        SocGroup,
        on_delete=models.CASCADE,
        related_name="soc2020_pairs",
        limit_choices_to={"version": 2010, "level": "unit"},
        verbose_name="SOC 2010 unit group",
    )
    soc2020 = models.ForeignKey(
        SocGroup,
        on_delete=models.CASCADE,
        related_name="soc2010_pairs",
        limit_choices_to={"version": 2020, "level": "unit"},
        verbose_name="SOC 2020 unit group",
    )
    index_entries = models.PositiveIntegerField(
        help_text="How many coding index entries carry both codes."
    )

    class Meta:
        verbose_name = "SOC 2010–2020 index pair"
        constraints = [
            models.UniqueConstraint(fields=["soc2010", "soc2020"], name="soc_index_pair_unique"),
        ]

    def __str__(self) -> str:
        return (
            f"SOC 2010 {self.soc2010.code} – SOC 2020 {self.soc2020.code}: "
            f"{self.index_entries} index entries"
        )

    def get_absolute_url(self) -> str:
        return self.soc2010.get_absolute_url()


class SocIndexEntry(models.Model):
    """A job title of the ONS SOC 2020 coding index, with its unit group and sub-unit group.

    The title is the index's natural word order ("Nail technician") where it gives one. The search
    finds occupations through these: a job title leads to the occupations mapped to its sub-unit
    group (or, where none is, to its unit group).
    """

    title = models.CharField(max_length=300)
    unit_group = models.ForeignKey(
        SocGroup,
        on_delete=models.CASCADE,
        related_name="index_entries",
        limit_choices_to={"version": 2020, "level": "unit"},
        verbose_name="SOC 2020 unit group",
    )
    sub_unit_group = models.ForeignKey(
        SubUnitGroup,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="index_entries",
    )
    # The title folded for the search (core.textsearch); PostgreSQL has a trigram index on it
    # (migration 0004, there only).
    search_document = models.TextField(blank=True, editable=False)

    class Meta:
        verbose_name = "SOC coding index entry"
        verbose_name_plural = "SOC coding index entries"
        constraints = [
            models.UniqueConstraint(
                fields=["title", "unit_group", "sub_unit_group"],
                name="soc_index_entry_unique",
            ),
        ]

    def __str__(self) -> str:
        code = self.sub_unit_group.code if self.sub_unit_group else self.unit_group.code
        return f"{self.title} ({code})"

    def save(self, *args, **kwargs):
        self.search_document = textsearch.document(self.title)
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return (self.sub_unit_group or self.unit_group).get_absolute_url()
