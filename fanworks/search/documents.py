"""One denormalised search document per work, built from the database in a fixed number of
queries whatever the number of works.

Drafts, deleted and missing works become tombstones (``{"id": pk, "deleted": True}``): the index
holds only works that some viewer could see. Hidden and restricted works are indexed with their
flags, and every query filters on the flags for its viewer.
"""

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from fanworks.analysis.text.wordcount import html_to_text
from fanworks.tags.models import TagType, WorkFilter
from fanworks.works.models import Chapter, Creatorship, Work, WorkTag

# Tag types with a facet (and a direct-filter id field) of their own, AO3's seven.
FACET_TYPES: dict[str, str] = {
    TagType.RATING: "rating_ids",
    TagType.WARNING: "warning_ids",
    TagType.CATEGORY: "category_ids",
    TagType.FANDOM: "fandom_ids",
    TagType.RELATIONSHIP: "relationship_ids",
    TagType.CHARACTER: "character_ids",
    TagType.FREEFORM: "freeform_ids",
}
# Text fields for tag names by type, as the parser's per-type fields name them.
TAG_TEXT_TYPES = (
    "rating",
    "warning",
    "category",
    "fandom",
    "relationship",
    "character",
    "freeform",
)


def timestamp(value: datetime | None) -> int:
    return int(value.timestamp()) if value is not None else 0


def _text(*fragments: str) -> str:
    return " ".join(html_to_text(f) for f in fragments if f)


def tombstone(work_id: int) -> dict[str, Any]:
    return {"id": work_id, "deleted": True}


def work_documents(work_ids: Iterable[int]) -> list[dict[str, Any]]:
    """Documents for these works, in the order given (duplicates dropped)."""
    ids = list(dict.fromkeys(int(pk) for pk in work_ids))
    works = {w.pk: w for w in Work.objects.filter(pk__in=ids, posted=True)}
    live = list(works)
    docs: dict[int, dict[str, Any]] = {}
    for pk, work in works.items():
        docs[pk] = {
            "id": pk,
            "deleted": False,
            "title": work.title,
            "summary": _text(work.summary_html),
            "notes": _text(work.notes_html, work.endnotes_html),
            "language": work.language,
            "complete": work.is_complete,
            "words": work.word_count,
            "chapters": work.posted_chapter_count,
            "posted": work.posted,
            "restricted": work.restricted,
            "hidden": work.hidden_by_admin,
            "posted_at": timestamp(work.first_posted_at),
            "revised_at": timestamp(work.revised_at),
            "filter_ids": [],
            **{name: [] for name in FACET_TYPES.values()},
            "tag_names": [],
            **{f"{t}_names": [] for t in TAG_TEXT_TYPES},
            "creators": [],
            "pseud_ids": [],
            "text": [],
        }
    for work_id, name, tag_type in WorkTag.objects.filter(work_id__in=live).values_list(
        "work_id", "tag__name", "tag__type"
    ):
        doc = docs[work_id]
        doc["tag_names"].append(name)
        if tag_type in TAG_TEXT_TYPES:
            doc[f"{tag_type}_names"].append(name)
    for work_id, tag_id, inherited, name, tag_type in (
        WorkFilter.objects.filter(work_id__in=live)
        .order_by("tag_id")
        .values_list("work_id", "tag_id", "inherited", "tag__name", "tag__type")
    ):
        doc = docs[work_id]
        doc["filter_ids"].append(tag_id)
        if name not in doc["tag_names"]:
            doc["tag_names"].append(name)
            if tag_type in TAG_TEXT_TYPES:
                doc[f"{tag_type}_names"].append(name)
        if not inherited and tag_type in FACET_TYPES:
            doc[FACET_TYPES[tag_type]].append(tag_id)
    for work_id, pseud_id, name in Creatorship.objects.filter(work_id__in=live).values_list(
        "work_id", "pseud_id", "pseud__name"
    ):
        docs[work_id]["pseud_ids"].append(pseud_id)
        docs[work_id]["creators"].append(name)
    for work_id, content in (
        Chapter.objects.filter(work_id__in=live, posted=True)
        .order_by("work_id", "position")
        .values_list("work_id", "content_html")
    ):
        docs[work_id]["text"].append(html_to_text(content))
    return [docs[pk] if pk in docs else tombstone(pk) for pk in ids]
