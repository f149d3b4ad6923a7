from django.contrib import admin

from fanworks.search.outbox import record_work_changes
from fanworks.works.models import Work


@admin.register(Work)
class WorkAdmin(admin.ModelAdmin):
    list_display = ["title", "posted", "restricted", "hidden_by_admin", "revised_at"]
    list_filter = ["posted", "restricted", "hidden_by_admin", "language"]
    search_fields = ["title"]
    # Content is edited through the posting pages (versions, sanitising); admins only hide.
    fields = ["title", "hidden_by_admin"]
    readonly_fields = ["title"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        # Hiding a work must reach the search index like every other change.
        record_work_changes([obj.pk])
