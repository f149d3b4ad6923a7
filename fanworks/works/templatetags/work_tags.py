"""Template helpers for showing works the way AO3 readers (and AO3 clients) expect."""

from html import escape as _html_escape
from typing import Any

from django import template
from django.utils.html import conditional_escape, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.timezone import localtime

from fanworks.tags.models import ADULT_RATINGS, TagType
from fanworks.works.gift_queries import gift_recipients
from fanworks.works.languages import LANGUAGE_NAMES
from fanworks.works.models import Work
from fanworks.works.queries import listing_pseuds, tags_by_type
from fanworks.works.series_queries import work_series_places

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
    return listing_pseuds(work)


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


# ---------------------------------------------------------------------------------------------
# The work blurb, built in Python: a listing shows twenty, each with a few dozen values and tags,
# and the template engine took ~2 ms per blurb for what string formatting does in ~0.1 ms. The
# markup is AO3's (see works/_blurb.html, which renders this), so clients that read it keep
# working; keep the two in step with the tests in works/tests/test_blurb.py.


def _esc(value: Any) -> str:
    """What ``{{ value }}`` prints with autoescaping: safe strings as they are, the rest escaped."""
    if isinstance(value, SafeString):
        return value
    return _html_escape(str(value))


def _link(tag: Any) -> str:
    """`<a class="tag" href="…">name</a>`: kept ready on listing tags (BlurbTag.link_html)."""
    ready = getattr(tag, "link_html", None)
    if ready is not None:
        return str(ready)
    return f'<a class="tag" href="{_esc(tag.get_absolute_url())}">{_esc(tag.name)}</a>'


def _tag_items(tags: list[Any], item_class: str, *, strong: bool = False) -> str:
    if strong:
        return "".join(f'<li class="{item_class}"><strong>{_link(t)}</strong></li>' for t in tags)
    return "".join(f'<li class="{item_class}">{_link(t)}</li>' for t in tags)


def _snippet(snippet: Any) -> str:
    """search/_snippet.html for a chapter-text snippet on a search result."""
    return (
        '<div class="search-snippet">\n'
        f'  <p class="snippet-source">In <a href="{_esc(snippet.url)}">{_esc(snippet.label)}</a>:'
        "</p>\n"
        f'  <blockquote class="snippet">{conditional_escape(snippet.html)}</blockquote>\n'
        "</div>\n"
    )


@register.simple_tag(takes_context=True, name="work_blurb")
def work_blurb_tag(context: template.Context, work: Work) -> SafeString:
    """`{% work_blurb work %}`: the blurb, with "Part N" counted for the kind of reader."""
    request = context.get("request")
    registered = bool(request is not None and request.user.is_authenticated)
    return work_blurb(work, registered=registered)


def _series_items(work: Work, registered: bool) -> str:
    """AO3's `ul.series` ("Part N of TITLE") for a work in series, else nothing at all."""
    places = work_series_places(work)
    if not places:
        return ""
    items = "".join(
        f"<li>Part <strong>{place.number(registered)}</strong> of "
        f'<a href="{place.get_absolute_url()}">{_esc(place.title)}</a></li>'
        for place in places
    )
    return (
        '<h6 class="landmark heading visually-hidden">Series</h6>\n'
        f'  <ul class="series">{items}</ul>\n'
    )


def _gift_names(work: Work) -> str:
    """The work's recipients, escaped and joined; those on the archive link to their gifts
    page. Empty when the work is no gift."""
    return ", ".join(
        f'<a href="{_esc(r.url)}">{_esc(r.name)}</a>' if r.url else _esc(r.name)
        for r in gift_recipients(work)
    )


def _gift_line(work: Work) -> str:
    """AO3's " for RECIPIENT" after a blurb's byline, or nothing."""
    names = _gift_names(work)
    return f"      for {names}\n" if names else ""


@register.simple_tag
def gift_associations(work: Work) -> SafeString:
    """AO3's "For X." item of the preface's `ul.associations`, or nothing."""
    names = _gift_names(work)
    return mark_safe(f"<li>For {names}.</li>" if names else "")  # noqa: S308 - names escaped


def work_blurb(work: Work, *, registered: bool = False) -> SafeString:
    """A work's blurb in a listing: the ``<li class="work blurb group">`` AO3 clients parse."""
    by_type = tags_by_type(work)
    ratings = by_type.get(TagType.RATING, [])
    warnings = by_type.get(TagType.WARNING, [])
    categories = by_type.get(TagType.CATEGORY, [])
    rating_name = ratings[0].name if ratings else "Not Rated"
    rating_css, rating_short = _RATING_CLASSES.get(rating_name, ("rating-notrated", "NR"))
    warned = any(t.name not in _HARMLESS_WARNINGS for t in warnings)
    pseuds = listing_pseuds(work)
    byline = (
        ", ".join(
            f'<a rel="author" href="{_esc(p.get_absolute_url())}">{_esc(p.byline)}</a>'
            for p in pseuds
        )
        or "Anonymous"
    )
    fandoms = ", ".join(_link(t) for t in by_type.get(TagType.FANDOM, []))
    complete = work.is_complete
    status = "Complete Work" if complete else "Work in Progress"
    warning_names = ", ".join(_esc(t.name) for t in warnings)
    category_names = ", ".join(_esc(t.name) for t in categories)
    when = work.revised_at or work.updated_at
    day = _blurb_day(when) if when else ""
    summary = ""
    if work.summary_html:
        summary = (
            '\n    <h6 class="landmark heading visually-hidden">Summary</h6>\n'
            f'    <blockquote class="userstuff summary">{work.summary_html}</blockquote>\n  '
        )
    snippet = getattr(work, "search_snippet", None)
    series = _series_items(work, registered)
    stats = [
        '    <dt class="language">Language:</dt><dd class="language" '
        f'lang="{_esc(work.language)}">'
        f"{_esc(LANGUAGE_NAMES.get(work.language, work.language))}</dd>\n",
        f'    <dt class="words">Words:</dt><dd class="words">{work.word_count:,}</dd>\n',
        '    <dt class="chapters">Chapters:</dt><dd class="chapters">'
        f"{_esc(work.chapters_display)}</dd>\n",
        "    " + _stat("comments", "Comments", work.comment_count) + "\n",
        "    " + _stat("kudos", "Kudos", work.kudos_count) + "\n",
        "    " + _stat("bookmarks", "Bookmarks", work.bookmark_count) + "\n",
        f'    <dt class="hits">Hits:</dt><dd class="hits">{work.hit_count:,}</dd>\n',
    ]
    parts = [
        f'\n<li id="work_{work.pk}" class="work blurb group" role="article">\n',
        '  <div class="header module">\n',
        '    <h4 class="heading">\n',
        f'      <a href="/works/{work.pk}">{_esc(work.title)}</a>\n',
        "      by\n",
        f"      {byline}\n",
        _gift_line(work),
        "      "
        + '<span class="restricted-marker" title="Restricted">(Restricted)</span>' * work.restricted
        + "\n",
        "      " + '<span class="draft-marker">(Draft)</span>' * (not work.posted) + "\n",
        "    </h4>\n",
        '    <h5 class="fandoms heading">\n',
        '      <span class="landmark">Fandoms:</span>\n',
        f"      {fandoms}\n",
        "    </h5>\n",
        '    <ul class="required-tags" aria-label="Rating, warnings, category and status">\n',
        # AO3's markup: the full names are the text (ao3-api reads them); the short symbol
        # is drawn by CSS from data-symbol.
        f'      <li><span class="rating {_esc(rating_css)}" title="{_esc(rating_name)}" '
        f'data-symbol="{_esc(rating_short)}"><span class="text">{_esc(rating_name)}</span>'
        "</span></li>\n",
        f'      <li><span class="warnings {"warning-yes" if warned else "warning-no"}" '
        f'title="{warning_names}" data-symbol="{"!" if warned else "–"}">'
        f'<span class="text">{warning_names}</span></span></li>\n',
        '      <li><span class="category" '
        f'title="{category_names or "No category"}" '
        f'data-symbol="{" ".join(_esc(t.name) for t in categories) or "–"}">'
        f'<span class="text">{category_names or "No category"}</span></span></li>\n',
        f'      <li><span class="{"complete-yes" if complete else "complete-no"}" '
        f'title="{status}" data-symbol="{"✓" if complete else "…"}">'
        f'<span class="text">{status}</span></span></li>\n',
        "    </ul>\n",
        f'    <p class="datetime">{day}</p>\n',
        "  </div>\n",
        '  <h6 class="landmark heading visually-hidden">Tags</h6>\n',
        '  <ul class="tags commas">\n',
        "    "
        + _tag_items(warnings, "warnings", strong=True)
        + _tag_items(by_type.get(TagType.RELATIONSHIP, []), "relationships")
        + _tag_items(by_type.get(TagType.CHARACTER, []), "characters")
        + _tag_items(by_type.get(TagType.FREEFORM, []), "freeforms")
        + "\n",
        "  </ul>\n",
        f"  {summary}\n",
        f"  {series}" if series else "",
        f"  {_snippet(snippet) if snippet else ''}\n",
        '  <dl class="stats">\n',
        *stats,
        "  </dl>\n",
        "</li>",
    ]
    return mark_safe("".join(parts))  # noqa: S308 - every value above is escaped


_MONTH_ABBREVIATIONS = (
    "Jan",
    "Feb",
    "Mar",
    "Apr",
    "May",
    "Jun",
    "Jul",
    "Aug",
    "Sep",
    "Oct",
    "Nov",
    "Dec",
)


def _blurb_day(when: Any) -> str:
    """What ``{{ when|date:"d M Y" }}`` prints in English ("05 Nov 2026"), without the date
    filter's format parser, which cost a visible share of a page of twenty blurbs."""
    local = localtime(when)
    return f"{local.day:02d} {_MONTH_ABBREVIATIONS[local.month - 1]} {local.year}"


def _stat(css: str, label: str, count: int) -> str:
    """A reader count, shown only when there is something to count."""
    if not count:
        return ""
    return f'<dt class="{css}">{label}:</dt><dd class="{css}">{count:,}</dd>'


_HARMLESS_WARNINGS = frozenset({"No Archive Warnings Apply"})
