from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from fanworks.accounts.models import User
from fanworks.engagement.actions import kudos_leave
from fanworks.engagement.permissions import kudos_refusal
from fanworks.engagement.visitors import visitor_hash
from fanworks.works.queries import work_for_viewer

# Shown beside the kudos button, where the reader lands (#kudos), not at the top of the page.
INLINE = "inline kudos"


@require_POST
def kudos_create(request: HttpRequest, work_id: int) -> HttpResponse:
    """The "Kudos ♥" button: leave kudos, then go back to the page it was on."""
    work = work_for_viewer(request.user, work_id)
    if work is None:
        raise Http404("No such work")
    back = _back_to_work(request, work.pk)
    refusal = kudos_refusal(request.user, work)
    if refusal is not None:
        messages.error(request, refusal, extra_tags=INLINE)
        return HttpResponseRedirect(back)
    user = request.user if isinstance(request.user, User) else None
    left = kudos_leave(
        work=work,
        user=user,
        visitor_hash="" if user is not None else visitor_hash(request, "kudos"),
    )
    if left is None:
        messages.info(request, "You have already left kudos here. :)", extra_tags=INLINE)
    else:
        messages.success(request, "Thank you for leaving kudos!", extra_tags=INLINE)
    return HttpResponseRedirect(back)


def _back_to_work(request: HttpRequest, work_id: int) -> str:
    """The work page or chapter the form was on (never another site or another work)."""
    wanted = request.POST.get("return_to", "")
    prefix = f"/works/{work_id}"
    if url_has_allowed_host_and_scheme(wanted, allowed_hosts=None) and (
        wanted == prefix or wanted.startswith((prefix + "/", prefix + "?"))
    ):
        return f"{wanted}#kudos"
    return f"{prefix}#kudos"
