"""AO3's download routes: `/downloads/ID/Title.ext`."""

from urllib.parse import urlencode

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.views.decorators.http import require_http_methods

from fanworks.downloads.cache import built_file
from fanworks.downloads.content import file_name
from fanworks.downloads.queries import downloadable_work, file_for
from fanworks.downloads.renderers import CONTENT_TYPES, ConversionFailed, available_formats
from fanworks.works.queries import is_restricted_public_work

# A downloaded HTML file opened from the archive's address must not act as the archive:
# `sandbox` gives it an opaque origin (no cookies, no scripts), and nothing else may load.
DOWNLOAD_CSP = "sandbox; default-src 'none'; img-src https: http: data:; style-src 'unsafe-inline'"


def attachment(content: bytes, name: str, fmt: str) -> HttpResponse:
    response = HttpResponse(content, content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = DOWNLOAD_CSP
    return response


@require_http_methods(["GET", "HEAD"])
def download(request: HttpRequest, work_id: int, title: str, fmt: str) -> HttpResponse:
    if fmt not in available_formats():
        raise Http404("No such format")
    work = downloadable_work(request.user, work_id)
    if work is None:
        if not request.user.is_authenticated and is_restricted_public_work(work_id):
            query = urlencode({"restricted": "true", "return_to": request.get_full_path()})
            return HttpResponseRedirect(f"/users/login?{query}")
        raise Http404("No such work")
    name = file_name(work.pk, work.title)
    if title != name:
        query = request.META.get("QUERY_STRING", "")
        return HttpResponseRedirect(
            f"/downloads/{work.pk}/{name}.{fmt}" + (f"?{query}" if query else "")
        )
    file = file_for(work)
    if not file.chapters:
        raise Http404("No such work")
    try:
        content = built_file(file, fmt)
    except ConversionFailed:
        return HttpResponse(
            f"The {fmt.upper()} file could not be made just now; the HTML and EPUB downloads "
            "work. Please try again later.",
            status=503,
            content_type="text/plain; charset=utf-8",
            headers={"Retry-After": "300"},
        )
    response = attachment(content, name, fmt)
    if work.restricted or not work.posted:
        # Shared caches must not hand a restricted work or a draft to someone else.
        response["Cache-Control"] = "private"
    return response
