"""Who may do what with an account. Missing and forbidden both answer 404."""

from django.contrib.auth.models import AnonymousUser
from django.http import Http404

from fanworks.accounts.models import Pseud, User

Viewer = User | AnonymousUser


def can_manage_account(viewer: Viewer, user: User) -> bool:
    """Only the account's owner changes its e-mail, password and pseuds or sees its drafts."""
    return bool(viewer.is_authenticated) and viewer.pk == user.pk


def check_manage_account(viewer: Viewer, user: User) -> None:
    if not can_manage_account(viewer, user):
        raise Http404("No such page")


def can_view_drafts(viewer: Viewer, user: User) -> bool:
    return can_manage_account(viewer, user)


def check_view_drafts(viewer: Viewer, user: User) -> None:
    if not can_view_drafts(viewer, user):
        raise Http404("No such page")


def can_edit_pseud(viewer: Viewer, pseud: Pseud) -> bool:
    return bool(viewer.is_authenticated) and viewer.pk == pseud.user_id


def check_edit_pseud(viewer: Viewer, pseud: Pseud) -> None:
    if not can_edit_pseud(viewer, pseud):
        raise Http404("No such page")
