"""Atom feeds of the latest works under a tag: /tags/NAME/feed.atom.

Feeds exist for canonical fandom, character and relationship tags (others answer 404, as AO3
does). They list the FEED_LENGTH works revised most recently among those a reader finds under
the tag (the filter table, so synonyms and subtags count), as a guest sees them, whoever asks:
feeds are public, so restricted works, drafts and hidden works never appear in one.
"""

from typing import Any

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.contrib.syndication.views import Feed
from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import format_html, format_html_join

from fanworks.tags.models import Tag, TagType
from fanworks.tags.queries import tag_by_url_name, work_ids_filtered_by
from fanworks.works.models import Work

FEED_LENGTH = 20
FEED_TYPES = frozenset({TagType.FANDOM.value, TagType.CHARACTER.value, TagType.RELATIONSHIP.value})
# The order tags are listed in an entry's summary, as on a work's page.
_SUMMARY_TYPES = [
    (TagType.FANDOM, "Fandoms"),
    (TagType.RATING, "Rating"),
    (TagType.WARNING, "Warnings"),
    (TagType.CATEGORY, "Categories"),
    (TagType.RELATIONSHIP, "Relationships"),
    (TagType.CHARACTER, "Characters"),
    (TagType.FREEFORM, "Additional Tags"),
]


def feed_tag(url_name: str) -> Tag | None:
    """The tag a feed URL names, if it has a feed."""
    tag = tag_by_url_name(url_name)
    if tag is None or not tag.canonical or tag.type not in FEED_TYPES:
        return None
    return tag


def feed_works(tag: Tag, limit: int = FEED_LENGTH) -> list[Work]:
    """The `limit` works revised most recently under `tag` that a guest may see, with their
    creators and tags loaded (a fixed number of queries)."""
    from fanworks.works.queries import visible_works, with_listing_data

    works: QuerySet[Work] = visible_works(AnonymousUser()).filter(pk__in=work_ids_filtered_by(tag))
    return list(with_listing_data(works.order_by("-revised_at", "-pk"))[:limit])


def _tags(work: Work) -> list[Any]:
    """The work's tags by name, from what the listing query attached (no query per work)."""
    from fanworks.works.queries import tags_by_type

    every = [tag for tags in tags_by_type(work).values() for tag in tags]
    return sorted(every, key=lambda tag: tag.name.lower())


class TagFeed(Feed):
    feed_type = Atom1Feed

    def get_object(self, request: HttpRequest, url_name: str) -> Tag:
        tag = feed_tag(url_name)
        if tag is None:
            raise Http404("No feed for this tag")
        return tag

    def title(self, tag: Tag) -> str:
        return f"{tag.name} | {settings.SITE_NAME}"

    def subtitle(self, tag: Tag) -> str:
        return f"The latest works in {tag.name}."

    def link(self, tag: Tag) -> str:
        return tag.get_absolute_url()

    def feed_url(self, tag: Tag) -> str:
        return f"/tags/{tag.url_name}/feed.atom"

    def items(self, tag: Tag) -> list[Work]:
        return feed_works(tag)

    def item_title(self, work: Work) -> str:
        return work.title

    def item_link(self, work: Work) -> str:
        return work.get_absolute_url()

    def item_author_name(self, work: Work) -> str:
        from fanworks.works.queries import creator_byline

        return creator_byline(work)

    def item_pubdate(self, work: Work) -> Any:
        return work.first_posted_at or work.revised_at

    def item_updateddate(self, work: Work) -> Any:
        return work.revised_at or work.first_posted_at

    def item_categories(self, work: Work) -> list[str]:
        return [tag.name for tag in _tags(work)]

    def item_description(self, work: Work) -> str:
        """The summary (already sanitised HTML) with the byline, counts and tags around it,
        as HTML (Atom `<summary type="html">`)."""
        tags = _tags(work)
        tag_lines = format_html_join(
            "",
            "<li>{}: {}</li>",
            (
                (label, ", ".join(t.name for t in tags if t.type == tag_type))
                for tag_type, label in _SUMMARY_TYPES
                if any(t.type == tag_type for t in tags)
            ),
        )
        return format_html(
            "<p>by {}</p>{}<p>Words: {}, Chapters: {}, Language: {}</p><ul>{}</ul>",
            self.item_author_name(work),
            # Sanitised when the work was saved (core.sanitize); safe to include as it is.
            _trusted_html(work.summary_html),
            f"{work.word_count:,}",
            work.chapters_display,
            work.get_language_display(),
            tag_lines,
        )


def _trusted_html(html: str) -> Any:
    from django.utils.safestring import mark_safe

    return mark_safe(html)  # noqa: S308 - summary_html is the sanitiser's output
