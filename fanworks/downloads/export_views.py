"""/users/NAME/export: the owner downloads everything they own in one zip."""

from django.http import FileResponse, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from fanworks.accounts.views import owner_or_login
from fanworks.downloads.export import build_export


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def user_export(request: HttpRequest, username: str) -> HttpResponseBase:
    owner = owner_or_login(request, username)  # guests log in; anyone else (admins too) 404
    if isinstance(owner, HttpResponse):
        return owner
    if request.method != "POST":
        context = {"owner": owner, "profile_user": owner, "is_owner": True}
        return render(request, "downloads/export.html", context)
    stamp = timezone.now().strftime("%Y-%m-%d")
    response = FileResponse(
        build_export(owner),
        as_attachment=True,
        filename=f"{owner.username}-export-{stamp}.zip",
        content_type="application/zip",
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response
