"""Bookmarks in the tantivy index: their fields, and answering a BookmarkSearch from them.

Bookmark documents (bookmark_documents.py) live in the works' index, in fields of their own
(``bm_…``), so they share its generations, its outbox, its indexer rounds and `fanworks
reindex`. A work query requires ``posted``, which bookmark documents lack, and a bookmark
query requires ``bm_doc``, which work documents lack, so neither ever finds the other.

`engine_search` answers exactly what engagement.bookmark_search.sql_search answers (the tests
compare them), or None when the index cannot: the caller then asks SQL. That is the case

- while a re-filter job is under way and the request filters by a canonical work tag (the
  index follows the filter table only after the job, as for works: tags.filters);
- for a registered viewer who mutes a creator of a visible part of a bookmarked series in the
  page's scope: such a series shows only its other parts' tags, which depends on the viewer
  (documents hold the union over all visible parts).

Everything else is exact: bookmarker tags are expanded through the tag graph at query time
(`tags_under`, as SQL does), muting and privacy are query clauses, and a work's or a series'
changes reach their bookmarks' documents through the outbox (TantivyIndex.apply).
"""

from typing import Any

import tantivy

from fanworks.engagement import bookmark_search
from fanworks.engagement.bookmark_search import (
    BookmarkResult,
    BookmarkSearch,
    _bookmarker_tag_ids,
    _filter_tags,
    _top,
)
from fanworks.search.bookmark_documents import CHUNK, KIND_SERIES
from fanworks.search.documents import FACET_TYPES
from fanworks.tags.models import Tag

# Tags counted per facet field: every tag among the matching bookmarks (facets must be the
# exact counts SQL gives; a terms aggregation limited to fewer buckets is approximate).
FACET_BUCKETS = 65_000

ID_FIELDS = (
    "bm_id",
    "bm_user",
    "bm_work",
    "bm_series",
    "bm_external",
    "bm_kind",
    "bm_creators",
    "bm_series_owners",
    "bm_parts",
    "bm_filter_ids_guest",
    "bm_filter_ids_registered",
    "bm_own_tag_ids_guest",
    "bm_own_tag_ids_registered",
)
FAST_ID_FIELDS = ("bm_facet_ids_guest", "bm_facet_ids_registered", "bm_tag_ids")
BOOL_FIELDS = ("bm_doc", "bm_rec", "bm_private", "bm_notes", "bm_guest_ok", "bm_registered_ok")
SORT_FIELDS = {"created": "bm_sort_created", "updated": "bm_sort_updated"}
# On work documents: see bookmark_documents.work_signature.
WORK_SIGNATURE = "bm_work_signature"


def add_bookmark_fields(b: tantivy.SchemaBuilder) -> None:
    for name in ID_FIELDS:
        b.add_unsigned_field(name, indexed=True, fast=name == "bm_id", stored=name == "bm_id")
    for name in FAST_ID_FIELDS:
        b.add_unsigned_field(name, indexed=True, fast=True)
    for name in BOOL_FIELDS:
        b.add_boolean_field(name, indexed=True)
    for name in SORT_FIELDS.values():
        b.add_text_field(name, fast=True, tokenizer_name="raw", index_option="basic")
    b.add_unsigned_field(WORK_SIGNATURE, indexed=True, fast=True)


def bookmark_values(doc: dict[str, Any]) -> dict[str, Any]:
    """The index fields of a bookmark document, by name: a value or a list of values."""
    values: dict[str, Any] = {
        "bm_doc": True,
        "bm_id": doc["id"],
        "bm_user": doc["user"],
        "bm_kind": doc["kind"],
        "bm_rec": doc["rec"],
        "bm_private": doc["private"],
        "bm_notes": doc["notes"],
        "bm_guest_ok": doc["guest_ok"],
        "bm_registered_ok": doc["registered_ok"],
        "bm_tag_ids": doc["tag_ids"],
        "bm_creators": doc["creators"],
        "bm_series_owners": doc["series_owners"],
        "bm_parts": doc["parts"],
        "bm_sort_created": doc["sort_created"],
        "bm_sort_updated": doc["sort_updated"],
    }
    for key in ("work", "series", "external"):
        if doc[key] is not None:
            values[f"bm_{key}"] = doc[key]
    for suffix in ("guest", "registered"):
        for key in ("filter_ids", "own_tag_ids", "facet_ids"):
            values[f"bm_{key}_{suffix}"] = doc[f"{key}_{suffix}"]
    return values


def bookmark_tantivy(doc: dict[str, Any]) -> tantivy.Document:
    out = tantivy.Document()
    for name, value in bookmark_values(doc).items():
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, bool):
                out.add_boolean(name, item)
            elif isinstance(item, int):
                out.add_unsigned(name, item)
            else:
                out.add_text(name, item)
    return out


def indexed_bookmark_ids(
    index: tantivy.Index, schema: tantivy.Schema, work_ids: list[int], series_ids: list[int]
) -> set[int]:
    """Ids of the bookmark documents in the index that take something from these works or
    series (of the work, of the series, of a series the work is part of): rows that the
    database may no longer have, such as the bookmarks of a deleted work."""
    Q, Occur = tantivy.Query, tantivy.Occur
    clauses = []
    if work_ids:
        clauses.append((Occur.Should, Q.term_set_query(schema, "bm_work", work_ids)))
        clauses.append((Occur.Should, Q.term_set_query(schema, "bm_parts", work_ids)))
    if series_ids:
        clauses.append((Occur.Should, Q.term_set_query(schema, "bm_series", series_ids)))
    if not clauses:
        return set()
    return _all_ids(index.searcher(), Q.boolean_query(clauses))


def _count(searcher: tantivy.Searcher, query: tantivy.Query) -> int:
    # Tantivy refuses a limit of 0.
    return int(getattr(searcher.search(query, limit=1, count=True), "count", 0) or 0)


def _all_ids(searcher: tantivy.Searcher, query: tantivy.Query) -> set[int]:
    count = _count(searcher, query)
    if not count:
        return set()
    hits = searcher.search(query, limit=count, count=False).hits
    values = searcher.fast_field_values("bm_id", [address for _, address in hits])
    return {int(pk) for pk in values if pk is not None}


class BookmarkEngine:
    def __init__(self, index: tantivy.Index, schema: tantivy.Schema) -> None:
        self.index = index
        self.schema = schema

    def _scope(self, viewer: Any, request: BookmarkSearch) -> list[Any]:
        """Clauses for the bookmarks `viewer` may see in the request's scope (without the
        filters): engagement.queries.visible_bookmarks, field by field."""
        Q, Occur, s = tantivy.Query, tantivy.Occur, self.schema
        clauses = [(Occur.Must, Q.term_query(s, "bm_doc", True))]
        if viewer.is_authenticated:
            seen = Q.boolean_query(
                [
                    (Occur.Should, Q.term_query(s, "bm_registered_ok", True)),
                    (Occur.Should, Q.term_query(s, "bm_series_owners", viewer.pk)),
                ]
            )
            clauses.append((Occur.Must, seen))
            someone_elses_private = Q.boolean_query(
                [
                    (Occur.Must, Q.term_query(s, "bm_private", True)),
                    (Occur.MustNot, Q.term_query(s, "bm_user", viewer.pk)),
                ]
            )
            clauses.append((Occur.MustNot, someone_elses_private))
        else:
            clauses.append((Occur.Must, Q.term_query(s, "bm_guest_ok", True)))
            clauses.append((Occur.MustNot, Q.term_query(s, "bm_private", True)))
        for key, field_name in (
            ("owner_id", "bm_user"),
            ("work_id", "bm_work"),
            ("external_work_id", "bm_external"),
            ("series_id", "bm_series"),
        ):
            value = getattr(request, key)
            if value is not None:
                clauses.append((Occur.Must, Q.term_query(s, field_name, value)))
        return clauses

    def _muted(self, muted: list[int]) -> list[Any]:
        Q, Occur, s = tantivy.Query, tantivy.Occur, self.schema
        if not muted:
            return []
        return [
            (Occur.MustNot, Q.term_set_query(s, "bm_user", muted)),
            (Occur.MustNot, Q.term_set_query(s, "bm_creators", muted)),
        ]

    def search(
        self, viewer: Any, request: BookmarkSearch, *, faceted: bool
    ) -> BookmarkResult | None:
        from fanworks.accounts.queries import muted_user_ids
        from fanworks.tags.filters import filters_settling

        Q, Occur, s = tantivy.Query, tantivy.Occur, self.schema
        searcher = self.index.searcher()
        scope = self._scope(viewer, request)
        muted = sorted(muted_user_ids(viewer)) if viewer.is_authenticated else []
        if muted:
            mixed = Q.boolean_query(
                [
                    *scope,
                    (Occur.MustNot, Q.term_set_query(s, "bm_user", muted)),
                    (Occur.Must, Q.term_query(s, "bm_kind", KIND_SERIES)),
                    (Occur.Must, Q.term_set_query(s, "bm_creators", muted)),
                ]
            )
            if _count(searcher, mixed):
                return None
        suffix = "registered" if viewer.is_authenticated else "guest"
        clauses = [*scope, *self._muted(muted)]
        work_tags = [(Occur.Must, tag) for tag in _filter_tags(request.include_work_tag_ids)] + [
            (Occur.MustNot, tag) for tag in _filter_tags(request.exclude_work_tag_ids)
        ]
        if any(tag.canonical for _, tag in work_tags) and filters_settling():
            return None
        for occur, tag in work_tags:
            field_name = f"bm_filter_ids_{suffix}" if tag.canonical else f"bm_own_tag_ids_{suffix}"
            clauses.append((occur, Q.term_query(s, field_name, tag.pk)))
        for tag in _filter_tags(request.include_bookmark_tag_ids):
            ids = sorted(_bookmarker_tag_ids(tag))
            clauses.append((Occur.Must, Q.term_set_query(s, "bm_tag_ids", ids)))
        excluded: set[int] = set()
        for tag in _filter_tags(request.exclude_bookmark_tag_ids):
            excluded |= _bookmarker_tag_ids(tag)
        if excluded:
            clauses.append((Occur.MustNot, Q.term_set_query(s, "bm_tag_ids", sorted(excluded))))
        if request.rec_only:
            clauses.append((Occur.Must, Q.term_query(s, "bm_rec", True)))
        if request.with_notes:
            clauses.append((Occur.Must, Q.term_query(s, "bm_notes", True)))
        query = Q.boolean_query(clauses)
        start = (max(request.page, 1) - 1) * request.per_page
        found = searcher.search(
            query,
            limit=request.per_page,
            offset=start,
            count=True,
            order_by_field=SORT_FIELDS.get(request.sort, SORT_FIELDS["created"]),
            order=tantivy.Order.Desc,
        )
        values = searcher.fast_field_values("bm_id", [address for _, address in found.hits])
        ids = [int(pk) for pk in values if pk is not None]
        total = int(getattr(found, "count", 0) or 0)
        # Read from the module each time, so the limits are the SQL side's (tests lower them).
        capped = total > bookmark_search.MAX_COUNTED
        total = min(total, bookmark_search.MAX_COUNTED)
        facets: dict[str, list[tuple[int, int]]] = {}
        if faceted and total <= bookmark_search.MAX_FACETED:
            facets = self._facets(searcher, query, suffix)
        return BookmarkResult(
            bookmark_ids=ids,
            total=total,
            facets=facets,
            facets_skipped=faceted and total > bookmark_search.MAX_FACETED,
            total_capped=capped,
        )

    def _facets(
        self, searcher: tantivy.Searcher, query: tantivy.Query, suffix: str
    ) -> dict[str, list[tuple[int, int]]]:
        """The top work tags of each type and the top bookmarker tags, as SQL's `_facets`."""
        work_field = f"bm_facet_ids_{suffix}"
        aggs = {
            name: {"terms": {"field": name, "size": FACET_BUCKETS, "segment_size": FACET_BUCKETS}}
            for name in (work_field, "bm_tag_ids")
        }
        raw = searcher.aggregate(query, aggs)

        def counts(name: str) -> dict[int, int]:
            buckets = raw.get(name, {}).get("buckets", [])
            return {int(b["key"]): int(b["doc_count"]) for b in buckets if b["doc_count"]}

        work_counts = counts(work_field)
        by_type: dict[str, dict[int, int]] = {tag_type: {} for tag_type in FACET_TYPES}
        wanted = sorted(work_counts)
        for start in range(0, len(wanted), CHUNK):
            types = Tag.objects.filter(pk__in=wanted[start : start + CHUNK]).values_list(
                "pk", "type"
            )
            for pk, tag_type in types:
                if tag_type in by_type:
                    by_type[tag_type][pk] = work_counts[pk]
        facets = {tag_type: _top(tag_counts) for tag_type, tag_counts in by_type.items()}
        facets["bookmarker"] = _top(counts("bm_tag_ids"))
        return facets
