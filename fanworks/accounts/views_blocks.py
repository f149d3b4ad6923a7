"""Blocking and muting: the private lists of users one blocks or mutes, and the buttons on
profiles that add and remove them."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from fanworks.accounts import queries
from fanworks.accounts.actions import block_user, mute_user, unblock_user, unmute_user
from fanworks.accounts.models import MAX_BLOCKS, MAX_MUTES, User
from fanworks.accounts.views import owner_or_login, safe_return_to


@dataclass(frozen=True)
class Relation:
    verb: str  # "block" / "mute"
    title: str
    explanation: str
    limit: int
    add: Callable[[User, User], Any]
    remove: Callable[[User, User], bool]
    listing: Callable[[User], Any]
    other: str  # the attribute of a row naming the other user


BLOCKS = Relation(
    verb="block",
    title="Blocked users",
    explanation=(
        "Users you block cannot leave kudos on your works (nor, as those arrive, comment on "
        "them, reply to your comments or give you gifts). They are not told."
    ),
    limit=MAX_BLOCKS,
    add=lambda owner, other: block_user(blocker=owner, blocked=other),
    remove=lambda owner, other: unblock_user(blocker=owner, blocked=other),
    listing=queries.blocked_users,
    other="blocked",
)
MUTES = Relation(
    verb="mute",
    title="Muted users",
    explanation=(
        "Works by users you mute no longer appear for you in listings, tag pages, searches, "
        "counts or filters (a link to one still opens it). They are not told."
    ),
    limit=MAX_MUTES,
    add=lambda owner, other: mute_user(muter=owner, muted=other),
    remove=lambda owner, other: unmute_user(muter=owner, muted=other),
    listing=queries.muted_users,
    other="muted",
)


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def blocked(request: HttpRequest, username: str) -> HttpResponse:
    return _relations(request, username, BLOCKS)


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def muted(request: HttpRequest, username: str) -> HttpResponse:
    return _relations(request, username, MUTES)


def _relations(request: HttpRequest, username: str, relation: Relation) -> HttpResponse:
    """`/users/NAME/blocked` or `/muted`: the list (NAME alone sees it). A POST adds or removes
    the user named in `username`, then goes back to `return_to` (a page of this site)."""
    owner = owner_or_login(request, username)
    if isinstance(owner, HttpResponse):
        return owner
    if request.method == "POST":
        other = queries.user_by_name(request.POST.get("username", "")[:100])
        if other is None:
            raise Http404("No such user")
        if request.POST.get("change") == f"un{relation.verb}":
            relation.remove(owner, other)
            messages.success(request, f"You have un{relation.verb}ed {other.username}.")
        else:
            try:
                relation.add(owner, other)
                messages.success(request, f"You have {relation.verb}ed {other.username}.")
            except ValidationError as refusal:
                messages.error(request, " ".join(refusal.messages))
        back = safe_return_to(request, request.POST.get("return_to"))
        return HttpResponseRedirect(back or f"/users/{owner.username}/{relation.verb}ed")
    rows = [(getattr(row, relation.other), row.created_at) for row in relation.listing(owner)]
    context = {
        "profile_user": owner,
        "is_owner": True,
        "relation": relation,
        "rows": rows,
    }
    return render(request, "accounts/relations.html", context)
