from django.contrib import admin

from fanworks.core.models import Job


@admin.register(Job)
class JobAdmin(admin.ModelAdmin):
    list_display = ["pk", "kind", "status", "done", "total", "attempts", "created_at"]
    list_filter = ["kind", "status"]
    readonly_fields = ["kind", "payload", "cursor", "done", "total", "attempts", "error"]
