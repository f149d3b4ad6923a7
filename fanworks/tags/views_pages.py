"""Reader pages for the tag graph: a tag's page, the fandom index and the media index."""

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from fanworks.tags import queries
from fanworks.tags.models import Tag, TagType
from fanworks.tags.permissions import can_wrangle_fandom, can_wrangle_tag

PLURAL_LABELS: dict[str, str] = {
    TagType.RATING: "Ratings",
    TagType.WARNING: "Archive Warnings",
    TagType.CATEGORY: "Categories",
    TagType.MEDIA: "Media",
    TagType.FANDOM: "Fandoms",
    TagType.CHARACTER: "Characters",
    TagType.RELATIONSHIP: "Relationships",
    TagType.FREEFORM: "Additional Tags",
    TagType.UNSORTED: "Unsorted Tags",
}


def plural_label(tag_type: str) -> str:
    return PLURAL_LABELS.get(tag_type, tag_type.title())


def link_groups(links: queries.TagLinks) -> dict[str, list[dict[str, Any]]]:
    """The tag's parents and children as headed groups, for templates."""
    return {
        "parents": [
            {"type": t, "label": plural_label(t), "tags": tags} for t, tags in links.parents.items()
        ],
        "children": [
            {
                "type": t,
                "label": plural_label(t),
                "tags": tags,
                "total": links.child_counts.get(t, len(tags)),
            }
            for t, tags in links.children.items()
        ],
    }


def _tag_or_404(url_name: str) -> Tag:
    tag = queries.tag_by_url_name(url_name)
    if tag is None:
        raise Http404("No such tag")
    return tag


def tag_show(request: HttpRequest, url_name: str) -> HttpResponse:
    """What a tag is and how it is wrangled, and how many works readers find under it."""
    tag = _tag_or_404(url_name)
    links = queries.tag_links(tag)
    # A synonym's works are the canonical tag's works (its works page redirects there).
    counted = tag.synonym_of if tag.synonym_of_id and tag.synonym_of else tag
    filterable = tag.type != TagType.MEDIA
    context = {
        "tag": tag,
        "links": links,
        **link_groups(links),
        "filterable": filterable,
        "work_count": queries.visible_work_count(request.user, counted) if filterable else None,
        "can_edit": can_wrangle_tag(request.user, tag),
        "can_wrangle_bins": tag.type == TagType.FANDOM and can_wrangle_fandom(request.user, tag),
    }
    return render(request, "tags/show.html", context)


def fandom_index(request: HttpRequest) -> HttpResponse:
    context = {
        "groups": queries.fandoms_by_media(request.user),
        "unwrangled": queries.unwrangled_fandoms_with_counts(request.user),
    }
    return render(request, "tags/fandoms.html", context)


def media_index(request: HttpRequest) -> HttpResponse:
    return render(request, "tags/media.html", {"media": queries.media_index(request.user)})


def media_fandoms(request: HttpRequest, url_name: str) -> HttpResponse:
    media = _tag_or_404(url_name)
    if media.type != TagType.MEDIA or not media.canonical:
        raise Http404("No such media")
    fandoms = queries.media_fandoms(request.user, media)
    return render(request, "tags/media_fandoms.html", {"media": media, "fandoms": fandoms})
