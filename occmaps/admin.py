from django.contrib import admin

from occmaps.models import ImportRecord


@admin.register(ImportRecord)
class ImportRecordAdmin(admin.ModelAdmin):
    list_display = ["finished_at", "kind", "outcome", "created", "updated", "unchanged", "removed"]
    list_filter = ["kind", "outcome"]
    date_hierarchy = "finished_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
