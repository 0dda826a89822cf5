"""Releases and their differences, computed when the data is written and never on a page view."""

from django.db import models
from django.urls import reverse

from occupations.models import OccupationStatus


class Kind(models.TextChoices):
    """What one difference is. Occupation kinds first, then a route's."""

    ADDED = "added", "Occupation added"
    REMOVED = "removed", "Occupation removed"
    RENAMED = "renamed", "Title changed"
    LEVEL = "level", "Level changed"
    STATUS = "status", "Status changed"
    MOVED = "moved", "Moved on the map"
    PRODUCT_ADDED = "product_added", "Product added"
    PRODUCT_REMOVED = "product_removed", "Product removed"
    PRODUCT_STATUS = "product_status", "Product status changed"
    PROGRESSION_ADDED = "progression_added", "Progression link added"
    PROGRESSION_REMOVED = "progression_removed", "Progression link removed"
    SOC2010 = "soc2010", "SOC 2010 mapping changed"
    SOC2020 = "soc2020", "SOC 2020 mapping changed"
    SUB_UNIT_GROUP_ADDED = "sub_unit_group_added", "SOC sub-unit group added"
    SUB_UNIT_GROUP_REMOVED = "sub_unit_group_removed", "SOC sub-unit group removed"
    JOB_TITLE_ADDED = "job_title_added", "Job title added"
    JOB_TITLE_REMOVED = "job_title_removed", "Job title removed"
    ROUTE_ADDED = "route_added", "Route added"
    ROUTE_REMOVED = "route_removed", "Route removed"
    ROUTE_RENAMED = "route_renamed", "Route renamed"
    PATHWAY_ADDED = "pathway_added", "Pathway added"
    PATHWAY_REMOVED = "pathway_removed", "Pathway removed"
    PATHWAY_RENAMED = "pathway_renamed", "Pathway renamed"
    CLUSTER_ADDED = "cluster_added", "Cluster added"
    CLUSTER_REMOVED = "cluster_removed", "Cluster removed"
    CLUSTER_RENAMED = "cluster_renamed", "Cluster renamed"


#: The kinds in display order (the order they are declared in).
KIND_ORDER = {value: index for index, value in enumerate(Kind.values)}


class ReleaseQuerySet(models.QuerySet):
    def latest_number(self) -> int:
        return self.aggregate(n=models.Max("number"))["n"] or 0


class Release(models.Model):
    """One import, or one staff edit in the admin, that changed what the maps show."""

    number = models.PositiveIntegerField(unique=True)
    created_at = models.DateTimeField(help_text="When the data was written.")
    data_date = models.DateField(
        null=True, blank=True, help_text="The data's own date, where the source gives one."
    )
    kind = models.CharField(
        max_length=40, help_text="What wrote it: an importer (maps, standards, ...) or admin."
    )
    source = models.TextField(help_text="The files or URL read, or what staff edited.")
    import_record = models.OneToOneField(
        "occmaps.ImportRecord",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="release",
    )
    counts = models.JSONField(default=dict, help_text="Differences by kind.")
    total = models.PositiveIntegerField(default=0, help_text="Differences in all.")
    occupations_changed = models.PositiveIntegerField(
        default=0, help_text="Occupations with at least one difference."
    )

    objects = ReleaseQuerySet.as_manager()

    class Meta:
        ordering = ["-number"]

    def __str__(self) -> str:
        return f"Release {self.number} ({self.created_at:%Y-%m-%d %H:%M})"

    def get_absolute_url(self) -> str:
        return reverse("changes:release", args=[self.number])

    @property
    def source_label(self) -> str:
        """What the public pages say wrote it (not the files' paths on the server)."""
        return SOURCE_LABELS.get(self.kind, self.kind.replace("_", " ").capitalize())

    def count(self, *kinds: str) -> int:
        return sum(self.counts.get(kind, 0) for kind in kinds)

    @property
    def added(self) -> int:
        return self.count(Kind.ADDED)

    @property
    def removed(self) -> int:
        return self.count(Kind.REMOVED)


SOURCE_LABELS = {
    "maps": "Occupational maps import",
    "standards": "Apprenticeship standards import",
    "soc": "ONS SOC import",
    "soc2010 mapping": "SOC 2010 mapping import",
    "soc2020ext mapping": "SOC 2020 sub-unit group mapping import",
    "admin": "Staff edit",
}


class Change(models.Model):
    """One difference: about an occupation (``occupation_code`` set) or about a route's
    structure (pathways and clusters)."""

    release = models.ForeignKey(Release, on_delete=models.CASCADE, related_name="changes")
    kind = models.CharField(max_length=30, choices=Kind.choices)
    occupation_code = models.CharField(max_length=12, blank=True, db_index=True)
    occupation_title = models.CharField(max_length=300, blank=True)
    route_slug = models.CharField(
        max_length=200,
        blank=True,
        help_text="The route it is on (after the change, or before "
        "if it was removed); empty if none.",
    )
    route_name = models.CharField(max_length=200, blank=True)
    from_route_slug = models.CharField(
        max_length=200, blank=True, help_text="For a move between routes: the route it left."
    )
    subject = models.CharField(
        max_length=300,
        blank=True,
        help_text="What in the occupation or route changed: a product code, an occupation code, "
        "a SOC code, a job title, a pathway or cluster id.",
    )
    old = models.JSONField(null=True, blank=True)
    new = models.JSONField(null=True, blank=True)
    sequence = models.PositiveIntegerField(default=0, help_text="Display order in the release.")

    class Meta:
        ordering = ["release", "sequence"]
        indexes = [
            models.Index(fields=["release", "route_slug"], name="change_release_route_idx"),
            models.Index(fields=["route_slug", "release"], name="change_route_release_idx"),
            models.Index(fields=["subject"], name="change_subject_idx"),
        ]

    def __str__(self) -> str:
        who = self.occupation_code or self.route_name or "map"
        return f"{who}: {self.get_kind_display()}"

    def get_absolute_url(self) -> str:
        return self.release.get_absolute_url()

    @property
    def description(self) -> str:
        return describe(self)


class RecordState(models.Model):
    """An occupation's or a route's comparable state before and after a release that changed
    it: what comparing two releases reads (the first state before, the last after)."""

    class Scope(models.TextChoices):
        OCCUPATION = "occupation", "Occupation"
        ROUTE = "route", "Route"

    release = models.ForeignKey(Release, on_delete=models.CASCADE, related_name="states")
    scope = models.CharField(max_length=10, choices=Scope.choices)
    key = models.CharField(max_length=200, help_text="The occupation's code or the route's slug.")
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["release", "scope", "key"], name="record_state_unique_in_release"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.key} in release {self.release.number}"

    def get_absolute_url(self) -> str:
        return self.release.get_absolute_url()


def status_label(value) -> str:
    if value is None:
        return "no status"
    try:
        return OccupationStatus(value).label
    except ValueError:
        return f"status {value}"


def place_label(place: dict | None) -> str:
    if not place:
        return "no place on the map"
    return f"{place['route_name']} › {place['pathway']} › {place['cluster']}"


def _quoted(value) -> str:
    return f"“{value}”" if value else "none"


def describe(change: Change) -> str:
    """The difference in words, for pages, feeds and the CSV."""
    kind, old, new, subject = change.kind, change.old, change.new, change.subject
    if kind == Kind.ADDED:
        return f"Added at level {new['level']}: {status_label(new['status'])}"
    if kind == Kind.REMOVED:
        return f"Removed (was level {old['level']}: {status_label(old['status'])})"
    if kind in {Kind.RENAMED, Kind.ROUTE_RENAMED}:
        return f"Renamed from {_quoted(old)} to {_quoted(new)}"
    if kind == Kind.LEVEL:
        return f"Level changed from {old} to {new}"
    if kind == Kind.STATUS:
        return f"Status changed from {status_label(old)} to {status_label(new)}"
    if kind == Kind.MOVED:
        return f"Moved from {place_label(old)} to {place_label(new)}"
    if kind == Kind.PRODUCT_ADDED:
        status = f" ({new['status']})" if new.get("status") else ""
        return f"Product added: {subject} {new['name']}{status}"
    if kind == Kind.PRODUCT_REMOVED:
        return f"Product removed: {subject} {old['name']}"
    if kind == Kind.PRODUCT_STATUS:
        return f"Product {subject}: status changed from {_quoted(old)} to {_quoted(new)}"
    if kind == Kind.PROGRESSION_ADDED:
        return f"Progression link added with {subject}"
    if kind == Kind.PROGRESSION_REMOVED:
        return f"Progression link removed with {subject}"
    if kind in {Kind.SOC2010, Kind.SOC2020}:
        version = "SOC 2010" if kind == Kind.SOC2010 else "SOC 2020"
        return f"{version} unit group changed from {old or 'none'} to {new or 'none'}"
    if kind == Kind.SUB_UNIT_GROUP_ADDED:
        return f"SOC 2020 sub-unit group added: {subject}"
    if kind == Kind.SUB_UNIT_GROUP_REMOVED:
        return f"SOC 2020 sub-unit group removed: {subject}"
    if kind == Kind.JOB_TITLE_ADDED:
        return f"Job title added: {_quoted(subject)}"
    if kind == Kind.JOB_TITLE_REMOVED:
        return f"Job title removed: {_quoted(subject)}"
    if kind == Kind.ROUTE_ADDED:
        return f"Route added: {new}"
    if kind == Kind.ROUTE_REMOVED:
        return f"Route removed: {old}"
    if kind == Kind.PATHWAY_ADDED:
        return f"Pathway added: {_quoted(new)}"
    if kind == Kind.PATHWAY_REMOVED:
        return f"Pathway removed: {_quoted(old)}"
    if kind == Kind.PATHWAY_RENAMED:
        return f"Pathway renamed from {_quoted(old)} to {_quoted(new)}"
    if kind == Kind.CLUSTER_ADDED:
        return f"Cluster added to {new['pathway']}: {_quoted(new['name'])}"
    if kind == Kind.CLUSTER_REMOVED:
        return f"Cluster removed from {old['pathway']}: {_quoted(old['name'])}"
    return f"Cluster renamed from {_quoted(old['name'])} to {_quoted(new['name'])}"


#: The kinds whose subject is another occupation's code.
PROGRESSION_KINDS = (Kind.PROGRESSION_ADDED, Kind.PROGRESSION_REMOVED)
