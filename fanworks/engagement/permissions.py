"""Who may leave kudos. The work has already been loaded through the visibility query, so a
reader who may not see it never gets here (404)."""

from fanworks.accounts.models import User
from fanworks.accounts.queries import blocked_by_a_creator
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
