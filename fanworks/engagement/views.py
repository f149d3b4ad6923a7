from datetime import UTC

from django.contrib import messages
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    HttpResponseRedirect,
)
from django.shortcuts import render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from fanworks.accounts.models import User
from fanworks.accounts.views import owner_or_login
from fanworks.core.pagination import paginate, requested_page
from fanworks.core.views import login_redirect
from fanworks.engagement.actions import (
    history_clear,
    history_set_enabled,
    kudos_leave,
    reading_delete,
    reading_mark,
)
from fanworks.engagement.permissions import kudos_refusal
from fanworks.engagement.queries import history_works
from fanworks.engagement.stats import COLUMNS, SORTS, daily_hits, hits_chart, work_stats
from fanworks.engagement.visitors import visitor_hash
from fanworks.works.queries import work_for_viewer

# Shown beside the kudos button, where the reader lands (#kudos), not at the top of the page.
INLINE = "inline kudos"


@require_POST
def kudos_create(request: HttpRequest, work_id: int) -> HttpResponse:
    """The "Kudos ♥" button: leave kudos, then go back to the page it was on."""
    work = work_for_viewer(request.user, work_id)
    if work is None:
        raise Http404("No such work")
    back = _back_to_work(request, work.pk)
    refusal = kudos_refusal(request.user, work)
    if refusal is not None:
        messages.error(request, refusal, extra_tags=INLINE)
        return HttpResponseRedirect(back)
    user = request.user if isinstance(request.user, User) else None
    left = kudos_leave(
        work=work,
        user=user,
        visitor_hash="" if user is not None else visitor_hash(request, "kudos"),
    )
    if left is None:
        messages.info(request, "You have already left kudos here. :)", extra_tags=INLINE)
    else:
        messages.success(request, "Thank you for leaving kudos!", extra_tags=INLINE)
    return HttpResponseRedirect(back)


def _back_to_work(request: HttpRequest, work_id: int, anchor: str = "kudos") -> str:
    """The work page or chapter the form was on (never another site or another work)."""
    wanted = request.POST.get("return_to", "").split("#")[0]
    prefix = f"/works/{work_id}"
    if url_has_allowed_host_and_scheme(wanted, allowed_hosts=None) and (
        wanted == prefix or wanted.startswith((prefix + "/", prefix + "?"))
    ):
        return f"{wanted}#{anchor}"
    return f"{prefix}#{anchor}"


# ---------------------------------------------------------------------------------------------
# Reading history and "Marked for Later"


@never_cache
@require_http_methods(["GET", "HEAD"])
def history(request: HttpRequest, username: str) -> HttpResponse:
    owner = owner_or_login(request, username)
    if isinstance(owner, HttpResponse):
        return owner
    for_later = request.GET.get("show") == "to-read"
    works = history_works(request.user, owner, for_later=for_later)
    context = {
        "profile_user": owner,
        "is_owner": True,
        "for_later": for_later,
        "page": paginate(works, requested_page(request)),
    }
    return render(request, "engagement/history.html", context)


@require_POST
def history_change(request: HttpRequest, username: str) -> HttpResponse:
    """Clear the history, turn it on or off, or take one work out of it."""
    owner = owner_or_login(request, username)
    if isinstance(owner, HttpResponse):
        return owner
    change = request.POST.get("change", "")
    work_id = request.POST.get("work_id", "")
    if change == "clear":
        history_clear(user=owner)
        messages.success(request, "Your history is now cleared.")
    elif change in ("off", "on"):
        history_set_enabled(user=owner, enabled=change == "on")
        if change == "on":
            messages.success(request, "Your reading history is on.")
        else:
            messages.success(request, "Your reading history is off and was cleared.")
    elif change == "delete" and work_id.isdigit() and len(work_id) < 19:
        if reading_delete(user=owner, work_id=int(work_id)):
            messages.success(request, "The work was removed from your history.")
    else:
        return HttpResponseBadRequest("Unknown change to the history.")
    return HttpResponseRedirect(f"/users/{owner.username}/readings")


@require_POST
def reading_mark_view(request: HttpRequest, work_id: int, for_later: bool) -> HttpResponse:
    """AO3's "Mark for Later" and "Mark as Read" buttons on a work."""
    if not isinstance(request.user, User):
        return login_redirect(request)
    work = work_for_viewer(request.user, work_id)
    if work is None or not work.posted:
        raise Http404("No such work")
    reading_mark(user=request.user, work=work, for_later=for_later)
    if for_later:
        messages.success(request, "This work was added to your Marked for Later list.")
    else:
        messages.success(request, "This work was marked as read.")
    return HttpResponseRedirect(_back_to_work(request, work.pk, anchor="main"))


# ---------------------------------------------------------------------------------------------
# A creator's statistics


@never_cache
@require_http_methods(["GET", "HEAD"])
def stats(request: HttpRequest, username: str) -> HttpResponse:
    owner = owner_or_login(request, username)
    if isinstance(owner, HttpResponse):
        return owner
    sort = request.GET.get("sort", "date")
    if sort not in SORTS:
        sort = "date"
    works, totals = work_stats(owner, sort)
    points = daily_hits(owner, timezone.now().astimezone(UTC).date())
    context = {
        "profile_user": owner,
        "is_owner": True,
        "works": works,
        "totals": totals,
        "columns": list(COLUMNS.items()),
        "sort": sort,
        "chart": hits_chart(points),
        "chart_days": len(points),
        "chart_total": sum(hits for _, hits in points),
    }
    return render(request, "engagement/stats.html", context)
