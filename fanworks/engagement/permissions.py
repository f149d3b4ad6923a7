"""Who may leave kudos. The work has already been loaded through the visibility query, so a
reader who may not see it never gets here (404)."""

from fanworks.accounts.models import Block, User
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


# ---------------------------------------------------------------------------------------------
# Subscriptions


def subscribe_refusal(
    viewer: Viewer,
    *,
    work: Work | None = None,
    target_user: User | None = None,
    blocked: bool | None = None,
) -> str | None:
    """Why `viewer` may not subscribe to `work` (loaded through the visibility query) or to
    `target_user`, or None when they may. `blocked` says whether the creator or user blocks
    the viewer, when the caller already knows (queries.subscription_state)."""
    if not isinstance(viewer, User):
        return "Please log in to subscribe."
    if work is not None:
        if not work.posted:
            return "You can only subscribe to posted works."
        if is_creator(viewer, work):
            return "You can't subscribe to your own work."
        if blocked if blocked is not None else blocked_by_a_creator(viewer, work.pk):
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
) -> bool:
    return subscribe_refusal(viewer, work=work, target_user=target_user, blocked=blocked) is None
