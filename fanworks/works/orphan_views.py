"""Orphaning pages at AO3's URLs: /works/ID/orphan (one work) and /users/NAME/orphan (several
or all of one's works). Each shows a confirmation first; only its POST changes anything.
Missing and forbidden both answer 404."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from fanworks.accounts.models import User
from fanworks.accounts.permissions import can_manage_account
from fanworks.accounts.queries import user_by_name
from fanworks.works import queries
from fanworks.works.forms import attach_errors
from fanworks.works.orphan_actions import works_orphan
from fanworks.works.orphan_forms import OrphanChoiceForm, OrphanWorksForm
from fanworks.works.orphan_queries import works_to_orphan
from fanworks.works.permissions import check_edit_work


@login_required
@require_http_methods(["GET", "POST"])
def work_orphan(request: HttpRequest, work_id: int) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    work = queries.work_for_viewer(user, work_id)
    if work is None or not work.posted:  # drafts are deleted, never orphaned
        raise Http404("No such work")
    check_edit_work(user, work)
    status = 200
    if request.method == "POST":
        form = OrphanChoiceForm(request.POST)
        if form.is_valid():
            works_orphan(user=user, work_ids=[work.pk], keep_names=form.keep_names)
            messages.success(
                request, f"“{work.title}” is orphaned. It is no longer linked to your account."
            )
            return redirect(work.get_absolute_url())
        status = 400
    else:
        form = OrphanChoiceForm()
    return render(request, "works/orphan.html", {"work": work, "form": form}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def user_orphan(request: HttpRequest, username: str) -> HttpResponse:
    owner = user_by_name(username)
    if owner is None or not can_manage_account(request.user, owner):
        raise Http404("No such page")
    works = list(works_to_orphan(owner))
    choices = [(work.pk, work.title) for work in works]
    status = 200
    if request.method == "POST":
        form = OrphanWorksForm(request.POST, work_choices=choices)
        if form.is_valid():
            chosen = [work for work in works if work.pk in set(form.cleaned_data["works"])]
            if form.cleaned_data["confirm"]:
                try:
                    done = works_orphan(
                        user=owner, work_ids=[w.pk for w in chosen], keep_names=form.keep_names
                    )
                except ValidationError as error:
                    attach_errors(form, error, {})
                    status = 400
                else:
                    messages.success(request, f"Orphaned {len(done)} work(s).")
                    return redirect(f"/users/{owner.username}/works")
            else:
                context = {"profile_user": owner, "form": form, "chosen": chosen}
                return render(request, "works/orphan_confirm.html", context)
        else:
            status = 400
    else:
        form = OrphanWorksForm(work_choices=choices, initial={"works": [w.pk for w in works]})
    context = {"profile_user": owner, "form": form, "works": works}
    return render(request, "works/orphan_works.html", context, status=status)
