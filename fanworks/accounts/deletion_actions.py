"""Deleting an account, in one transaction, after the owner chose what happens to each work
and to their comments (accounts.views_deletion asks, then asks again to confirm).

- Each work is orphaned (posted works only) or deleted. On a work with co-creators, either
  choice only takes this user's credit away: their co-creators' work is never deleted.
- Series they created alone move to the orphan account while they still hold works; empty
  ones go. Shared series just lose this user's credit.
- Comments are kept, shown as from "Account deleted" (a pseud of the orphan account), or
  deleted (a comment with replies stays as a placeholder, as any deleted comment does).
- Kudos, bookmarks, subscriptions, reading history, inbox, blocks and mutes go with the
  account. The kudos, comment and bookmark counts of other works move in the same
  transaction, and every touched work is written to the search outbox.
"""

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, F

from fanworks.accounts.models import User
from fanworks.downloads.storage import user_exports_remove_after_commit
from fanworks.engagement.actions import work_bookmark_counts_refresh
from fanworks.engagement.comment_actions import comment_delete
from fanworks.engagement.models import Bookmark, Comment, Kudos
from fanworks.search.outbox import (
    record_bookmark_changes,
    record_series_changes,
    record_work_changes,
)
from fanworks.works.actions import work_delete, work_sort_keys_refresh
from fanworks.works.models import Creatorship, SeriesCreatorship, Work
from fanworks.works.orphan_actions import (
    DELETED_ACCOUNT_PSEUD,
    move_creatorships,
    orphan_account,
    orphan_pseud,
)

ORPHAN = "orphan"
DELETE = "delete"


@dataclass
class DeletionSummary:
    """What deleting the account did, for the page shown afterwards."""

    username: str
    orphaned: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    uncredited: list[str] = field(default_factory=list)  # co-created: only the credit went
    comments_kept: int = 0
    comments_deleted: int = 0
    kudos_removed: int = 0
    bookmarks_removed: int = 0


def _check_choices(user: User, choices: dict[int, str]) -> dict[int, Work]:
    """Every work of the user has exactly one valid choice; drafts cannot be orphaned."""
    works = {
        w.pk: w
        for w in Work.objects.filter(creatorships__pseud__user=user)
        .distinct()
        .only("pk", "title", "posted")
    }
    if set(choices) != set(works):
        raise ValidationError("Please choose what happens to each of your works.")
    for pk, choice in choices.items():
        if choice not in (ORPHAN, DELETE) or (choice == ORPHAN and not works[pk].posted):
            raise ValidationError(f"“{works[pk].title}” is a draft: it can only be deleted.")
    return works


def _has_other_creators(work_id: int, user: User) -> bool:
    return Creatorship.objects.filter(work_id=work_id).exclude(pseud__user=user).exists()


def _settle_series(user: User) -> None:
    """Series the user created: shared ones lose this credit; their own move to the orphan
    account while they hold works, and empty ones are deleted."""
    ships = list(SeriesCreatorship.objects.filter(pseud__user=user).select_related("series"))
    # Their bookmarks in the search index carry the series' creators (or go with the series).
    record_series_changes([ship.series_id for ship in ships])
    orphan_default = None
    for ship in ships:
        others = SeriesCreatorship.objects.filter(series_id=ship.series_id).exclude(
            pseud__user=user
        )
        if others.exists():
            ship.delete()
        elif ship.series.series_works.exists():
            if orphan_default is None:
                orphan_default = orphan_pseud(orphan_account(), None)
            SeriesCreatorship.objects.filter(pk=ship.pk).update(pseud=orphan_default)
        else:
            ship.series.delete()


def _remove_kudos(user: User) -> int:
    counts = dict(
        Kudos.objects.filter(user=user)
        .values("work_id")
        .annotate(n=Count("pk"))
        .values_list("work_id", "n")
    )
    Kudos.objects.filter(user=user).delete()
    for work_id, n in counts.items():
        Work.objects.filter(pk=work_id, kudos_count__gte=n).update(kudos_count=F("kudos_count") - n)
    record_work_changes(sorted(counts))
    return sum(counts.values())


def _remove_bookmarks(user: User) -> int:
    on_works = Bookmark.objects.filter(user=user, work__isnull=False)
    work_ids = sorted(set(on_works.values_list("work_id", flat=True)))
    record_bookmark_changes(Bookmark.objects.filter(user=user).values_list("pk", flat=True))
    removed, _ = Bookmark.objects.filter(user=user).delete()
    if work_ids:
        work_bookmark_counts_refresh(work_ids=work_ids)
    return int(removed)


def _settle_comments(user: User, *, keep: bool) -> int:
    """Keep the user's comments under the orphan account's "Account deleted" pseud, or delete
    them (replies first, so a comment whose only replies were theirs goes entirely). Either
    way nothing of theirs is left for the user row's cascade, which would take other people's
    replies with it."""
    count = 0
    if not keep:
        for comment in Comment.objects.filter(user=user, deleted=False).order_by("-depth", "-pk"):
            # An earlier deletion may have taken this one with it.
            current = Comment.objects.filter(pk=comment.pk, deleted=False).first()
            if current is not None:
                comment_delete(comment=current)
                count += 1
    # What is left: kept comments, or placeholders that still hold others' replies.
    left = Comment.objects.filter(user=user)
    if left.exists():
        pseud = orphan_pseud(orphan_account(), DELETED_ACCOUNT_PSEUD)
        kept = left.update(user=pseud.user, pseud=pseud)
        count = kept if keep else count
    return count


def account_delete(
    *, user: User, choices: dict[int, str], keep_names: bool, keep_comments: bool
) -> DeletionSummary:
    """Delete `user` with these choices (work id → "orphan" or "delete"). Raises
    ValidationError and changes nothing when the choices do not cover exactly their works."""
    summary = DeletionSummary(username=user.username)
    with transaction.atomic():
        works = _check_choices(user, choices)
        to_orphan = sorted(pk for pk, choice in choices.items() if choice == ORPHAN)
        move_creatorships(user=user, work_ids=to_orphan, keep_names=keep_names)
        summary.orphaned = [works[pk].title for pk in to_orphan]
        uncredited: list[int] = []
        for pk in sorted(pk for pk, choice in choices.items() if choice == DELETE):
            if _has_other_creators(pk, user):
                Creatorship.objects.filter(work_id=pk, pseud__user=user).delete()
                uncredited.append(pk)
                summary.uncredited.append(works[pk].title)
            else:
                work_delete(work=works[pk])
                summary.deleted.append(works[pk].title)
        if uncredited:
            work_sort_keys_refresh(work_ids=uncredited)
            record_work_changes(uncredited)
        _settle_series(user)
        if keep_comments:
            summary.comments_kept = _settle_comments(user, keep=True)
        else:
            summary.comments_deleted = _settle_comments(user, keep=False)
        summary.kudos_removed = _remove_kudos(user)
        summary.bookmarks_removed = _remove_bookmarks(user)
        # The rest (pseuds, gifts to them, subscriptions, history, inbox, blocks, mutes)
        # cascades with the user row.
        User.objects.filter(pk=user.pk).delete()
        # Their exports (zips of everything they had) go with the account.
        user_exports_remove_after_commit(user_id=user.pk)
    return summary
