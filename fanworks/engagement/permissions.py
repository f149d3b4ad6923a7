"""Who may leave kudos. The work has already been loaded through the visibility query, so a
reader who may not see it never gets here (404)."""

from fanworks.accounts.models import User
from fanworks.accounts.queries import blocked_by_a_creator
from fanworks.engagement.models import Bookmark
from fanworks.works.models import Work
from fanworks.works.permissions import is_creator
from fanworks.works.queries import Viewer


def kudos_refusal(viewer: Viewer, work: Work) -> str | None:
    """Why `viewer` may not leave kudos on `work`, or None when they may."""
    if not work.posted:
        return "Kudos can only be left on posted works."
    if work.restricted and not viewer.is_authenticated:
        return "Please log in to leave kudos on this work."
    if is_creator(viewer, work):
        return "You can't leave kudos on your own work."
    if isinstance(viewer, User) and blocked_by_a_creator(viewer, work.pk):
        return "Sorry, you have been blocked by one or more of this work's creators."
    return None


def can_leave_kudos(viewer: Viewer, work: Work) -> bool:
    return kudos_refusal(viewer, work) is None


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


def can_bookmark(viewer: Viewer, work: Work) -> bool:
    return bookmark_refusal(viewer, work) is None


def can_edit_bookmark(viewer: Viewer, bookmark: Bookmark) -> bool:
    """Only the bookmarker changes their bookmark."""
    return bool(viewer.is_authenticated) and viewer.pk == bookmark.user_id


def can_delete_bookmark(viewer: Viewer, bookmark: Bookmark) -> bool:
    """The bookmarker, or an admin removing it (admins only ever see public bookmarks)."""
    if can_edit_bookmark(viewer, bookmark):
        return True
    return bool(viewer.is_authenticated and viewer.is_active and viewer.is_superuser)
