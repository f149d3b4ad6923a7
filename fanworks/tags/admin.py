from django.contrib import admin

from fanworks.tags.models import Tag, WranglerAssignment, WranglingLogEntry


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    list_display = ["name", "type", "canonical", "synonym_of", "unwrangleable"]
    list_filter = ["type", "canonical", "unwrangleable"]
    search_fields = ["name"]
    raw_id_fields = ["synonym_of"]
    # Graph changes must go through the wrangling pages so they are logged and re-filtered.
    readonly_fields = ["canonical", "synonym_of", "search_name"]


@admin.register(WranglerAssignment)
class WranglerAssignmentAdmin(admin.ModelAdmin):
    list_display = ["user", "fandom", "created_at"]
    raw_id_fields = ["user", "fandom"]


@admin.register(WranglingLogEntry)
class WranglingLogEntryAdmin(admin.ModelAdmin):
    list_display = ["created_at", "actor_name", "action", "tag_name"]
    list_filter = ["action"]
    search_fields = ["tag_name", "actor_name"]

    def has_change_permission(self, request, obj=None):
        return False
