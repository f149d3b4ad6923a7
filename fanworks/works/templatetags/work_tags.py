"""Template helpers for showing works the way AO3 readers (and AO3 clients) expect."""

from typing import Any

from django import template
from django.utils.html import format_html_join

from fanworks.tags.models import ADULT_RATINGS, TagType
from fanworks.works.models import Work
from fanworks.works.queries import tags_by_type

register = template.Library()

_RATING_CLASSES = {
    "General Audiences": ("rating-general-audience", "G"),
    "Teen And Up Audiences": ("rating-teen", "T"),
    "Mature": ("rating-mature", "M"),
    "Explicit": ("rating-explicit", "E"),
    "Not Rated": ("rating-notrated", "NR"),
}


@register.filter
def tags_of_type(work: Work, tag_type: str) -> list[Any]:
    return tags_by_type(work).get(tag_type, [])


@register.simple_tag
def tag_links(work: Work, tag_type: str, item_class: str = "") -> str:
    """A blurb's tag list items, built in Python: a listing has hundreds of these links and
    the template engine spends most of the page's time on them otherwise."""
    tags = tags_of_type(work, tag_type)
    if tag_type == TagType.WARNING:
        template = '<li class="{}"><strong><a class="tag" href="{}">{}</a></strong></li>'
    else:
        template = '<li class="{}"><a class="tag" href="{}">{}</a></li>'
    return format_html_join(
        "", template, ((item_class, tag.get_absolute_url(), tag.name) for tag in tags)
    )


@register.simple_tag
def fandom_links(work: Work) -> str:
    return format_html_join(
        ", ",
        '<a class="tag" href="{}">{}</a>',
        ((tag.get_absolute_url(), tag.name) for tag in tags_of_type(work, TagType.FANDOM)),
    )


@register.filter
def creators(work: Work) -> list[Any]:
    return [creatorship.pseud for creatorship in work.creatorships.all()]


@register.simple_tag
def rating_badge(work: Work) -> dict[str, str]:
    ratings = tags_of_type(work, TagType.RATING)
    name = ratings[0].name if ratings else "Not Rated"
    css, short = _RATING_CLASSES.get(name, ("rating-notrated", "NR"))
    return {"name": name, "css": css, "short": short}


@register.filter
def is_adult(work: Work) -> bool:
    return any(t.name in ADULT_RATINGS for t in tags_of_type(work, TagType.RATING))


@register.filter
def has_warnings(work: Work) -> bool:
    harmless = {"No Archive Warnings Apply"}
    return any(t.name not in harmless for t in tags_of_type(work, TagType.WARNING))


@register.filter
def thousands(number: int) -> str:
    """1234567 → "1,234,567", as AO3 prints counts."""
    return f"{number:,}"


@register.filter
def tag_label(tag_type: str) -> str:
    return _TAG_LABELS.get(tag_type, tag_type.title())


_TAG_LABELS = {
    "rating": "Rating",
    "warning": "Archive Warning",
    "category": "Category",
    "fandom": "Fandom",
    "relationship": "Relationship",
    "character": "Character",
    "freeform": "Additional Tags",
}
