from django.contrib import admin
from django.utils.html import format_html_join

from core.models import ImportRecord


@admin.register(ImportRecord)
class ImportRecordAdmin(admin.ModelAdmin):
    """What each import did: read-only, newest first."""

    list_display = [
        "finished_at",
        "kind",
        "outcome",
        "created",
        "updated",
        "unchanged",
        "removed",
        "problem_count",
    ]
    list_filter = ["kind", "outcome"]
    date_hierarchy = "finished_at"
    ordering = ["-finished_at", "-id"]
    search_fields = ["source", "summary"]
    fields = [
        "kind",
        "source",
        "outcome",
        "summary",
        "started_at",
        "finished_at",
        ("created", "updated", "unchanged", "removed"),
        "counts_table",
        "problem_list",
    ]
    readonly_fields = [
        "kind",
        "source",
        "outcome",
        "summary",
        "started_at",
        "finished_at",
        "created",
        "updated",
        "unchanged",
        "removed",
        "counts_table",
        "problem_list",
    ]

    @admin.display(description="problems and notes")
    def problem_count(self, obj):
        return len(obj.problems)

    @admin.display(description="counts by kind of record")
    def counts_table(self, obj):
        return format_html_join(
            "",
            "<p>{}: {} created, {} updated, {} unchanged, {} removed</p>",
            (
                (name, c.get("created"), c.get("updated"), c.get("unchanged"), c.get("removed"))
                for name, c in obj.counts.items()
            ),
        )

    @admin.display(description="problems and notes")
    def problem_list(self, obj):
        return format_html_join("", "<p>{}</p>", ((p,) for p in obj.problems)) or "None"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
