"""Every read of tags."""

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
