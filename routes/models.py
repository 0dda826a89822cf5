"""The structure of a route map: route › pathway › row (cluster group) › cluster."""

from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse


class TechnicalBand(models.IntegerChoices):
    """The three columns of a route map, as numbered by the Occupational Maps API."""

    TECHNICAL = 1, "Technical"
    HIGHER_TECHNICAL = 2, "Higher Technical"
    PROFESSIONAL = 3, "Professional"

    @property
    def levels(self) -> tuple[int, int]:
        return BAND_LEVELS[self]

    @classmethod
    def for_level(cls, level: int) -> "TechnicalBand":
        for band, levels in BAND_LEVELS.items():
            if level in levels:
                return band
        raise ValueError(f"no band holds level {level}")


class ApiIdManager(models.Manager):
    """Looks imported records up by the id the Occupational Maps API gives them."""

    def get_by_natural_key(self, api_id: int):
        return self.get(api_id=api_id)


BAND_LEVELS = {
    TechnicalBand.TECHNICAL: (2, 3),
    TechnicalBand.HIGHER_TECHNICAL: (4, 5),
    TechnicalBand.PROFESSIONAL: (6, 7),
}


class Route(models.Model):
    api_id = models.PositiveIntegerField("API id", unique=True)
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, unique=True)
    sequence = models.PositiveIntegerField(default=0, help_text="Display order on the home page.")

    objects = ApiIdManager()

    class Meta:
        ordering = ["sequence", "name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("routes:detail", args=[self.slug])

    def natural_key(self) -> tuple[int]:
        return (self.api_id,)


class Pathway(models.Model):
    api_id = models.PositiveIntegerField("API id", unique=True)
    route = models.ForeignKey(Route, on_delete=models.CASCADE, related_name="pathways")
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200)
    sequence = models.PositiveIntegerField(default=0)

    objects = ApiIdManager()

    class Meta:
        ordering = ["route__sequence", "sequence", "name"]
        constraints = [
            models.UniqueConstraint(fields=["route", "slug"], name="pathway_slug_unique_in_route"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return f"{self.route.get_absolute_url()}#{self.slug}"

    def natural_key(self) -> tuple[int]:
        return (self.api_id,)


class ClusterGroup(models.Model):
    """A row of a pathway's grid. It has no name of its own, only a place in the pathway."""

    api_id = models.PositiveIntegerField("API id", unique=True)
    pathway = models.ForeignKey(Pathway, on_delete=models.CASCADE, related_name="rows")
    sequence = models.PositiveIntegerField(default=0)

    objects = ApiIdManager()

    class Meta:
        ordering = ["pathway", "sequence", "api_id"]
        verbose_name = "cluster row"

    def __str__(self) -> str:
        return f"{self.pathway} row {self.sequence + 1}"

    def get_absolute_url(self) -> str:
        return self.pathway.get_absolute_url()

    def natural_key(self) -> tuple[int]:
        return (self.api_id,)


class Cluster(models.Model):
    """One cell of the grid: a row crossed with a technical level band."""

    api_id = models.PositiveIntegerField("API id", unique=True)
    # Always the row's pathway (kept for the map's queries): the database refuses any other
    # and carries the clusters along when a row moves (migration 0002).
    pathway = models.ForeignKey(Pathway, on_delete=models.CASCADE, related_name="clusters")
    row = models.ForeignKey(ClusterGroup, on_delete=models.CASCADE, related_name="clusters")
    band = models.PositiveSmallIntegerField("technical level band", choices=TechnicalBand.choices)
    name = models.CharField(max_length=300)
    sequence = models.PositiveIntegerField(default=0)

    objects = ApiIdManager()

    class Meta:
        ordering = ["pathway", "row__sequence", "band", "sequence"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(
                    band__gte=min(TechnicalBand.values), band__lte=max(TechnicalBand.values)
                ),
                name="cluster_band_1_to_3",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return self.pathway.get_absolute_url()

    def clean(self):
        super().clean()
        if self.row_id and self.pathway_id and self.row.pathway_id != self.pathway_id:
            raise ValidationError({"row": "The row must be in the cluster's pathway."})

    def natural_key(self) -> tuple[int]:
        return (self.api_id,)

    @property
    def levels(self) -> tuple[int, int]:
        return BAND_LEVELS[TechnicalBand(self.band)]
