"""Who may decide on or remove a related-work link. Refusals look like a missing page (404)."""

from fanworks.works.models import Creatorship, RelatedWork
from fanworks.works.queries import Viewer, visible_works


def can_decide_related(viewer: Viewer, link: RelatedWork) -> bool:
    """Approving, declining or withdrawing approval: a creator of the parent work, and only
    for a child they may see (a draft, hidden or muted child is no request of theirs yet)."""
    if not viewer.is_authenticated or link.parent_work_id is None:
        return False
    if not Creatorship.objects.filter(
        work_id=link.parent_work_id, pseud__user_id=viewer.pk
    ).exists():
        return False
    return visible_works(viewer).filter(pk=link.child_id).exists()


def can_remove_related(viewer: Viewer, link: RelatedWork) -> bool:
    """Removing the link altogether: a creator of the child work."""
    if not viewer.is_authenticated:
        return False
    return Creatorship.objects.filter(work_id=link.child_id, pseud__user_id=viewer.pk).exists()
