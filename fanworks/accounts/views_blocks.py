"""Blocking: the list of users one blocks, and the block / unblock button on profiles."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from fanworks.accounts import queries
from fanworks.accounts.actions import block_user, unblock_user
from fanworks.accounts.models import MAX_BLOCKS
from fanworks.accounts.views import _owner_or_deny


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def blocked(request: HttpRequest, username: str) -> HttpResponse:
    """`/users/NAME/blocked`: whom NAME blocks (NAME alone sees it). A POST blocks or unblocks
    the user named in `username`, then goes back to `return_to` (a page of this site)."""
    owner = _owner_or_deny(request, username)
    if isinstance(owner, HttpResponse):
        return owner
    if request.method == "POST":
        other = queries.user_by_name(request.POST.get("username", "")[:100])
        if other is None:
            raise Http404("No such user")
        if request.POST.get("change") == "unblock":
            unblock_user(blocker=owner, blocked=other)
            messages.success(request, f"You have unblocked {other.username}.")
        else:
            try:
                block_user(blocker=owner, blocked=other)
                messages.success(request, f"You have blocked {other.username}.")
            except ValidationError as refusal:
                messages.error(request, " ".join(refusal.messages))
        back = request.POST.get("return_to", "")
        if not (back.startswith("/") and url_has_allowed_host_and_scheme(back, allowed_hosts=None)):
            back = f"/users/{owner.username}/blocked"
        return HttpResponseRedirect(back)
    context = {
        "profile_user": owner,
        "is_owner": True,
        "blocks": list(queries.blocked_users(owner)),
        "max_blocks": MAX_BLOCKS,
    }
    return render(request, "accounts/blocked.html", context)
