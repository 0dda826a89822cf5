"""Records of what was imported, which also give the site its "data as at" date."""

from django.db import models
from django.urls import reverse


class ImportRecordQuerySet(models.QuerySet):
    def succeeded(self):
        return self.filter(outcome=ImportRecord.Outcome.SUCCEEDED)

    def latest_of(self, kind: str) -> "ImportRecord | None":
        """The newest successful import of one kind ("maps", "soc", ...), in one query, with
        ``data_as_at``: the data's own date from the newest such import that gave one (an import
        of a few occupation files carries no date; the harvest it updates still does)."""
        dated = (
            self.succeeded()
            .filter(kind=kind, data_date__isnull=False)
            .order_by("-finished_at", "-id")
            .values("data_date")[:1]
        )
        return (
            self.succeeded()
            .filter(kind=kind)
            .annotate(data_as_at=models.Subquery(dated))
            .order_by("-finished_at", "-id")
            .first()
        )


class ImportRecord(models.Model):
    class Outcome(models.TextChoices):
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed"

    kind = models.CharField(max_length=40, help_text="Which importer ran: maps, soc, ...")
    source = models.TextField(help_text="The files or URL read.")
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField()
    outcome = models.CharField(max_length=10, choices=Outcome.choices)
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    removed = models.PositiveIntegerField(default=0)
    counts = models.JSONField(default=dict, blank=True, help_text="Counts by kind of record.")
    problems = models.JSONField(default=list, blank=True)
    problem_details = models.JSONField(
        default=list,
        blank=True,
        help_text="The notes with a code, as data: code, where, value, message.",
    )
    summary = models.TextField(blank=True)
    data_date = models.DateField(
        null=True,
        blank=True,
        help_text="The data's own date, where the source gives one: when the maps were harvested "
        "from the Occupational Maps API, or the API's last update.",
    )

    objects = ImportRecordQuerySet.as_manager()

    class Meta:
        ordering = ["-finished_at", "-id"]
        indexes = [
            # "Data as at" reads the newest successful import.
            models.Index(fields=["outcome", "-finished_at"], name="import_outcome_finished_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} import {self.finished_at:%Y-%m-%d %H:%M} ({self.outcome})"

    def get_absolute_url(self) -> str:
        return reverse("admin:occmaps_importrecord_change", args=[self.pk])

    @property
    def duration_seconds(self) -> float:
        return (self.finished_at - self.started_at).total_seconds()


class DataVersion(models.Model):
    """One row whose number goes up whenever the data the site shows may have changed: every
    import and every save in the admin. Public responses are cached under it and carry it as
    their ETag; each worker holds it in memory for at most a second (``core.dataversion``)."""

    version = models.PositiveBigIntegerField(default=1)
    changed_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.CheckConstraint(condition=models.Q(id=1), name="data_version_single_row"),
        ]

    def __str__(self) -> str:
        return f"data version {self.version} ({self.changed_at:%Y-%m-%d %H:%M:%S})"

    def get_absolute_url(self) -> str:
        return reverse("home")

    @classmethod
    def bump(cls) -> None:
        """Start a new version (in the caller's transaction, so readers see it with the data)."""
        from django.utils import timezone

        from core.dataversion import announce_bump

        now = timezone.now()
        if not cls.objects.filter(pk=1).update(version=models.F("version") + 1, changed_at=now):
            cls.objects.get_or_create(pk=1, defaults={"version": 1, "changed_at": now})
        announce_bump()

    @classmethod
    def current(cls) -> "DataVersion":
        from django.utils import timezone

        row = cls.objects.filter(pk=1).first()
        return row or cls(pk=1, version=0, changed_at=timezone.now().replace(microsecond=0))
