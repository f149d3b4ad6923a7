"""Who may do what to works. `can_*` answers, `check_*` raises Http404 (missing and forbidden
look the same from outside)."""

from django.http import Http404

from fanworks.works.models import Work
from fanworks.works.queries import Viewer, prefetched_creator_ids


def is_creator(viewer: Viewer, work: Work) -> bool:
    if not viewer.is_authenticated:
        return False
    # Listing queries prefetch creatorships; use them when present to save a query.
    creators = prefetched_creator_ids(work)
    if creators is not None:
        return viewer.pk in creators
    return work.creatorships.filter(pseud__user_id=viewer.pk).exists()


def can_edit_work(viewer: Viewer, work: Work) -> bool:
    return is_creator(viewer, work)


def check_edit_work(viewer: Viewer, work: Work) -> None:
    if not can_edit_work(viewer, work):
        raise Http404("No such work")
