"""Account pages: sign up, log in/out, password reset and changes, pseuds and user dashboards.

Views parse, check, call one action or query and render. Paths follow AO3's so that AO3 clients
(FanFicFare, ao3-api, ao3downloader) can log in and read user pages.
"""

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout, update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.middleware.csrf import get_token
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from fanworks.accounts import actions, permissions, queries
from fanworks.accounts.actions import LoginThrottled
from fanworks.accounts.forms import (
    ChangeEmailForm,
    LoginForm,
    PasswordChangeForm,
    PasswordResetRequestForm,
    PseudForm,
    ResetPasswordForm,
    SignupForm,
)
from fanworks.accounts.models import Pseud, User
from fanworks.core.pagination import paginate, requested_page
from fanworks.core.views import login_redirect
from fanworks.works import queries as work_queries

# ---------------------------------------------------------------------------------------------
# Helpers


def safe_return_to(request: HttpRequest, candidate: str | None) -> str | None:
    """`candidate` if it is a path on this site ("/works/1"), otherwise None."""
    if not candidate or not candidate.startswith("/") or candidate.startswith("//"):
        return None
    if url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return None


def _throttled(request: HttpRequest, retry_after: int) -> HttpResponse:
    retry_at = timezone.now() + timedelta(seconds=retry_after)
    minutes = max(1, -(-retry_after // 60))
    response = render(
        request,
        "accounts/throttled.html",
        {"retry_after": retry_after, "minutes": minutes, "retry_at": retry_at},
        status=429,
    )
    response["Retry-After"] = str(retry_after)
    return response


def _user_or_404(username: str) -> User:
    user = queries.user_by_name(username)
    if user is None:
        raise Http404("No such user")
    return user


def _pseud_or_404(user: User, pseud_name: str) -> Pseud:
    pseud = queries.pseud_by_name(user, pseud_name)
    if pseud is None:
        raise Http404("No such pseud")
    return pseud


def _canonical(request: HttpRequest, path: str, *, spelled_right: bool) -> HttpResponse | None:
    """Send GETs for "/users/ALICE" to "/users/alice", keeping the query string."""
    if spelled_right or request.method not in {"GET", "HEAD"}:
        return None
    query = request.META.get("QUERY_STRING", "")
    return HttpResponseRedirect(f"{path}?{query}" if query else path)


def owner_or_login(request: HttpRequest, username: str) -> User | HttpResponse:
    """The account at `username` when the viewer owns it; guests are sent to log in."""
    user = _user_or_404(username)
    if not request.user.is_authenticated:
        return login_redirect(request)
    permissions.check_manage_account(request.user, user)
    return user


# ---------------------------------------------------------------------------------------------
# Sign up, log in, log out


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def signup(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        messages.info(request, "You are already logged in.")
        return redirect(request.user.get_absolute_url())
    form = SignupForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            user = actions.user_create(
                username=form.cleaned_data["username"],
                email=form.cleaned_data["email"],
                password=form.cleaned_data["password"],
            )
        except ValidationError as problem:
            form.add_action_errors(problem)
        else:
            login(request, user, backend=settings.AUTHENTICATION_BACKENDS[0])
            messages.success(request, f"Welcome to {settings.SITE_NAME}, {user.username}!")
            return redirect(user.get_absolute_url())
    return render(request, "accounts/signup.html", {"form": form})


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def login_view(request: HttpRequest) -> HttpResponse:
    get_token(request)  # AO3 clients read the token from this page; make sure the cookie is set
    return_to = safe_return_to(
        request, request.POST.get("return_to") or request.GET.get("return_to")
    )
    failed = False
    if request.method == "POST":
        # ao3-api sends the credentials in the query string of the POST.
        data = request.POST if "user[login]" in request.POST else request.GET
        form = LoginForm(data)
        if form.is_valid():
            try:
                user = actions.user_log_in(
                    request=request,
                    login_name=form.cleaned_data["login"],
                    password=form.cleaned_data["password"],
                    remember=form.cleaned_data["remember_me"],
                )
            except LoginThrottled as throttled:
                return _throttled(request, throttled.retry_after)
            if user is not None:
                messages.success(request, "Successfully logged in.")
                return HttpResponseRedirect(return_to or user.get_absolute_url())
            failed = True
    else:
        form = LoginForm()
    context = {
        "form": form,
        "failed": failed,
        "return_to": return_to or "",
        "restricted": request.GET.get("restricted") == "true",
    }
    return render(request, "accounts/login.html", context)


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def logout_view(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        was_logged_in = request.user.is_authenticated
        logout(request)
        if was_logged_in:
            messages.info(request, "You have logged out.")
        return redirect("/")
    return render(request, "accounts/logout.html")


@never_cache
@require_GET
def token_dispenser(request: HttpRequest) -> JsonResponse:
    """AO3's `/token_dispenser.json`: the CSRF token for clients that post forms."""
    return JsonResponse({"token": get_token(request)})


# ---------------------------------------------------------------------------------------------
# Password reset (Django's views with our forms, templates and limits)


class PasswordResetRequestView(auth_views.PasswordResetView):
    form_class = PasswordResetRequestForm
    template_name = "accounts/password_reset_form.html"
    email_template_name = "accounts/password_reset_email.txt"
    subject_template_name = "accounts/password_reset_subject.txt"
    success_url = "/users/password/sent"

    def form_valid(self, form: Any) -> HttpResponse:
        self.extra_email_context = {"site_name": settings.SITE_NAME}
        return super().form_valid(form)


class PasswordResetSentView(auth_views.PasswordResetDoneView):
    template_name = "accounts/password_reset_sent.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["timeout_hours"] = max(1, settings.PASSWORD_RESET_TIMEOUT // 3600)
        return context


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    form_class = ResetPasswordForm
    template_name = "accounts/password_reset_confirm.html"
    success_url = "/users/password/done"


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "accounts/password_reset_done.html"


# ---------------------------------------------------------------------------------------------
# Account settings


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def change_email(request: HttpRequest, username: str) -> HttpResponse:
    owner = owner_or_login(request, username)
    if isinstance(owner, HttpResponse):
        return owner
    form = ChangeEmailForm(owner, request.POST if request.method == "POST" else None)
    if request.method == "POST":
        try:
            valid = form.is_valid()
        except LoginThrottled as throttled:
            return _throttled(request, throttled.retry_after)
        if valid:
            try:
                actions.user_change_email(user=owner, email=form.cleaned_data["email"])
            except ValidationError as problem:
                for message in problem.message_dict.get("email", problem.messages):
                    form.add_error("email", message)
            else:
                messages.success(request, "Your e-mail address has been changed.")
                return redirect(owner.get_absolute_url())
    return render(request, "accounts/change_email.html", {"form": form, "owner": owner})


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def change_password(request: HttpRequest, username: str) -> HttpResponse:
    owner = owner_or_login(request, username)
    if isinstance(owner, HttpResponse):
        return owner
    form = PasswordChangeForm(owner, request.POST if request.method == "POST" else None)
    if request.method == "POST":
        try:
            valid = form.is_valid()
        except LoginThrottled as throttled:
            return _throttled(request, throttled.retry_after)
        if valid:
            actions.user_change_password(user=owner, password=form.cleaned_data["new_password1"])
            update_session_auth_hash(request, owner)  # stay logged in here
            messages.success(request, "Your password has been changed.")
            return redirect(owner.get_absolute_url())
    return render(request, "accounts/change_password.html", {"form": form, "owner": owner})


# ---------------------------------------------------------------------------------------------
# Dashboards and work listings


@require_http_methods(["GET", "HEAD"])
def profile(request: HttpRequest, username: str) -> HttpResponse:
    user = _user_or_404(username)
    moved = _canonical(request, user.get_absolute_url(), spelled_right=user.username == username)
    if moved:
        return moved
    page = paginate(work_queries.works_by_user(request.user, user), requested_page(request))
    context = {
        "profile_user": user,
        "pseuds": list(queries.pseuds_of_user(user)),
        "page": page,
        "is_owner": permissions.can_manage_account(request.user, user),
    }
    if isinstance(request.user, User) and request.user.pk != user.pk:
        context["blocking"], context["muting"] = queries.blocks_and_mutes(request.user, user)
    return render(request, "accounts/profile.html", context)


@require_http_methods(["GET", "HEAD"])
def about(request: HttpRequest, username: str) -> HttpResponse:
    """AO3's `/users/NAME/profile`: who this is (ao3-api reads the bio from here)."""
    user = _user_or_404(username)
    path = f"{user.get_absolute_url()}/profile"
    moved = _canonical(request, path, spelled_right=user.username == username)
    if moved:
        return moved
    pseuds = list(queries.pseuds_of_user(user))
    context = {
        "profile_user": user,
        "pseuds": pseuds,
        "default_pseud": next((pseud for pseud in pseuds if pseud.is_default), None),
        "is_owner": permissions.can_manage_account(request.user, user),
    }
    return render(request, "accounts/about.html", context)


@require_http_methods(["GET", "HEAD"])
def user_works(request: HttpRequest, username: str) -> HttpResponse:
    user = _user_or_404(username)
    path = f"{user.get_absolute_url()}/works"
    moved = _canonical(request, path, spelled_right=user.username == username)
    if moved:
        return moved
    page = paginate(work_queries.works_by_user(request.user, user), requested_page(request))
    context = {
        "profile_user": user,
        "page": page,
        "byline": user.username,
        "is_owner": permissions.can_manage_account(request.user, user),
    }
    return render(request, "accounts/works.html", context)


@never_cache
@require_http_methods(["GET", "HEAD"])
def drafts(request: HttpRequest, username: str) -> HttpResponse:
    owner = owner_or_login(request, username)
    if isinstance(owner, HttpResponse):
        return owner
    permissions.check_view_drafts(request.user, owner)
    page = paginate(work_queries.drafts_of_user(owner), requested_page(request))
    return render(
        request,
        "accounts/drafts.html",
        {"profile_user": owner, "page": page, "is_owner": True},
    )


# ---------------------------------------------------------------------------------------------
# Pseuds


@require_http_methods(["GET", "HEAD"])
def pseud_list(request: HttpRequest, username: str) -> HttpResponse:
    user = _user_or_404(username)
    path = f"{user.get_absolute_url()}/pseuds"
    moved = _canonical(request, path, spelled_right=user.username == username)
    if moved:
        return moved
    context = {
        "profile_user": user,
        "pseuds": list(queries.pseuds_of_user(user)),
        "is_owner": permissions.can_manage_account(request.user, user),
    }
    return render(request, "accounts/pseuds.html", context)


@require_http_methods(["GET", "HEAD"])
def pseud_show(request: HttpRequest, username: str, pseud_name: str) -> HttpResponse:
    user = _user_or_404(username)
    pseud = _pseud_or_404(user, pseud_name)
    moved = _canonical(
        request,
        pseud.get_absolute_url(),
        spelled_right=user.username == username and pseud.name == pseud_name,
    )
    if moved:
        return moved
    page = paginate(work_queries.works_by_pseud(request.user, pseud), requested_page(request))
    context = {
        "profile_user": user,
        "pseud": pseud,
        "page": page,
        "is_owner": permissions.can_edit_pseud(request.user, pseud),
    }
    return render(request, "accounts/pseud_show.html", context)


@require_http_methods(["GET", "HEAD"])
def pseud_works(request: HttpRequest, username: str, pseud_name: str) -> HttpResponse:
    user = _user_or_404(username)
    pseud = _pseud_or_404(user, pseud_name)
    moved = _canonical(
        request,
        f"{pseud.get_absolute_url()}/works",
        spelled_right=user.username == username and pseud.name == pseud_name,
    )
    if moved:
        return moved
    page = paginate(work_queries.works_by_pseud(request.user, pseud), requested_page(request))
    context = {
        "profile_user": user,
        "pseud": pseud,
        "page": page,
        "byline": pseud.byline,
        "is_owner": permissions.can_edit_pseud(request.user, pseud),
    }
    return render(request, "accounts/works.html", context)


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def pseud_new(request: HttpRequest, username: str) -> HttpResponse:
    owner = owner_or_login(request, username)
    if isinstance(owner, HttpResponse):
        return owner
    form = PseudForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            pseud = actions.pseud_create(
                user=owner,
                name=form.cleaned_data["name"],
                description=form.cleaned_data["description"],
                is_default=form.cleaned_data["is_default"],
            )
        except ValidationError as problem:
            form.add_action_errors(problem)
        else:
            messages.success(request, f"Pseud “{pseud.name}” was created.")
            return redirect(pseud.get_absolute_url())
    return render(request, "accounts/pseud_form.html", {"form": form, "owner": owner})


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def pseud_edit(request: HttpRequest, username: str, pseud_name: str) -> HttpResponse:
    owner = owner_or_login(request, username)
    if isinstance(owner, HttpResponse):
        return owner
    pseud = _pseud_or_404(owner, pseud_name)
    permissions.check_edit_pseud(request.user, pseud)
    moved = _canonical(
        request,
        f"{pseud.get_absolute_url()}/edit",
        spelled_right=owner.username == username and pseud.name == pseud_name,
    )
    if moved:
        return moved
    form = PseudForm(request.POST if request.method == "POST" else None, pseud=pseud)
    if request.method == "POST" and form.is_valid():
        try:
            actions.pseud_update(
                pseud=pseud,
                name=form.cleaned_data["name"],
                description=form.cleaned_data["description"],
                make_default=form.cleaned_data.get("is_default", False),
            )
        except ValidationError as problem:
            form.add_action_errors(problem)
        else:
            messages.success(request, f"Pseud “{pseud.name}” was updated.")
            return redirect(pseud.get_absolute_url())
    return render(
        request, "accounts/pseud_form.html", {"form": form, "owner": owner, "pseud": pseud}
    )
