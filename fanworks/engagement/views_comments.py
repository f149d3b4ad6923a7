"""Comment pages at AO3's URLs: posting, replies, threads, edits, deletes, freezing and the
moderation queue, and the comment section of the work page."""

from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseRedirect,
)
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from fanworks.accounts.models import User
from fanworks.core.pagination import paginate, requested_page
from fanworks.core.ratelimit import record_hit, retry_after, wait_text
from fanworks.core.views import login_redirect
from fanworks.engagement.comment_actions import (
    Commenter,
    comment_approve,
    comment_create,
    comment_delete,
    comment_freeze,
    comment_update,
)
from fanworks.engagement.forms import CommentForm
from fanworks.engagement.models import Comment
from fanworks.engagement.permissions import (
    can_delete_comment,
    can_moderate_comments,
    comment_edit_refusal,
    comment_refusal,
)
from fanworks.engagement.queries import (
    MAX_ROW_ID,
    CommentThreads,
    chapter_threads,
    comment_for_viewer,
    comment_url,
    comment_viewer,
    thread_from,
    unreviewed_comments,
)
from fanworks.engagement.throttles import comment_limit
from fanworks.engagement.visitors import visitor_hash
from fanworks.works.forms import attach_errors
from fanworks.works.models import Chapter, Work
from fanworks.works.permissions import is_creator
from fanworks.works.queries import chapter_to_act_on, work_to_act_on


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
    found = chapter_to_act_on(request.user, chapter_id) if 0 < chapter_id <= MAX_ROW_ID else None
    if found is None:
        raise Http404("No such chapter")
    work, chapter = found
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
            f"{wait_text(wait)}; your comment is still here.",
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
            key_checked=earlier is None,
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
def work_comments_unreviewed(request: HttpRequest, work_id: int) -> HttpResponse:
    """The creator's moderation queue: comments waiting for approval, oldest first."""
    if not request.user.is_authenticated:
        return login_redirect(request)
    work = work_to_act_on(request.user, work_id)
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
    work = work_to_act_on(request.user, work_id)
    if work is None or not work.posted:
        raise Http404("No such work")
    return HttpResponseRedirect(f"/works/{work.pk}#add_comment")
