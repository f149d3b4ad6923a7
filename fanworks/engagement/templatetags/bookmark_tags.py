"""Template helpers for bookmark blurbs."""

from urllib.parse import urlencode

from django import template
from django.utils.safestring import SafeString, mark_safe

from fanworks.works.models import Work
from fanworks.works.templatetags.work_tags import work_blurb

register = template.Library()

_BLURB_END = "</li>"


@register.simple_tag(takes_context=True)
def bookmarked_work(context: template.Context, work: Work) -> SafeString:
    """The work's blurb without its own `<li>`: a bookmark blurb holds the work's header,
    tags, summary and stats directly, as AO3's does, so clients that read each
    `li[role=article]` of `ol.bookmark.index.group` find one article per bookmark. "Part N"
    is counted for the kind of reader, as `{% work_blurb %}` counts it."""
    request = context.get("request")
    registered = bool(request is not None and request.user.is_authenticated)
    html = str(work_blurb(work, registered=registered))
    opening = html.index("<li")
    start = html.index(">", opening) + 1
    end = html.rindex(_BLURB_END)
    # Slicing a SafeString gives a plain str, so it is marked safe again. It is safe: work_blurb
    # escapes every value it interpolates, and the cut is just after the outer <li ...>'s
    # closing ">" and just before its "</li>", so only whole, already-escaped elements remain.
    return mark_safe(html[start:end])  # noqa: S308 - see above: a slice of work_blurb's output


@register.simple_tag
def bookmarker_tag_url(action: str, tag_id: int) -> str:
    """The listing filtered by one bookmarker tag (the tag links under a bookmark)."""
    return f"{action}?{urlencode({'include_bookmark_search[tag_ids][]': tag_id})}"
