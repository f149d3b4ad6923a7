"""The upload page (/works/import) and an external creator's claim button."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from fanworks.accounts.models import User
from fanworks.core.ratelimit import record_hit, retry_after, wait_text
from fanworks.importers.actions import creator_claim_request, work_import
from fanworks.importers.forms import UploadForm
from fanworks.importers.models import ExternalCreator
from fanworks.importers.parsers import parse_file
from fanworks.importers.safety import ImportRefused, read_bounded
from fanworks.importers.throttles import upload_limit


@login_required
@require_http_methods(["GET", "POST"])
def work_import_upload(request: HttpRequest) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    if request.method != "POST":
        return render(request, "importers/upload.html", {"form": UploadForm()})
    form = UploadForm(request.POST, request.FILES)
    limit = upload_limit(user)
    wait = retry_after(limit)
    if wait is not None:
        form.add_error(
            "file",
            "You have uploaded a lot of files in a short time. Please try again in "
            f"{wait_text(wait)}.",
        )
        response = render(request, "importers/upload.html", {"form": form}, status=429)
        response["Retry-After"] = str(wait)
        return response
    if form.is_valid():
        # Counted before parsing: reading and parsing the file is the cost being limited,
        # whether or not it makes a work.
        record_hit(limit)
        upload = form.cleaned_data["file"]
        name = upload.name or "upload"
        try:
            data = read_bounded(upload, name)
            outcome = work_import(parsed=parse_file(name, data), user=user, archive=False)
        except ImportRefused as refusal:
            form.add_error("file", str(refusal))
        else:
            if outcome.imported:
                messages.success(request, "Imported as a draft: review it, then post it.")
            else:
                # work_import names only a work this user may see.
                messages.info(request, "This work is already in the archive.")
            return redirect(f"/works/{outcome.work_id}")
    return render(request, "importers/upload.html", {"form": form}, status=400)


@login_required
@require_POST
def external_creator_claim(request: HttpRequest, creator_id: int) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    creator = ExternalCreator.objects.filter(pk=creator_id, claimed_by__isnull=True).first()
    if creator is None:
        raise Http404
    creator_claim_request(user=user, creator=creator)
    messages.success(request, f"Your claim to be {creator.name} was sent to the archive's admins.")
    target = request.POST.get("next", "")
    # Only back to a page of this site, never to another host.
    return redirect(target if target.startswith("/") and not target.startswith("//") else "/")
