"""/users/NAME/export: the owner asks for a zip of everything they own, sees how it is
getting on, and downloads it from /users/NAME/export/download once it is ready."""

from django.conf import settings
from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from fanworks.accounts.permissions import check_manage_account
from fanworks.accounts.queries import user_by_name
from fanworks.accounts.views import owner_or_login
from fanworks.downloads.export_actions import ExportRefused, export_request
from fanworks.downloads.models import ExportState
from fanworks.downloads.queries import export_for_owner


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def user_export(request: HttpRequest, username: str) -> HttpResponse:
    owner = owner_or_login(request, username)  # guests log in; anyone else (admins too) 404
    if isinstance(owner, HttpResponse):
        return owner
    problem, status, wait = "", 200, None
    if request.method == "POST":
        try:
            export_request(user=owner)
        except ExportRefused as refusal:
            problem, wait = str(refusal), refusal.retry_after
            status = 429 if wait is not None else 409
        else:
            messages.success(request, "Export requested: this page shows when it is ready.")
            return redirect(f"/users/{owner.username}/export")
    context = {
        "owner": owner,
        "profile_user": owner,
        "is_owner": True,
        "export": export_for_owner(owner.pk),
        "problem": problem,
        "keep_days": settings.EXPORT_KEEP_DAYS,
    }
    response = render(request, "downloads/export.html", context, status=status)
    if wait is not None:
        response["Retry-After"] = str(wait)
    return response


@never_cache
@require_http_methods(["GET", "HEAD"])
def user_export_download(request: HttpRequest, username: str) -> HttpResponseBase:
    """The ready zip, to its owner only; anyone else, guests included, gets 404."""
    owner = user_by_name(username)
    if owner is None:
        raise Http404("No such export")
    check_manage_account(request.user, owner)
    export = export_for_owner(owner.pk)
    if export is None or export.state != ExportState.READY or export.finished_at is None:
        raise Http404("No such export")
    try:
        content = export.path.open("rb")
    except FileNotFoundError:
        raise Http404("No such export") from None  # expired and swept just now
    response = FileResponse(
        content,
        as_attachment=True,
        filename=f"{owner.username}-export-{export.finished_at:%Y-%m-%d}.zip",
        content_type="application/zip",
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response
