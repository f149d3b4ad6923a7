from django.contrib import admin

from fanworks.works.models import Work


@admin.register(Work)
class WorkAdmin(admin.ModelAdmin):
    list_display = ["title", "posted", "restricted", "hidden_by_admin", "revised_at"]
    list_filter = ["posted", "restricted", "hidden_by_admin", "language"]
    search_fields = ["title"]
    # Content is edited through the posting pages (versions, sanitising); admins only hide.
    fields = ["title", "hidden_by_admin"]
    readonly_fields = ["title"]
