"""Kudos, reading history, creator statistics, subscriptions and the inbox."""

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
from fanworks.accounts.views import owner_or_login, safe_return_to
from fanworks.core.numbers import is_plain_number
from fanworks.core.pagination import paginate, requested_page
from fanworks.core.views import login_redirect
from fanworks.engagement.actions import (
    history_clear,
    history_set_enabled,
    kudos_leave,
    notifications_delete,
    notifications_mark,
    reading_delete,
    reading_mark,
    subscription_create,
    subscription_delete,
)
from fanworks.engagement.mail import notification_link
from fanworks.engagement.permissions import (
    kudos_refusal,
    subscribe_refusal,
)
from fanworks.engagement.queries import (
    history_works,
    inbox_notifications,
    subscriptions_of,
)
from fanworks.engagement.stats import COLUMNS, SORTS, daily_hits, hits_chart, work_stats
from fanworks.engagement.visitors import visitor_hash
from fanworks.works.queries import work_for_viewer, work_to_act_on
from fanworks.works.series_queries import series_for_viewer

# Shown beside the kudos button, where the reader lands (#kudos), not at the top of the page.
INLINE = "inline kudos"


@require_POST
def kudos_create(request: HttpRequest, work_id: int) -> HttpResponse:
    """The "Kudos ♥" button: leave kudos, then go back to the page it was on."""
    work = work_to_act_on(request.user, work_id)
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
    elif change == "delete" and is_plain_number(work_id) and len(work_id) < 19:
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
    work = work_to_act_on(request.user, work_id)
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


# ---------------------------------------------------------------------------------------------
# Subscriptions (AO3's /users/NAME/subscriptions) and the inbox

# Selected notifications per request, at most (a page shows PER_PAGE of them).
MAX_SELECTED = 200


def _id(value: str) -> int | None:
    """A positive database id from a form field, or None for anything else."""
    value = value.strip()
    if not is_plain_number(value) or len(value) > 18:
        return None
    number = int(value)
    return number if number > 0 else None


def _return_to(request: HttpRequest, fallback: str) -> str:
    """The page of this site the form came from (its `return_to`), or `fallback`."""
    return safe_return_to(request, request.POST.get("return_to")) or fallback


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def subscriptions(request: HttpRequest, username: str) -> HttpResponse:
    """GET: the owner's subscriptions. POST: subscribe to the work or user named by AO3's
    `subscription[subscribable_type]` ("Work" or "User") and `subscription[subscribable_id]`."""
    if request.method == "POST" and not isinstance(request.user, User):
        return login_redirect(request)
    owner = owner_or_login(request, username)
    if isinstance(owner, HttpResponse):
        return owner
    if request.method == "POST":
        return _subscribe(request, owner)
    kind = request.GET.get("type", "")
    if kind not in ("works", "users", "series"):
        kind = ""
    context = {
        "profile_user": owner,
        "is_owner": True,
        "kind": kind,
        "page": paginate(subscriptions_of(owner, kind=kind), requested_page(request)),
    }
    return render(request, "engagement/subscriptions.html", context)


def _subscribe(request: HttpRequest, owner: User) -> HttpResponse:
    kind = request.POST.get("subscription[subscribable_type]", "")
    target_id = _id(request.POST.get("subscription[subscribable_id]", ""))
    if kind not in ("Work", "User", "Series") or target_id is None:
        return HttpResponseBadRequest("Say what to subscribe to.")
    work = target_user = series = None
    if kind == "Series":
        series = series_for_viewer(owner, target_id)
        if series is None:
            raise Http404("No such series")
        back = _return_to(request, series.get_absolute_url())
        name = series.title
    elif kind == "Work":
        work = work_for_viewer(owner, target_id)
        if work is None:
            raise Http404("No such work")
        back = _return_to(request, f"/works/{work.pk}")
        name = work.title
    else:
        target_user = User.objects.filter(pk=target_id, is_active=True).first()
        if target_user is None:
            raise Http404("No such user")
        back = _return_to(request, f"/users/{target_user.username}")
        name = target_user.username
    refusal = subscribe_refusal(owner, work=work, target_user=target_user, series=series)
    if refusal is not None:
        messages.error(request, refusal)
        return HttpResponseRedirect(back)
    subscription_create(user=owner, work=work, target_user=target_user, series=series)
    messages.success(request, f"You are now following {name}. You'll get notified of updates.")
    return HttpResponseRedirect(back)


@require_POST
def subscription_destroy(request: HttpRequest, username: str, subscription_id: int) -> HttpResponse:
    """AO3's unsubscribe: a POST (with `_method=delete`) to the subscription's address."""
    owner = owner_or_login(request, username)
    if isinstance(owner, HttpResponse):
        return owner
    if not subscription_delete(user=owner, subscription_id=subscription_id):
        raise Http404("No such subscription")
    messages.success(request, "You have unsubscribed.")
    return HttpResponseRedirect(_return_to(request, f"/users/{owner.username}/subscriptions"))


@never_cache
@require_http_methods(["GET", "HEAD"])
def inbox(request: HttpRequest, username: str) -> HttpResponse:
    owner = owner_or_login(request, username)
    if isinstance(owner, HttpResponse):
        return owner
    unread_only = request.GET.get("filter") == "unread"
    notifications = inbox_notifications(owner, unread_only=unread_only)
    page = paginate(notifications, requested_page(request))
    for row in page.items:
        row.link = notification_link(row)
    context = {
        "profile_user": owner,
        "is_owner": True,
        "unread_only": unread_only,
        "page": page,
    }
    return render(request, "engagement/inbox.html", context)


@require_POST
def inbox_update(request: HttpRequest, username: str) -> HttpResponse:
    """Mark the selected notifications read or unread, or delete them. An id that is not one
    of the owner's notifications (or not a number) answers 404 and changes nothing."""
    owner = owner_or_login(request, username)
    if isinstance(owner, HttpResponse):
        return owner
    change = request.POST.get("change", "")
    raw = request.POST.getlist("ids")
    # A row's own button sends "read:42" (the list's checkboxes are then ignored).
    one = request.POST.get("one", "")
    if one:
        change, _, single = one.partition(":")
        raw = [single]
    if change not in ("read", "unread", "delete") or len(raw) > MAX_SELECTED:
        return HttpResponseBadRequest("Unknown change to the inbox.")
    ids = [_id(value) for value in raw]
    back = _return_to(request, f"/users/{owner.username}/inbox")
    if not ids:
        messages.info(request, "Please select some notifications first.")
        return HttpResponseRedirect(back)
    wanted = {pk for pk in ids if pk is not None}
    mine = set(inbox_notifications(owner).filter(pk__in=wanted).values_list("pk", flat=True))
    if None in ids or mine != wanted:
        raise Http404("No such notification")
    if change == "delete":
        notifications_delete(user=owner, ids=sorted(mine))
        messages.success(request, f"Deleted {len(mine)} notification{'s' * (len(mine) != 1)}.")
    else:
        notifications_mark(user=owner, ids=sorted(mine), read=change == "read")
    return HttpResponseRedirect(back)
