"""One denormalised search document per work, built from the database in a fixed number of
queries whatever the number of works.

Drafts, deleted and missing works become tombstones (``{"id": pk, "deleted": True}``): the index
holds only works that some viewer could see. Hidden and restricted works are indexed with their
flags, and every query filters on the flags for its viewer.
"""

from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import Aggregate, BigIntegerField, Case, CharField, Func, Q, QuerySet, When

from fanworks.analysis.text.wordcount import html_to_text
from fanworks.tags.models import Tag, TagType, WorkFilter
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
# Rows taken from the cursor at a time.
FETCH_ROWS = 2000
# The tag types the parser's per-type fields name (`fandom:marvel`). Such a field matches the
# works whose `tag_ids` (own tags and filters) hold a tag of that type with that word in its
# name, the tags found in the database (query.typed_tag_ids) rather than in a text field.
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


class EpochSeconds(Func):
    """Whole seconds since 1970 (UTC), computed by the database: the same value as
    `timestamp()` in Python, without turning every row into a datetime first."""

    output_field = BigIntegerField()

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return self.as_sql(
            compiler,
            connection,
            # '%%%%s' becomes '%%s' here and '%s' once Django turns its placeholders into '?'.
            template="CAST(strftime('%%%%s', %(expressions)s) AS INTEGER)",
        )

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return self.as_sql(
            compiler, connection, template="FLOOR(EXTRACT(EPOCH FROM %(expressions)s))::bigint"
        )


class JoinedIds(Aggregate):
    """The group's non-null ids as one comma-separated string, in no particular order: one
    row per work instead of one per tag, which a rebuild reads millions of times faster."""

    function = "GROUP_CONCAT"
    template = "%(function)s(%(expressions)s)"
    output_field = CharField()

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return self.as_sql(
            compiler, connection, template="STRING_AGG((%(expressions)s)::text, ',')"
        )


def _ids(joined: str | None) -> list[int]:
    """The ids of a JoinedIds value, in increasing order."""
    return sorted(map(int, joined.split(","))) if joined else []


def _rows(queryset: QuerySet[Any, Any]) -> Iterator[tuple[Any, ...]]:
    """A values_list queryset's rows straight from the database cursor, in its column order.

    No model instances and no field converters: a rebuild reads millions of rows, and those
    cost more than the queries. So booleans come back as 0/1 on SQLite, and dates must be
    selected as numbers (EpochSeconds).
    """
    try:
        sql, params = queryset.query.get_compiler(using=queryset.db).as_sql()
    except EmptyResultSet:  # an empty pk__in
        return
    with connections[queryset.db].cursor() as cursor:
        cursor.execute(sql, params)
        while rows := cursor.fetchmany(FETCH_ROWS):
            yield from rows


class TagNames:
    """Tag id → (name, its facet key or None), read from the database on first use.

    Document rows carry tag ids only: joining the name onto every work's tag row made the
    database build a new string per row, and that was most of the cost of a rebuild. A rebuild
    keeps one TagNames for all its batches, so each tag is read once.
    """

    def __init__(self) -> None:
        self.known: dict[int, tuple[str, str | None]] = {}

    def load(self, tag_ids: Iterable[int]) -> dict[int, tuple[str, str | None]]:
        missing = sorted(set(tag_ids) - self.known.keys())
        for start in range(0, len(missing), FETCH_ROWS):
            chunk = missing[start : start + FETCH_ROWS]
            for pk, name, tag_type in _rows(
                Tag.objects.filter(pk__in=chunk).values_list("pk", "name", "type")
            ):
                self.known[pk] = (name, FACET_TYPES.get(tag_type))
        return self.known


def work_documents(work_ids: Iterable[int]) -> list[dict[str, Any]]:
    """Documents for these works, in the order given (duplicates dropped)."""
    ids = list(dict.fromkeys(int(pk) for pk in work_ids))
    docs = _documents(Q(pk__in=ids), Q(work_id__in=ids)) if ids else {}
    return [docs[pk] if pk in docs else tombstone(pk) for pk in ids]


def work_documents_between(
    first_id: int, last_id: int, tags: TagNames | None = None
) -> list[dict[str, Any]]:
    """Documents of the posted works with ids from `first_id` to `last_id`, in id order, without
    tombstones. For rebuilding the index: the database walks an id range faster than it looks
    up a list of ids, and Django does not have to prepare a parameter per id."""
    docs = _documents(
        Q(pk__gte=first_id, pk__lte=last_id),
        Q(work_id__gte=first_id, work_id__lte=last_id),
        tags,
    )
    return [docs[pk] for pk in sorted(docs)]


def _documents(
    works_filter: Q, rows_filter: Q, tags: TagNames | None = None
) -> dict[int, dict[str, Any]]:
    """Documents of the posted works matching `works_filter`; `rows_filter` selects their tag,
    filter, creator and chapter rows (it may select other works' rows too: they are skipped)."""
    # Timestamps are annotations, so they come after the plain columns in the SQL, as here.
    works = (
        Work.objects.filter(works_filter, posted=True)
        .annotate(posted_ts=EpochSeconds("first_posted_at"), revised_ts=EpochSeconds("revised_at"))
        .values_list(
            "pk",
            "title",
            "summary_html",
            "notes_html",
            "endnotes_html",
            "language",
            "expected_chapters",
            "word_count",
            "posted_chapter_count",
            "restricted",
            "hidden_by_admin",
            "hit_count",
            "kudos_count",
            "comment_count",
            "bookmark_count",
            "is_crossover",
            "title_sort_key",
            "creator_sort_key",
            "posted_ts",
            "revised_ts",
        )
        .order_by()
    )
    docs: dict[int, dict[str, Any]] = {}
    for (
        pk,
        title,
        summary_html,
        notes_html,
        endnotes_html,
        language,
        expected_chapters,
        words,
        chapters,
        restricted,
        hidden,
        hits,
        kudos,
        comments,
        bookmarks,
        crossover,
        title_sort,
        creator_sort,
        posted_at,
        revised_at,
    ) in _rows(works):
        docs[pk] = {
            "id": pk,
            "deleted": False,
            "title": title,
            "summary": _text(summary_html),
            "notes": _text(notes_html, endnotes_html),
            "language": language,
            # Work.is_complete, on the row.
            "complete": expected_chapters is not None and chapters >= expected_chapters,
            "words": words,
            "chapters": chapters,
            "posted": True,
            "restricted": bool(restricted),
            "hidden": bool(hidden),
            "posted_at": posted_at or 0,
            "revised_at": revised_at or 0,
            "hits": hits,
            "kudos": kudos,
            "comments": comments,
            "bookmarks": bookmarks,
            "crossover": bool(crossover),
            # Read from the stored keys, not recomputed, so both backends sort on one value.
            "title_sort": title_sort,
            "creator_sort": creator_sort,
            "filter_ids": [],
            **{name: [] for name in FACET_TYPES.values()},
            "tag_names": [],
            # The work's own tags, then those of its filters that are not among them.
            "tag_ids": [],
            "creators": [],
            "pseud_ids": [],
            "text": [],
        }
    if not docs:
        return docs
    direct = {
        work_id: _ids(joined)
        for work_id, joined in _rows(
            WorkTag.objects.filter(rows_filter)
            .values("work_id")
            .annotate(ids=JoinedIds("tag_id"))
            .values_list("work_id", "ids")
            .order_by()
        )
    }
    # Every filter of the work, and the direct (not inherited) ones.
    filters = {
        work_id: (_ids(joined), _ids(joined_direct))
        for work_id, joined, joined_direct in _rows(
            WorkFilter.objects.filter(rows_filter)
            .values("work_id")
            .annotate(
                ids=JoinedIds("tag_id"),
                direct_ids=JoinedIds(Case(When(inherited=False, then="tag_id"))),
            )
            .values_list("work_id", "ids", "direct_ids")
            .order_by()
        )
    }
    wanted: set[int] = set()
    for ids in direct.values():
        wanted.update(ids)
    for ids, _ in filters.values():
        wanted.update(ids)
    known = (tags or TagNames()).load(wanted)
    for work_id, work_doc in docs.items():
        own = direct.get(work_id, [])
        all_filters, direct_filters = filters.get(work_id, ([], []))
        names = [known[t][0] for t in own]
        work_doc["tag_ids"] = own
        if all_filters:
            own_set = set(own)
            work_doc["tag_ids"] = own + [t for t in all_filters if t not in own_set]
            seen = set(names)
            for t in all_filters:
                name = known[t][0]
                if name not in seen:
                    seen.add(name)
                    names.append(name)
            work_doc["filter_ids"] = all_filters
            for t in direct_filters:
                facet_key = known[t][1]
                if facet_key is not None:
                    work_doc[facet_key].append(t)
        work_doc["tag_names"] = names
    for work_id, pseud_id, name in _rows(
        Creatorship.objects.filter(rows_filter)
        .order_by("position", "pk")
        .values_list("work_id", "pseud_id", "pseud__name")
    ):
        if (doc := docs.get(work_id)) is None:
            continue
        doc["pseud_ids"].append(pseud_id)
        doc["creators"].append(name)
    for work_id, content in _rows(
        Chapter.objects.filter(rows_filter, posted=True)
        .order_by("work_id", "position")
        .values_list("work_id", "content_html")
    ):
        if (doc := docs.get(work_id)) is not None:
            doc["text"].append(html_to_text(content))
    return docs
