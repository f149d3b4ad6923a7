"""Every read of tags."""

from typing import Any

from django.db.models import Case, IntegerField, QuerySet, Value, When
from django.db.models.functions import Lower

from fanworks.tags.models import Tag, TagType, tag_name_from_url


def tag_by_url_name(url_name: str) -> Tag | None:
    name = tag_name_from_url(url_name)
    return Tag.objects.annotate(lower_name=Lower("name")).filter(lower_name=name.lower()).first()


def autocomplete(term: str, tag_type: str, limit: int = 15) -> QuerySet[Tag]:
    """Tags of `tag_type` starting with `term` (or containing it), canonical ones first."""
    term = term.strip()
    if not term or tag_type not in TagType.values:
        return Tag.objects.none()
    return (
        Tag.objects.filter(type=tag_type, name__icontains=term)
        .annotate(
            starts=Case(
                When(name__istartswith=term, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            )
        )
        .order_by("-canonical", "starts", Lower("name"))[:limit]
    )


def tags_under(tag: Tag) -> set[int]:
    """`tag`, its synonyms, its subtags at every level and their synonyms: what the filter
    table holds under `tag`, read straight from the graph."""
    from fanworks.tags.models import MetaTagging

    found = {tag.pk}
    frontier = {tag.pk}
    while frontier:
        subs = set(
            MetaTagging.objects.filter(meta_tag_id__in=frontier).values_list(
                "sub_tag_id", flat=True
            )
        )
        frontier = subs - found
        found |= subs
    synonyms = set(Tag.objects.filter(synonym_of_id__in=found).values_list("pk", flat=True))
    return found | synonyms


def work_ids_filtered_by(tag: Tag) -> QuerySet[Any]:
    """Ids of works a reader finds under `tag` (a values() queryset for `pk__in`).

    Canonical tags read the filter table, except while a re-filter job is catching up after a
    big wrangling change: then the graph is expanded live so no page is wrong meanwhile.
    Other tags (not wrangled yet) find the works tagged with them directly.
    """
    from fanworks.tags.filters import filters_settling
    from fanworks.tags.models import WorkFilter
    from fanworks.works.models import WorkTag

    if not tag.canonical:
        return WorkTag.objects.filter(tag=tag).values("work_id")
    if filters_settling():
        return WorkTag.objects.filter(tag_id__in=tags_under(tag)).values("work_id")
    return WorkFilter.objects.filter(tag=tag).values("work_id")
