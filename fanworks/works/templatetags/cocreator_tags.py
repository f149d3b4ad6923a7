"""`{% cocreators_box target %}`: the co-creator box of work, chapter and series edit pages."""

from typing import Any

from django import template

from fanworks.works.cocreator_models import ChapterCreatorship
from fanworks.works.cocreator_queries import pending_invitations_of
from fanworks.works.models import Chapter, Creatorship, Series, SeriesCreatorship, Work

register = template.Library()


@register.inclusion_tag("works/_cocreators.html", takes_context=True)
def cocreators_box(context: dict[str, Any], target: Work | Chapter | Series) -> dict[str, Any]:
    viewer = context["request"].user
    if isinstance(target, Work):
        ships: Any = Creatorship.objects.filter(work=target)
        remove_url = f"/works/{target.pk}/remove_me"
    elif isinstance(target, Chapter):
        ships = ChapterCreatorship.objects.filter(chapter=target)
        remove_url = f"/works/{target.work_id}/chapters/{target.pk}/remove_me"
    else:
        ships = SeriesCreatorship.objects.filter(series=target)
        remove_url = f"/series/{target.pk}/remove_me"
    user_ids = set(ships.values_list("pseud__user_id", flat=True))
    # Only a credited user who is not the last one may leave.
    can_leave = viewer.is_authenticated and viewer.pk in user_ids and len(user_ids) > 1
    return {
        "box": {
            "pending": list(pending_invitations_of(target)),
            "can_leave": can_leave,
            "remove_url": remove_url,
        }
    }
