"""Deleting one's account at /users/NAME/delete: a page of choices (each work, comments),
then a confirmation with the password; nothing is deleted before that. Afterwards the
visitor is logged out and shown what happened."""

from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from fanworks.accounts.deletion_actions import ORPHAN, account_delete
from fanworks.accounts.deletion_forms import DeleteAccountForm
from fanworks.accounts.views import owner_or_login
from fanworks.works.orphan_queries import works_of_user


@never_cache
@require_http_methods(["GET", "POST"])
def delete_account(request: HttpRequest, username: str) -> HttpResponse:
    owner = owner_or_login(request, username)
    if isinstance(owner, HttpResponse):
        return owner
    works = list(works_of_user(owner))
    if request.method != "POST":
        form = DeleteAccountForm(user=owner, works=works)
        return render(request, "accounts/delete.html", {"profile_user": owner, "form": form})
    form = DeleteAccountForm(request.POST, user=owner, works=works)
    if not form.is_valid():
        # A wrong password comes back to the confirmation step, every choice kept.
        step = "delete_confirm" if form.data.get("confirm") else "delete"
        template = f"accounts/{step}.html"
        context = {"profile_user": owner, "form": form, "plan": _plan(form)}
        return render(request, template, context, status=400)
    if not form.cleaned_data["confirm"]:
        context = {"profile_user": owner, "form": form, "plan": _plan(form)}
        return render(request, "accounts/delete_confirm.html", context)
    summary = account_delete(
        user=owner,
        choices=form.choices(),
        keep_names=form.keep_names,
        keep_comments=form.keep_comments,
    )
    logout(request)
    return render(request, "accounts/deleted.html", {"summary": summary})


def _plan(form: DeleteAccountForm) -> dict[str, list[str]]:
    """The works to orphan and to delete, by title, for the confirmation page."""
    plan: dict[str, list[str]] = {"orphan": [], "delete": []}
    data = getattr(form, "cleaned_data", {})
    for work in form.works:
        choice = data.get(f"work_{work.pk}")
        if choice:
            plan["orphan" if choice == ORPHAN else "delete"].append(work.title)
    return plan
