"""Imported works: where they came from, and the creators named in the file.

An imported work is an ordinary `works.Work`; `ImportedWork` sits beside it with the original
address (unique, so the same work is never imported twice) and a hash of its content (for
files without an address). Works archived by the `fanworks import` command name their
creators as `ExternalCreator`s: people who are not (yet) users here. The work page reads
"by NAME [archived by ARCHIVIST]", and a user who is NAME can ask to claim the works; an admin
approves the claim, and the works move to the claimant's default pseud.
"""

from django.db import models
from django.utils import timezone

from fanworks.accounts.models import User
from fanworks.works.models import Work

MAX_EXTERNAL_NAME_LENGTH = 200
MAX_ORIGINAL_URL_LENGTH = 500


class ExternalCreator(models.Model):
    """A creator named by an imported file: a name on a source site (its host, e.g.
    "archiveofourown.org", or "" when the file named none)."""

    name = models.CharField(max_length=MAX_EXTERNAL_NAME_LENGTH)
    source = models.CharField(max_length=200, blank=True)
    # The user whose claim an admin approved; their works moved to this user.
    claimed_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["name", "source"], name="external_creator_once")
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.source})" if self.source else self.name


class SourceFormat(models.TextChoices):
    HTML = "html", "AO3 HTML download"
    EPUB = "epub", "AO3 EPUB download"
    TEXT = "text", "Plain text"
    MARKDOWN = "markdown", "Markdown"


class ImportedWork(models.Model):
    work = models.OneToOneField(Work, on_delete=models.CASCADE, related_name="import_record")
    # Null when the file named no address; the unique index ignores nulls on both databases.
    original_url = models.CharField(
        max_length=MAX_ORIGINAL_URL_LENGTH, null=True, blank=True, unique=True
    )
    content_hash = models.CharField(max_length=64, db_index=True)
    source_format = models.CharField(max_length=10, choices=SourceFormat.choices)
    # Who ran the import (the command's --archivist, or the uploader).
    archivist = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    creators: "models.ManyToManyField[ExternalCreator, ExternalCreatorship]" = (
        models.ManyToManyField(
            ExternalCreator, through="ExternalCreatorship", related_name="imported_works"
        )
    )
    imported_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"import of work {self.work_id}"


class ExternalCreatorship(models.Model):
    imported = models.ForeignKey(ImportedWork, on_delete=models.CASCADE)
    creator = models.ForeignKey(ExternalCreator, on_delete=models.CASCADE)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["imported", "creator"], name="external_creatorship_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.creator_id} on {self.imported_id}"


class ImportedReference(models.Model):
    """A related work an imported file named that was not in the archive then, kept as an
    external work: `parent` ("Inspired by …" in the preface) or `child` ("Works inspired by
    this one"). When a work with that address is imported later, the link is made."""

    PARENT = "parent"
    CHILD = "child"

    imported = models.ForeignKey(ImportedWork, on_delete=models.CASCADE, related_name="references")
    external_work = models.ForeignKey(
        "engagement.ExternalWork", on_delete=models.CASCADE, related_name="+"
    )
    direction = models.CharField(max_length=6, choices=[(PARENT, "parent"), (CHILD, "child")])
    relation = models.CharField(max_length=20)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["imported", "external_work", "direction"], name="imported_reference_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.direction} {self.external_work_id} of {self.imported_id}"


class ClaimState(models.TextChoices):
    PENDING = "pending", "Waiting for an admin"
    APPROVED = "approved", "Approved"
    DECLINED = "declined", "Declined"


class CreatorClaim(models.Model):
    """A user's request to be recognised as an external creator; an admin decides."""

    creator = models.ForeignKey(ExternalCreator, on_delete=models.CASCADE, related_name="claims")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    state = models.CharField(max_length=10, choices=ClaimState.choices, default=ClaimState.PENDING)
    created_at = models.DateTimeField(default=timezone.now)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["creator", "user"], name="creator_claim_once")
        ]

    def __str__(self) -> str:
        return f"{self.user} claims {self.creator}"
