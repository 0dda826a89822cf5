"""Records of what was imported, which also give the site its "data as at" date."""

from django.db import models
from django.urls import reverse


class ImportRecordQuerySet(models.QuerySet):
    def succeeded(self):
        return self.filter(outcome=ImportRecord.Outcome.SUCCEEDED)


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
    summary = models.TextField(blank=True)

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
