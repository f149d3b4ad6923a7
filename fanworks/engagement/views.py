from dataclasses import dataclass
from datetime import UTC, timedelta

from django.contrib import messages
from django.core.exceptions import ValidationError
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
from fanworks.core.numbers import is_plain_number
from fanworks.core.pagination import paginate, requested_page
from fanworks.core.ratelimit import record_hit, retry_after
from fanworks.core.views import login_redirect
from fanworks.engagement.actions import (
    Commenter,
    comment_approve,
    comment_create,
    comment_delete,
    comment_freeze,
    comment_update,
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
from fanworks.engagement.forms import CommentForm
from fanworks.engagement.mail import notification_link
from fanworks.engagement.models import Comment
from fanworks.engagement.permissions import (
    can_delete_comment,
    can_moderate_comments,
    comment_edit_refusal,
    comment_refusal,
    kudos_refusal,
    subscribe_refusal,
)
from fanworks.engagement.queries import (
    CommentThreads,
    chapter_threads,
    comment_for_viewer,
    comment_url,
    comment_viewer,
    history_works,
    inbox_notifications,
    subscriptions_of,
    thread_from,
    unreviewed_comments,
)
from fanworks.engagement.stats import COLUMNS, SORTS, daily_hits, hits_chart, work_stats
from fanworks.engagement.throttles import comment_limit
from fanworks.engagement.visitors import visitor_hash
from fanworks.works.forms import attach_errors
from fanworks.works.models import Chapter, Work
from fanworks.works.permissions import is_creator
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
    wanted = request.POST.get("return_to", "")
    if wanted.startswith("/") and url_has_allowed_host_and_scheme(wanted, allowed_hosts=None):
        return wanted
    return fallback


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


# Comments


@dataclass
class CommentSection:
    """The "Comments" box under a work or chapter."""

    work: Work
    chapter: Chapter  # where a new comment goes: the chapter shown (the first in full view)
    threads: CommentThreads
    refusal: str | None
    form: CommentForm | None
    moderator: bool
    unreviewed: int
    page_path: str


def comment_section(
    request: HttpRequest, work: Work, shown: list[Chapter], *, full_view: bool
) -> CommentSection | None:
    """What the work page shows of comments (nothing on a draft)."""
    if not work.posted or not shown:
        return None
    chapter = shown[0]
    who = comment_viewer(request.user, work, chapter)
    threads = chapter_threads(who, work, [c for c in shown if c.posted], request.GET.get("page"))
    if threads.work_count != work.comment_count and request.user.is_authenticated:
        # Muted users' comments are not on the page, so neither are they in its figures.
        work.comment_count = threads.work_count
    user = request.user if isinstance(request.user, User) else None
    return CommentSection(
        work=work,
        chapter=chapter,
        threads=threads,
        refusal=who.work_refusal,
        form=None if who.work_refusal else CommentForm(user=user),
        moderator=who.moderator,
        # Also after moderation is turned off: what still waits must not be forgotten.
        unreviewed=unreviewed_comments(work, request.user).count() if who.moderator else 0,
        page_path=request.path,
    )


def _posted_chapter_or_404(request: HttpRequest, chapter_id: int) -> tuple[Work, Chapter]:
    # The chapter's text is not needed to comment on it.
    chapter = Chapter.objects.filter(pk=chapter_id).defer("content", "content_html").first()
    work = work_to_act_on(request.user, chapter.work_id) if chapter is not None else None
    if work is None or chapter is None:
        raise Http404("No such chapter")
    if not chapter.posted and not is_creator(request.user, work):
        raise Http404("No such chapter")
    return work, chapter


def _comment_or_404(request: HttpRequest, comment_id: int) -> tuple[Comment, Work]:
    found = comment_for_viewer(request.user, comment_id)
    if found is None:
        raise Http404("No such comment")
    return found


# Action error keys → the form field that shows them.
COMMENT_ERROR_FIELDS = {"content": "comment_content", "pseud": "pseud_id"}


def _comment_form_page(
    request: HttpRequest,
    *,
    work: Work,
    form: CommentForm | None,
    action: str,
    status: int,
    heading: str,
    parent: Comment | None = None,
    problem: str = "",
) -> HttpResponse:
    """The comment form on its own page: after a refusal or a mistake (the text kept), for a
    reply without the work page around it, or to edit."""
    context = {
        "work": work,
        "form": form,
        "action": action,
        "heading": heading,
        "parent": parent,
        "problem": problem,
        # After a refusal the form is gone, but what was typed is given back to copy.
        "kept_text": request.POST.get("comment[comment_content]", "") if form is None else "",
    }
    return render(request, "engagement/comment_form.html", context, status=status)


def _wait_text(seconds: int) -> str:
    """When a limited commenter may try again, e.g. "5 minutes (at 22:41 UTC)"."""
    at = timezone.now() + timedelta(seconds=seconds)
    if seconds < 60:
        amount = f"{seconds} second{'s' * (seconds != 1)}"
    else:
        minutes = -(-seconds // 60)  # rounded up: never tell someone to come back too early
        amount = f"{minutes} minute{'s' * (minutes != 1)}"
    return f"{amount} (at {at.astimezone(UTC):%H:%M} UTC)"


def _post_comment(
    request: HttpRequest, work: Work, chapter: Chapter, parent: Comment | None
) -> HttpResponse:
    user = request.user if isinstance(request.user, User) else None
    action = request.path
    heading = "Reply to comment" if parent is not None else f"Comment on {work.title}"
    target = f"reply_{parent.pk}" if parent is not None else "new"
    form = CommentForm(request.POST, user=user, target=target)
    refusal = comment_refusal(request.user, work, chapter, parent)
    if refusal is not None:
        return _comment_form_page(
            request, work=work, form=None, action=action, status=403, heading=heading,
            parent=parent, problem=refusal,
        )  # fmt: skip
    if not form.is_valid():
        return _comment_form_page(
            request, work=work, form=form, action=action, status=400, heading=heading,
            parent=parent,
        )  # fmt: skip
    key = form.cleaned_data.get("creation_key")
    earlier = Comment.objects.filter(creation_key=key).first() if key is not None else None
    if earlier is not None and (earlier.work_id, earlier.user_id) == (work.pk, user and user.pk):
        # The same form sent twice: the first one posted it.
        return HttpResponseRedirect(comment_url(earlier, work))
    limit = comment_limit(user, visitor_hash(request, "comments"))
    wait = retry_after(limit) if limit is not None else None
    if wait is not None:
        form.add_error(
            None,
            "You have posted a lot of comments in a short time. Please try again in "
            f"{_wait_text(wait)}; your comment is still here.",
        )
        response = _comment_form_page(
            request, work=work, form=form, action=action, status=429, heading=heading,
            parent=parent,
        )  # fmt: skip
        response["Retry-After"] = str(wait)
        return response
    try:
        comment = comment_create(
            work=work,
            chapter=chapter,
            parent=parent,
            by=Commenter(
                user=user,
                pseud=form.pseud(),
                guest_name=form.cleaned_data.get("name", ""),
                guest_email=form.cleaned_data.get("email", ""),
            ),
            content=form.cleaned_data["comment_content"],
            creation_key=key,
        )
    except ValidationError as error:
        attach_errors(form, error, COMMENT_ERROR_FIELDS)
        return _comment_form_page(
            request, work=work, form=form, action=action, status=400, heading=heading,
            parent=parent,
        )  # fmt: skip
    if limit is not None:
        record_hit(limit)
    if comment.approved:
        messages.success(request, "Comment created!")
    else:
        messages.success(
            request,
            "Your comment was received! It will appear publicly after the work's creator "
            "has approved it.",
        )
    return HttpResponseRedirect(comment_url(comment, work))


@require_http_methods(["GET", "HEAD", "POST"])
def chapter_comments(request: HttpRequest, chapter_id: int) -> HttpResponse:
    """POST: a new comment on the chapter. GET: the chapter's comments (on its page)."""
    work, chapter = _posted_chapter_or_404(request, chapter_id)
    if request.method != "POST":
        return HttpResponseRedirect(f"/works/{work.pk}/chapters/{chapter.pk}#comments")
    return _post_comment(request, work, chapter, None)


@require_http_methods(["GET", "HEAD", "POST"])
def comment_replies(request: HttpRequest, comment_id: int) -> HttpResponse:
    """POST: a reply to the comment. GET: the reply form on its own page."""
    comment, work = _comment_or_404(request, comment_id)
    if request.method == "POST":
        return _post_comment(request, work, comment.chapter, comment)
    refusal = comment_refusal(request.user, work, comment.chapter, comment)
    user = request.user if isinstance(request.user, User) else None
    return _comment_form_page(
        request,
        work=work,
        form=None if refusal else CommentForm(user=user, target=f"reply_{comment.pk}"),
        action=request.path,
        status=200,
        heading="Reply to comment",
        parent=comment,
        problem=refusal or "",
    )


@require_http_methods(["GET", "HEAD"])
def comment_show(request: HttpRequest, comment_id: int) -> HttpResponse:
    """A comment and its replies: where "Continue this thread" leads."""
    comment, work = _comment_or_404(request, comment_id)
    who = comment_viewer(request.user, work, comment.chapter)
    user = request.user if isinstance(request.user, User) else None
    context = {
        "work": work,
        "comment": comment,
        "node": thread_from(who, comment),
        "reply_form": CommentForm(user=user, target=f"reply_{comment.pk}")
        if who.work_refusal is None
        else None,
    }
    return render(request, "engagement/comment_thread.html", context)


@require_http_methods(["GET", "HEAD", "POST"])
def comment_edit(request: HttpRequest, comment_id: int) -> HttpResponse:
    comment, work = _comment_or_404(request, comment_id)
    user = request.user if isinstance(request.user, User) else None
    refusal = comment_edit_refusal(request.user, comment, work)
    if refusal is not None:
        if user is None:
            return login_redirect(request)
        return _comment_form_page(
            request, work=work, form=None, action=request.path, status=403,
            heading="Edit comment", problem=refusal,
        )  # fmt: skip
    status = 200
    if request.method == "POST":
        form = CommentForm(request.POST, user=user, editing=True)
        if form.is_valid():
            try:
                comment_update(comment=comment, content=form.cleaned_data["comment_content"])
            except ValidationError as error:
                attach_errors(form, error, COMMENT_ERROR_FIELDS)
            else:
                messages.success(request, "Comment was successfully updated.")
                return HttpResponseRedirect(comment_url(comment, work))
        status = 400
    else:
        form = CommentForm(user=user, editing=True, initial={"comment_content": comment.content})
    return _comment_form_page(
        request, work=work, form=form, action=request.path, status=status,
        heading="Edit comment",
    )  # fmt: skip


@require_http_methods(["GET", "HEAD", "POST"])
def comment_delete_view(request: HttpRequest, comment_id: int) -> HttpResponse:
    """GET asks "are you sure?"; POST deletes."""
    comment, work = _comment_or_404(request, comment_id)
    if not can_delete_comment(request.user, comment, work):
        if not request.user.is_authenticated:
            return login_redirect(request)
        return _comment_form_page(
            request, work=work, form=None, action=request.path, status=403,
            heading="Delete comment",
            problem="Only the comment's author, the work's creators and admins can delete it.",
        )  # fmt: skip
    if request.method != "POST":
        return render(request, "engagement/comment_delete.html", {"work": work, "comment": comment})
    back = comment_url(comment, work).split("#")[0] + "#comments"  # before the thread goes
    comment_delete(comment=comment)
    messages.success(request, "Comment deleted.")
    return HttpResponseRedirect(back)


def _moderation(request: HttpRequest, comment_id: int) -> tuple[Comment, Work] | HttpResponse:
    comment, work = _comment_or_404(request, comment_id)
    if not can_moderate_comments(request.user, work):
        if not request.user.is_authenticated:
            return login_redirect(request)
        return _comment_form_page(
            request, work=work, form=None, action=request.path, status=403,
            heading="Comment moderation",
            problem="Only the work's creators can freeze threads and approve comments.",
        )  # fmt: skip
    return comment, work


@require_POST
def comment_freeze_view(request: HttpRequest, comment_id: int, frozen: bool) -> HttpResponse:
    """Freeze or unfreeze a thread from this comment down (AO3's "Freeze Thread")."""
    found = _moderation(request, comment_id)
    if isinstance(found, HttpResponse):
        return found
    comment, work = found
    comment_freeze(comment=comment, frozen=frozen)
    messages.success(
        request, "Comment thread successfully frozen!" if frozen else "Comment thread unfrozen."
    )
    return HttpResponseRedirect(comment_url(comment, work))


@require_POST
def comment_approve_view(request: HttpRequest, comment_id: int) -> HttpResponse:
    found = _moderation(request, comment_id)
    if isinstance(found, HttpResponse):
        return found
    comment, work = found
    comment_approve(comment=comment)
    messages.success(request, "Comment approved.")
    if request.POST.get("return_to") == "unreviewed":
        return HttpResponseRedirect(f"/works/{work.pk}/comments/unreviewed")
    return HttpResponseRedirect(comment_url(comment, work))


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


@never_cache
@require_http_methods(["GET", "HEAD"])
def work_comments_unreviewed(request: HttpRequest, work_id: int) -> HttpResponse:
    """The creator's moderation queue: comments waiting for approval, oldest first."""
    if not request.user.is_authenticated:
        return login_redirect(request)
    work = work_for_viewer(request.user, work_id)
    if work is None or not can_moderate_comments(request.user, work):
        raise Http404("No such work")
    context = {
        "work": work,
        "page": paginate(unreviewed_comments(work, request.user), requested_page(request)),
    }
    return render(request, "engagement/comments_unreviewed.html", context)


@require_http_methods(["GET", "HEAD"])
def work_comments_new(request: HttpRequest, work_id: int) -> HttpResponse:
    """AO3's "drop by the Archive and comment" link: the work page's comment form."""
    work = work_for_viewer(request.user, work_id)
    if work is None or not work.posted:
        raise Http404("No such work")
    return HttpResponseRedirect(f"/works/{work.pk}#add_comment")
