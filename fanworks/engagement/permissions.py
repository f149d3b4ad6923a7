"""Who may leave kudos and comments. The work has already been loaded through the visibility
query, so a reader who may not see it never gets here (404)."""

from collections.abc import Collection

from fanworks.accounts.models import Block, User
from fanworks.accounts.queries import blocked_by_a_creator
from fanworks.engagement.models import Bookmark, Comment
from fanworks.works.models import Chapter, CommentPermission, Series, Work
from fanworks.works.permissions import is_creator
from fanworks.works.queries import Viewer, prefetched_creator_ids, visible_works
from fanworks.works.series_queries import is_series_creator


def blocked_by_creators(viewer: User, work: Work) -> bool:
    """True when a creator of `work` blocks `viewer`; cheaper when its creators were loaded."""
    return blocked_by_a_creator(viewer, work.pk, prefetched_creator_ids(work))


def kudos_refusal(viewer: Viewer, work: Work) -> str | None:
    """Why `viewer` may not leave kudos on `work`, or None when they may."""
    if not work.posted:
        return "Kudos can only be left on posted works."
    if work.restricted and not viewer.is_authenticated:
        return "Please log in to leave kudos on this work."
    if is_creator(viewer, work):
        return "You can't leave kudos on your own work."
    if isinstance(viewer, User) and blocked_by_a_creator(
        viewer, work.pk, prefetched_creator_ids(work)
    ):
        return "Sorry, you have been blocked by one or more of this work's creators."
    return None


def can_leave_kudos(viewer: Viewer, work: Work) -> bool:
    return kudos_refusal(viewer, work) is None


# ---------------------------------------------------------------------------------------------
# Subscriptions


def subscribe_refusal(
    viewer: Viewer,
    *,
    work: Work | None = None,
    target_user: User | None = None,
    blocked: bool | None = None,
    series: Series | None = None,
) -> str | None:
    """Why `viewer` may not subscribe to `work` (loaded through the visibility query) or to
    `target_user`, or None when they may. `blocked` says whether the creator or user blocks
    the viewer, when the caller already knows (queries.subscription_state)."""
    if not isinstance(viewer, User):
        return "Please log in to subscribe."
    if series is not None:
        # The series was loaded through series_for_viewer, so the viewer may see a part of it.
        if is_series_creator(viewer, series):
            return "You can't subscribe to your own series."
        if blocked is None:
            blocked = Block.objects.filter(
                blocked=viewer, blocker__pseuds__series_creatorships__series=series
            ).exists()
        if blocked:
            return "Sorry, you have been blocked by one of this series' creators."
        return None
    if work is not None:
        if not work.posted:
            return "You can only subscribe to posted works."
        if is_creator(viewer, work):
            return "You can't subscribe to your own work."
        if blocked if blocked is not None else blocked_by_creators(viewer, work):
            return "Sorry, you have been blocked by one or more of this work's creators."
        return None
    if target_user is None:
        return "Please choose a work or a user to subscribe to."
    if target_user.pk == viewer.pk:
        return "You can't subscribe to yourself."
    if blocked is None:
        blocked = Block.objects.filter(blocker=target_user, blocked=viewer).exists()
    if blocked:
        return "Sorry, you have been blocked by this user."
    return None


def can_subscribe(
    viewer: Viewer,
    *,
    work: Work | None = None,
    target_user: User | None = None,
    blocked: bool | None = None,
    series: Series | None = None,
) -> bool:
    refusal = subscribe_refusal(
        viewer, work=work, target_user=target_user, blocked=blocked, series=series
    )
    return refusal is None


# Comments. The work has been loaded through the visibility query, and a comment through
# engagement.queries.comment_for_viewer, so what the viewer may not see is already a 404.


def is_admin(viewer: Viewer) -> bool:
    return bool(viewer.is_authenticated and viewer.is_staff)


def work_comment_refusal(viewer: Viewer, work: Work, chapter: Chapter | None = None) -> str | None:
    """Why `viewer` may not comment on `work` (or reply to a comment on it) at all, or None.

    The same for every comment on the page, so the page asks once."""
    if not work.posted or (chapter is not None and not chapter.posted):
        return "Comments can only be left on posted works."
    if work.comment_permission == CommentPermission.NOBODY:
        return "Sorry, this work doesn't allow comments."
    if not viewer.is_authenticated and (
        work.comment_permission != CommentPermission.EVERYONE or work.restricted
    ):
        return "Sorry, this work only allows comments from users with an Archive account."
    if isinstance(viewer, User) and blocked_by_a_creator(
        viewer, work.pk, prefetched_creator_ids(work)
    ):
        return "Sorry, you have been blocked by one or more of this work's creators."
    return None


def reply_refusal(viewer: Viewer, parent: Comment, blockers: Collection[int]) -> str | None:
    """Why `viewer` may not reply to `parent`, beyond `work_comment_refusal`. `blockers` are
    the ids of the users who block the viewer (`users_blocking`), fetched once per page."""
    if parent.deleted:
        return "You can't reply to a deleted comment."
    if not parent.approved:
        return "This comment is awaiting approval; it can take replies once it is approved."
    if parent.frozen:
        return "This thread is frozen; it takes no new replies."
    if parent.user_id is not None and parent.user_id in blockers:
        return "Sorry, you have been blocked by that user."
    return None


def users_blocking(viewer: Viewer) -> set[int]:
    """The ids of the users who block `viewer` (none for a guest)."""
    if not isinstance(viewer, User):
        return set()
    return set(Block.objects.filter(blocked=viewer).values_list("blocker_id", flat=True))


def comment_refusal(
    viewer: Viewer, work: Work, chapter: Chapter | None = None, parent: Comment | None = None
) -> str | None:
    """Why `viewer` may not post a comment on `chapter` of `work`, or reply to `parent`."""
    refusal = work_comment_refusal(viewer, work, chapter)
    if refusal is None and parent is not None:
        blockers = {parent.user_id} if parent.user_id is not None else set()
        refusal = reply_refusal(viewer, parent, blockers & users_blocking(viewer))
    return refusal


def comment_edit_refusal(viewer: Viewer, comment: Comment, work: Work) -> str | None:
    """Only the author edits their comment, while it is neither deleted nor frozen (and not
    once a creator of the work blocks them)."""
    if not isinstance(viewer, User) or comment.user_id != viewer.pk:
        return "Only the person who wrote a comment can edit it."
    if comment.deleted:
        return "This comment was deleted."
    if comment.frozen:
        return "This thread is frozen; its comments can't be edited."
    if blocked_by_creators(viewer, work):
        return "Sorry, you have been blocked by one or more of this work's creators."
    return None


def can_delete_comment(viewer: Viewer, comment: Comment, work: Work) -> bool:
    """The author, the work's creators and admins delete comments."""
    if comment.deleted or not viewer.is_authenticated:
        return False
    return comment.user_id == viewer.pk or is_creator(viewer, work) or is_admin(viewer)


def can_moderate_comments(viewer: Viewer, work: Work) -> bool:
    """Freezing threads and approving comments is for the work's creators."""
    return is_creator(viewer, work)


# Bookmarks. A reader blocked by a work's creator may still bookmark it, privately or not:
# AO3's block refuses what reaches the blocker (comments, replies, kudos, gifts), and a
# bookmark is the reader's own list, sending the creator nothing (accounts.Block). Muting is
# the muter's own filter, so a muter may bookmark a muted creator's work they opened by link;
# their listings then leave it out. Creators may bookmark their own works, as on AO3.


def bookmark_refusal(viewer: Viewer, work: Work) -> str | None:
    """Why `viewer` may not bookmark `work` (already loaded through the visibility query), or
    None when they may."""
    if not viewer.is_authenticated:
        return "Please log in to bookmark works."
    if not work.posted:
        return "Drafts can't be bookmarked; post the work first."
    if work.hidden_by_admin:
        return "This work is hidden and can't be bookmarked."
    return None


def series_bookmark_refusal(viewer: Viewer, series: Series) -> str | None:
    """Why `viewer` may not bookmark `series` (already loaded through series_for_viewer), or
    None when they may. The same rules as for works: blocking and muting refuse nothing. A
    series needs a work the reader may see: its creators open a series of drafts, but a
    bookmark of it would be a bookmark of nothing."""
    if not viewer.is_authenticated:
        return "Please log in to bookmark series."
    parts = visible_works(viewer, hide_muted=False).filter(series_works__series=series)
    if not parts.exists():
        return "This series has no posted works yet, so it can't be bookmarked."
    return None


def can_edit_bookmark(viewer: Viewer, bookmark: Bookmark) -> bool:
    """Only the bookmarker changes their bookmark."""
    return bool(viewer.is_authenticated) and viewer.pk == bookmark.user_id


def can_delete_bookmark(viewer: Viewer, bookmark: Bookmark) -> bool:
    """The bookmarker, or an admin removing it (admins only ever see public bookmarks)."""
    if can_edit_bookmark(viewer, bookmark):
        return True
    return bool(viewer.is_authenticated and viewer.is_active and viewer.is_superuser)
