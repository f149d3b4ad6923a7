"""`/users/NAME/preferences`: the owner's e-mail notification switches."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from fanworks.accounts.actions import (
    EMAIL_PREFERENCES,
    INVITATION_PREFERENCES,
    preferences_update,
)
from fanworks.accounts.forms import PreferencesForm
from fanworks.accounts.views import owner_or_login


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def preferences(request: HttpRequest, username: str) -> HttpResponse:
    owner = owner_or_login(request, username)
    if isinstance(owner, HttpResponse):
        return owner
    switches = (*EMAIL_PREFERENCES, *INVITATION_PREFERENCES)
    current = {name: getattr(owner, name) for name in switches}
    form = PreferencesForm(request.POST if request.method == "POST" else None, initial=current)
    if request.method == "POST" and form.is_valid():
        preferences_update(
            user=owner, switches={name: form.cleaned_data[name] for name in switches}
        )
        messages.success(request, "Your preferences were successfully updated.")
        return HttpResponseRedirect(f"/users/{owner.username}/preferences")
    context = {"form": form, "owner": owner, "profile_user": owner, "is_owner": True}
    return render(request, "accounts/preferences.html", context)
