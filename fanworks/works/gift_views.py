"""Gift pages at AO3's URLs: /users/NAME/gifts and /users/NAME/pseuds/PSEUD/gifts list the
works given to a user (or one pseud) that the viewer may see; the recipient refuses a gift
with POST /gifts/ID/refuse. Missing and forbidden both answer 404."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from fanworks.accounts.permissions import can_manage_account
from fanworks.accounts.queries import pseud_by_name, user_by_name
from fanworks.core.pagination import paginate, requested_page
from fanworks.works.gift_actions import gift_refuse
from fanworks.works.gift_queries import gift_ids_by_work, gift_of_recipient, gifted_works


@require_http_methods(["GET", "HEAD"])
def user_gifts(request: HttpRequest, username: str, pseud_name: str | None = None) -> HttpResponse:
    user = user_by_name(username)
    if user is None:
        raise Http404("No such user")
    pseud = None
    if pseud_name is not None:
        pseud = pseud_by_name(user, pseud_name)
        if pseud is None:
            raise Http404("No such pseud")
    page = paginate(gifted_works(request.user, user, pseud), requested_page(request))
    is_owner = can_manage_account(request.user, user)
    refusable = gift_ids_by_work(user, [w.pk for w in page.items]) if is_owner else {}
    listed = [(work, refusable.get(work.pk)) for work in page.items]
    context = {
        "profile_user": user,
        "pseud": pseud,
        "byline": pseud.byline if pseud is not None else user.username,
        "page": page,
        "listed": listed,
        "is_owner": is_owner,
    }
    return render(request, "works/gifts.html", context)


@login_required
@require_POST
def gift_refuse_view(request: HttpRequest, gift_id: int) -> HttpResponse:
    user = request.user
    assert user.is_authenticated
    gift = gift_of_recipient(user, gift_id)
    if gift is None:
        raise Http404("No such gift")
    gift_refuse(gift=gift)
    messages.success(
        request, f"You refused the gift of “{gift.work.title}”. It no longer names you."
    )
    return redirect(f"/users/{user.get_username()}/gifts")
