"""Co-creator pages: the invitee's "Co-Creator Requests" (/users/NAME/creatorships) and the
"Remove me as co-creator" buttons of works, chapters and series. Invitations themselves are
sent from the posting and edit forms (the "Invite co-creators" field)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from fanworks.accounts.models import User
from fanworks.accounts.views import owner_or_login
from fanworks.core.numbers import is_plain_number
from fanworks.core.pagination import paginate, requested_page
from fanworks.works import cocreator_actions
from fanworks.works.cocreator_actions import Target
from fanworks.works.cocreator_models import CreatorInvitation
from fanworks.works.cocreator_queries import (
    describe_invitations,
    invitations_for_user,
    is_credited_on,
    target_of,
)
from fanworks.works.models import Chapter, Series
from fanworks.works.permissions import is_creator
from fanworks.works.queries import work_for_viewer
from fanworks.works.series_queries import series_for_viewer

# At most this many invitations are answered by one submit (a page shows fewer).
MAX_ANSWERED = 500


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def creatorships(request: HttpRequest, username: str) -> HttpResponse:
    owner = owner_or_login(request, username)
    if isinstance(owner, HttpResponse):
        return owner
    if request.method == "POST":
        raw = request.POST.getlist("invitation_ids")[:MAX_ANSWERED]
        ids = [int(value) for value in raw if is_plain_number(value) and len(value) < 19]
        accept = "accept" in request.POST
        if not ids or not (accept or "decline" in request.POST):
            messages.error(request, "Please choose at least one request, then Accept or Decline.")
        else:
            count = cocreator_actions.invitations_answer(
                user=owner, invitation_ids=ids, accept=accept
            )
            verb = "accepted" if accept else "declined"
            noun = "request" if count == 1 else "requests"
            messages.success(request, f"You {verb} {count} co-creator {noun}.")
        return HttpResponseRedirect(f"/users/{owner.username}/creatorships")
    page = paginate(invitations_for_user(owner), requested_page(request))
    context = {
        "owner": owner,
        "profile_user": owner,
        "is_owner": True,
        "page": page,
        "invitations": describe_invitations(owner, page.items),
    }
    return render(request, "works/creatorships.html", context)


@login_required
def my_creatorships(request: HttpRequest) -> HttpResponse:
    """Where a co-creator notification points: the reader's own requests page."""
    return redirect(f"/users/{request.user.get_username()}/creatorships")


@login_required
@require_POST
def invitation_withdraw(request: HttpRequest, invitation_id: int) -> HttpResponse:
    """A creator of the work, chapter or series takes back an invitation not yet answered."""
    invitation = (
        CreatorInvitation.objects.filter(pk=invitation_id)
        .select_related("pseud", "work", "chapter__work", "series")
        .first()
    )
    if invitation is None:
        raise Http404("No such invitation")
    target = target_of(invitation)
    work = target.work if isinstance(target, Chapter) else target
    if isinstance(work, Series):
        allowed = is_credited_on(request.user, work)
        back = f"{work.get_absolute_url()}/edit"
    else:
        allowed = is_creator(request.user, work)
        back = f"/works/{work.pk}/edit"
        if isinstance(target, Chapter):
            back = f"/works/{work.pk}/chapters/{target.pk}/edit"
    if not allowed:
        raise Http404("No such invitation")
    cocreator_actions.invitation_withdraw(invitation=invitation)
    messages.success(request, f"The invitation to {invitation.pseud.name} was withdrawn.")
    return redirect(back)


def _remove_me(request: HttpRequest, target: Target, *, back: str, after: str) -> HttpResponse:
    user = request.user
    if not isinstance(user, User) or not is_credited_on(user, target):
        raise Http404("Not found")
    try:
        cocreator_actions.creator_remove_self(user=user, target=target)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(back)
    messages.success(request, "You have been removed as a co-creator.")
    return redirect(after)


@login_required
@require_POST
def work_remove_me(request: HttpRequest, work_id: int) -> HttpResponse:
    work = work_for_viewer(request.user, work_id)
    if work is None:
        raise Http404("No such work")
    # Once removed, a draft is no longer theirs to see: go to their works page instead.
    after = work.get_absolute_url() if work.posted else f"/users/{request.user.get_username()}"
    return _remove_me(request, work, back=f"/works/{work.pk}/edit", after=after)


@login_required
@require_POST
def chapter_remove_me(request: HttpRequest, work_id: int, chapter_id: int) -> HttpResponse:
    work = work_for_viewer(request.user, work_id)
    chapter = Chapter.objects.filter(pk=chapter_id, work_id=work_id).first()
    if work is None or chapter is None:
        raise Http404("No such chapter")
    back = f"/works/{work.pk}/chapters/{chapter.pk}/edit"
    return _remove_me(request, chapter, back=back, after=chapter.get_absolute_url())


@login_required
@require_POST
def series_remove_me(request: HttpRequest, series_id: int) -> HttpResponse:
    series = series_for_viewer(request.user, series_id)
    if series is None:
        raise Http404("No such series")
    url = series.get_absolute_url()
    return _remove_me(request, series, back=f"{url}/edit", after=url)
