"""Co-creator invitations and chapter creators (imported by works.models).

An invitation credits nobody: bylines, search, feeds and edit rights read only the creatorship
tables, and a row is written there when the invitee accepts (works.cocreator_actions).
"""

from django.db import models
from django.db.models import Q

from fanworks.accounts.models import Pseud, User
from fanworks.works.models import Chapter, Series, Work


class CreatorInvitation(models.Model):
    """`inviter` asks that `pseud` be credited on exactly one of a work, a chapter or a series."""

    pseud = models.ForeignKey(Pseud, on_delete=models.CASCADE, related_name="creator_invitations")
    inviter = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    work = models.ForeignKey(
        Work, on_delete=models.CASCADE, null=True, blank=True, related_name="creator_invitations"
    )
    chapter = models.ForeignKey(
        Chapter,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="creator_invitations",
    )
    series = models.ForeignKey(
        Series,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="creator_invitations",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(work__isnull=False, chapter__isnull=True, series__isnull=True)
                | Q(work__isnull=True, chapter__isnull=False, series__isnull=True)
                | Q(work__isnull=True, chapter__isnull=True, series__isnull=False),
                name="creator_invitation_one_target",
            ),
            # NULLs are distinct, so each of these binds only invitations of its own kind.
            models.UniqueConstraint(fields=["pseud", "work"], name="creator_invitation_work"),
            models.UniqueConstraint(fields=["pseud", "chapter"], name="creator_invitation_chapter"),
            models.UniqueConstraint(fields=["pseud", "series"], name="creator_invitation_series"),
        ]

    def __str__(self) -> str:
        return f"{self.pseud_id} invited by {self.inviter_id}"


class ChapterCreatorship(models.Model):
    """A chapter's own creators. A chapter without rows is credited to its work's creators;
    with rows, the chapter shows its own byline when it differs from the work's."""

    chapter = models.ForeignKey(Chapter, on_delete=models.CASCADE, related_name="creatorships")
    pseud = models.ForeignKey(Pseud, on_delete=models.CASCADE, related_name="chapter_creatorships")
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["chapter", "pseud"], name="chapter_creatorship_unique")
        ]

    def __str__(self) -> str:
        return f"{self.pseud_id} created chapter {self.chapter_id}"
