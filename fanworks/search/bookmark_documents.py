"""One search document per bookmark, built from the database in a fixed number of queries
whatever the number of bookmarks (see bookmark_index.py for the fields and the queries).

A document holds what engagement/bookmark_search.py filters on, denormalised:

- the bookmark: id, bookmarker (user), target (work, series or external work), rec, private,
  has notes, the bookmarker's tags as typed (direct BookmarkTag ids; a query expands a
  canonical tag through the tag graph at query time, so wrangling a bookmarker tag needs no
  re-indexing), and sort keys for the two sorts;
- the target's tags: for a work, its filters (tags.WorkFilter, so synonyms and subtags count)
  and its own tags (for tags not wrangled yet); for a series, the union over its parts, once
  over the parts a guest may see and once over those a registered reader may see;
- what visibility needs: whether a guest or a registered reader may see the target, the users
  credited on the work (or on the series' visible parts, for muting) and the series' creators
  (a creator sees bookmarks of their own series even when no part shows).

Muting is per viewer and so cannot be in a document: the query leaves out bookmarkers and
creators the viewer mutes. For a series that is exact only when no visible part is by a muted
creator (the series shows whatever its other parts show); bookmark_index answers such a viewer
from SQL when a series bookmark in scope has a muted creator.
"""

import hashlib
from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.db.models import Q

from fanworks.engagement.models import Bookmark, BookmarkTag
from fanworks.search.documents import FACET_TYPES, _rows
from fanworks.tags.models import Tag, WorkFilter
from fanworks.works.models import Creatorship, SeriesCreatorship, SeriesWork, Work, WorkTag

KIND_WORK, KIND_SERIES, KIND_EXTERNAL = 1, 2, 3
# Rows read per id query while building documents (keeps SQLite under its parameter limit).
CHUNK = 1000


def micros(value: datetime | None) -> int:
    """Microseconds since 1970: the databases sort on the full timestamp, so the index must."""
    if value is None:
        return 0
    return int(value.timestamp()) * 1_000_000 + value.microsecond


def created_key(created_us: int, pk: int) -> str:
    """Sort key for "date bookmarked", newest first: (created_at, id), as SQL's ORDER BY."""
    return f"{created_us:017d}{pk:012d}"


def updated_key(revised_us: int | None, created_us: int, pk: int) -> str:
    """Sort key for "date updated": the work's revised_at, series and external works (no date
    here) after every work, then (created_at, id), as `bookmark_search.ordered`."""
    head = "0" + "0" * 17 if revised_us is None else f"1{revised_us:017d}"
    return head + created_key(created_us, pk)


class WorkFacts:
    """What bookmark documents need of works: visibility flags, revised_at, filters, own
    tags, direct facet filters and credited users, read for many works at once."""

    def __init__(self, work_ids: Iterable[int]) -> None:
        ids = sorted(set(work_ids))
        self.flags: dict[int, tuple[bool, bool, bool]] = {}
        self.revised: dict[int, int | None] = {}
        self.filters: dict[int, set[int]] = defaultdict(set)
        self.direct: dict[int, set[int]] = defaultdict(set)
        self.own: dict[int, set[int]] = defaultdict(set)
        self.users: dict[int, set[int]] = defaultdict(set)
        facet_tag_ids: set[int] = set()
        for start in range(0, len(ids), CHUNK):
            chunk = ids[start : start + CHUNK]
            for pk, posted, hidden, restricted, revised in Work.objects.filter(
                pk__in=chunk
            ).values_list("pk", "posted", "hidden_by_admin", "restricted", "revised_at"):
                self.flags[pk] = (bool(posted), bool(hidden), bool(restricted))
                self.revised[pk] = micros(revised) if revised is not None else None
            for work_id, tag_id, inherited in _rows(
                WorkFilter.objects.filter(work_id__in=chunk)
                .values_list("work_id", "tag_id", "inherited")
                .order_by()
            ):
                self.filters[work_id].add(tag_id)
                if not inherited:
                    self.direct[work_id].add(tag_id)
                    facet_tag_ids.add(tag_id)
            for work_id, tag_id in _rows(
                WorkTag.objects.filter(work_id__in=chunk)
                .values_list("work_id", "tag_id")
                .order_by()
            ):
                self.own[work_id].add(tag_id)
            for work_id, user_id in _rows(
                Creatorship.objects.filter(work_id__in=chunk)
                .values_list("work_id", "pseud__user_id")
                .order_by()
            ):
                self.users[work_id].add(user_id)
        # Facets count direct filters of AO3's seven types only (bookmark_search._facets).
        self.facet_tags: set[int] = set()
        wanted = sorted(facet_tag_ids)
        for start in range(0, len(wanted), CHUNK):
            self.facet_tags.update(
                Tag.objects.filter(pk__in=wanted[start : start + CHUNK], type__in=FACET_TYPES)
                .values_list("pk", flat=True)
                .order_by()
            )

    def guest_may_see(self, work_id: int) -> bool:
        posted, hidden, restricted = self.flags.get(work_id, (False, True, True))
        return posted and not hidden and not restricted

    def registered_may_see(self, work_id: int) -> bool:
        posted, hidden, _ = self.flags.get(work_id, (False, True, True))
        return posted and not hidden

    def tags_of(self, work_ids: Iterable[int]) -> tuple[set[int], set[int], set[int]]:
        """(filters, own tags, direct facet filters) over these works."""
        filters: set[int] = set()
        own: set[int] = set()
        facets: set[int] = set()
        for pk in work_ids:
            filters |= self.filters.get(pk, set())
            own |= self.own.get(pk, set())
            facets |= self.direct.get(pk, set()) & self.facet_tags
        return filters, own, facets


def work_signature(work_id: int, facts: WorkFacts) -> int:
    """A number that changes whenever something a bookmark document takes from the work does
    (visibility, date, tags, filters, credited users). Stored on the work's document, so an
    outbox row for a kudos or a hit does not re-index every bookmark of a popular work."""
    if work_id not in facts.flags:
        return 0
    parts = (
        facts.flags[work_id],
        facts.revised.get(work_id),
        sorted(facts.filters.get(work_id, ())),
        sorted(facts.own.get(work_id, ())),
        sorted(facts.users.get(work_id, ())),
    )
    digest = hashlib.blake2b(repr(parts).encode(), digest_size=8).digest()
    # Never 0, which stands for "no document".
    return (int.from_bytes(digest, "big") >> 1) or 1


def work_signatures(work_ids: Iterable[int]) -> dict[int, int]:
    ids = list(work_ids)
    facts = WorkFacts(ids)
    return {pk: work_signature(pk, facts) for pk in ids}


def affected_bookmark_ids(work_ids: Iterable[int], series_ids: Iterable[int]) -> set[int]:
    """Bookmarks whose documents take something from these works or series: bookmarks of the
    works, of the series, and of every series a work is part of."""
    works = sorted(set(work_ids))
    series = set(series_ids)
    found: set[int] = set()
    for start in range(0, len(works), CHUNK):
        chunk = works[start : start + CHUNK]
        found.update(Bookmark.objects.filter(work_id__in=chunk).values_list("pk", flat=True))
        series.update(
            SeriesWork.objects.filter(work_id__in=chunk).values_list("series_id", flat=True)
        )
    wanted = sorted(series)
    for start in range(0, len(wanted), CHUNK):
        found.update(
            Bookmark.objects.filter(series_id__in=wanted[start : start + CHUNK]).values_list(
                "pk", flat=True
            )
        )
    return found


def bookmark_documents(bookmark_ids: Iterable[int]) -> tuple[list[dict[str, Any]], set[int]]:
    """(documents of these bookmarks that still exist, the ids that no longer do)."""
    ids = sorted({int(pk) for pk in bookmark_ids})
    docs: list[dict[str, Any]] = []
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        docs += _documents(Q(pk__in=chunk), Q(bookmark_id__in=chunk))
    return docs, set(ids) - {doc["id"] for doc in docs}


def bookmark_documents_between(first_id: int, last_id: int) -> list[dict[str, Any]]:
    """Documents of the bookmarks with ids from `first_id` to `last_id` (a rebuild)."""
    return _documents(
        Q(pk__gte=first_id, pk__lte=last_id),
        Q(bookmark_id__gte=first_id, bookmark_id__lte=last_id),
    )


def _documents(bookmarks_filter: Q, tags_filter: Q) -> list[dict[str, Any]]:
    rows = list(
        Bookmark.objects.filter(bookmarks_filter)
        .order_by("pk")
        .values_list(
            "pk",
            "user_id",
            "work_id",
            "series_id",
            "external_work_id",
            "rec",
            "private",
            "notes_html",
            "created_at",
        )
    )
    if not rows:
        return []
    bookmark_tags: dict[int, list[int]] = defaultdict(list)
    for bookmark_id, tag_id in _rows(
        BookmarkTag.objects.filter(tags_filter).values_list("bookmark_id", "tag_id").order_by()
    ):
        bookmark_tags[bookmark_id].append(tag_id)
    series_ids = sorted({row[3] for row in rows if row[3] is not None})
    parts: dict[int, list[int]] = defaultdict(list)
    owners: dict[int, set[int]] = defaultdict(set)
    for start in range(0, len(series_ids), CHUNK):
        chunk = series_ids[start : start + CHUNK]
        for series_id, work_id in SeriesWork.objects.filter(series_id__in=chunk).values_list(
            "series_id", "work_id"
        ):
            parts[series_id].append(work_id)
        for series_id, user_id in SeriesCreatorship.objects.filter(series_id__in=chunk).values_list(
            "series_id", "pseud__user_id"
        ):
            owners[series_id].add(user_id)
    work_ids = {row[2] for row in rows if row[2] is not None}
    for ids in parts.values():
        work_ids.update(ids)
    facts = WorkFacts(work_ids)
    docs = []
    for pk, user_id, work_id, series_id, external_id, rec, private, notes_html, created in rows:
        created_us = micros(created)
        doc: dict[str, Any] = {
            "id": pk,
            "user": user_id,
            "rec": bool(rec),
            "private": bool(private),
            "notes": bool(notes_html),
            "tag_ids": sorted(set(bookmark_tags.get(pk, []))),
            "sort_created": created_key(created_us, pk),
            "work": work_id,
            "series": series_id,
            "external": external_id,
            "parts": [],
            "series_owners": [],
        }
        if work_id is not None:
            filters, own, facets = facts.tags_of([work_id])
            guest = registered = (filters, own, facets)
            doc["kind"] = KIND_WORK
            doc["guest_ok"] = facts.guest_may_see(work_id)
            doc["registered_ok"] = facts.registered_may_see(work_id)
            doc["creators"] = sorted(facts.users.get(work_id, ()))
            doc["sort_updated"] = updated_key(facts.revised.get(work_id), created_us, pk)
        elif series_id is not None:
            members = parts.get(series_id, [])
            for_guests = [w for w in members if facts.guest_may_see(w)]
            for_registered = [w for w in members if facts.registered_may_see(w)]
            guest = facts.tags_of(for_guests)
            registered = facts.tags_of(for_registered)
            doc["kind"] = KIND_SERIES
            doc["guest_ok"] = bool(for_guests)
            doc["registered_ok"] = bool(for_registered)
            doc["creators"] = sorted({u for w in for_registered for u in facts.users.get(w, ())})
            doc["parts"] = sorted(members)
            doc["series_owners"] = sorted(owners.get(series_id, ()))
            doc["sort_updated"] = updated_key(None, created_us, pk)
        else:
            empty: set[int] = set()
            guest = registered = (empty, empty, empty)
            doc["kind"] = KIND_EXTERNAL
            doc["guest_ok"] = doc["registered_ok"] = True
            doc["creators"] = []
            doc["sort_updated"] = updated_key(None, created_us, pk)
        for suffix, (filters, own, facets) in (("guest", guest), ("registered", registered)):
            doc[f"filter_ids_{suffix}"] = sorted(filters)
            doc[f"own_tag_ids_{suffix}"] = sorted(own)
            doc[f"facet_ids_{suffix}"] = sorted(facets)
        docs.append(doc)
    return docs
