"""Related works pages: a creator's /users/NAME/related_works (requests to approve or decline,
approvals to withdraw, and the parents their works name), and the buttons behind it. Missing
and forbidden both answer 404; a refused action changes nothing."""

from typing import Any
from urllib.parse import urlencode, urlsplit

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from fanworks.accounts.models import User
from fanworks.accounts.views import owner_or_login
from fanworks.core.numbers import is_plain_number
from fanworks.core.pagination import PER_PAGE, page_prefix, paginate, requested_page
from fanworks.works.models import RelationState, Work
from fanworks.works.queries import Viewer
from fanworks.works.related_actions import (
    related_work_approve,
    related_work_decline,
    related_work_remove,
)
from fanworks.works.related_queries import (
    children_for_viewer,
    link_by_id,
    parent_links_of_user,
    parents_for_viewer,
    related_requests,
)

# The query parameter of the second list on the Related Works page (the first uses "page").
PARENTS_PAGE = "parents_page"


def related_for_work_page(viewer: Viewer, work: Work) -> dict[str, Any]:
    """The work page's parents (preface) and children by type (afterword)."""
    return {
        "parents": parents_for_viewer(viewer, work),
        "children": children_for_viewer(viewer, work),
    }


@never_cache
@require_http_methods(["GET", "HEAD"])
def user_related_works(request: HttpRequest, username: str) -> HttpResponse:
    """AO3's /users/NAME/related_works, for its owner: links to their works by others, and
    the parents their own works name; each list a page at a time, with its own page number
    (`page` and `parents_page`) so moving through one keeps the other where it is."""
    owner = owner_or_login(request, username)
    if isinstance(owner, HttpResponse):
        return owner
    requests = related_requests(owner)
    context = {
        "owner": owner,
        "profile_user": owner,
        "is_owner": True,
        "requests_page": paginate(requests, requested_page(request)),
        "requests_prefix": page_prefix(request),
        "pending_count": requests.filter(state=RelationState.PENDING).count(),
        "parents_page": paginate(
            parent_links_of_user(owner), requested_page(request, PARENTS_PAGE)
        ),
        "parents_prefix": page_prefix(request, PARENTS_PAGE),
    }
    return render(request, "works/related/user_related_works.html", context)


@login_required
@require_http_methods(["GET", "HEAD"])
def my_related_works(request: HttpRequest) -> HttpResponse:
    """/related_works, where notifications point: the viewer's own Related Works page (the
    link is the same for every recipient, so an e-mail need not name them)."""
    return _back(request)


def _back(request: HttpRequest) -> HttpResponse:
    return redirect(f"/users/{request.user.get_username()}/related_works")


def _back_to_page(request: HttpRequest, user: User) -> HttpResponse:
    """The Related Works page a button was on (its `return_to`), so an action on page 3 comes
    back to page 3. Only the user's own page is accepted, and of its query only the two page
    numbers, rebuilt from digits: any other site, path or parameter goes back to page 1. A
    number past the list's last page (the removed link was the last one there) becomes the
    last page, which exists."""
    own = f"/users/{user.username}/related_works"
    wanted = urlsplit(request.POST.get("return_to", ""))
    if wanted.scheme or wanted.netloc or wanted.path != own:
        return redirect(own)
    query = QueryDict(wanted.query)
    lists = (("page", related_requests(user)), (PARENTS_PAGE, parent_links_of_user(user)))
    kept: list[tuple[str, int]] = []
    for param, links in lists:
        raw = query.get(param, "")
        if not is_plain_number(raw) or int(raw[:10]) < 2:
            continue
        last_page = max(1, -(-links.count() // PER_PAGE))
        # Ten digits are past any real page count; longer need not be converted.
        number = last_page if len(raw) > 9 else min(int(raw), last_page)
        if number > 1:
            kept.append((param, number))
    return redirect(f"{own}?{urlencode(kept)}" if kept else own)


def _act(request: HttpRequest, link_id: int, verb: str) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    link = link_by_id(link_id)
    if link is None:
        raise Http404("No such related work")
    try:
        if verb == "approve":
            related_work_approve(user=user, link=link)
            messages.success(request, "The link was approved: your work now lists the other one.")
        elif verb == "decline":
            related_work_decline(user=user, link=link)
            messages.success(request, "The link was declined: your work does not list it.")
        else:
            related_work_remove(user=user, link=link)
            messages.success(request, "The link was removed.")
    except PermissionDenied:
        raise Http404("No such related work") from None
    return _back_to_page(request, user)


@login_required
@require_POST
def related_work_approve_view(request: HttpRequest, link_id: int) -> HttpResponse:
    return _act(request, link_id, "approve")


@login_required
@require_POST
def related_work_decline_view(request: HttpRequest, link_id: int) -> HttpResponse:
    return _act(request, link_id, "decline")


@login_required
@require_POST
def related_work_remove_view(request: HttpRequest, link_id: int) -> HttpResponse:
    return _act(request, link_id, "remove")
