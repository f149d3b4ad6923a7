from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from fanworks.importers.actions import creator_claim_approve, creator_claim_decline
from fanworks.importers.models import CreatorClaim, ExternalCreator, ImportedWork


@admin.register(ExternalCreator)
class ExternalCreatorAdmin(admin.ModelAdmin):
    list_display = ["name", "source", "claimed_by"]
    search_fields = ["name"]


@admin.register(ImportedWork)
class ImportedWorkAdmin(admin.ModelAdmin):
    list_display = ["work", "original_url", "source_format", "archivist", "imported_at"]
    search_fields = ["original_url"]
    raw_id_fields = ["work", "archivist"]


@admin.register(CreatorClaim)
class CreatorClaimAdmin(admin.ModelAdmin):
    list_display = ["creator", "user", "state", "created_at"]
    list_filter = ["state"]
    actions = ["approve", "decline"]

    @admin.action(description="Approve: move the creator's works to the claimant")
    def approve(self, request: HttpRequest, queryset: QuerySet[CreatorClaim]) -> None:
        for claim in queryset:
            creator_claim_approve(claim=claim)
        messages.success(request, f"{queryset.count()} claim(s) approved.")

    @admin.action(description="Decline")
    def decline(self, request: HttpRequest, queryset: QuerySet[CreatorClaim]) -> None:
        for claim in queryset:
            creator_claim_decline(claim=claim)
        messages.success(request, "Declined.")
