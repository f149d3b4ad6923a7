"""The search request and result shared by every backend, and the SQL backend.

The SQL backend answers from the database with the Django ORM. It is the reference the tantivy
backend is tested against, and the fallback when no index is wanted. Text matching is a
case-insensitive substring match, which agrees with the index on whole words.
"""

import math
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Protocol

from django.db.models import Count, F, Q, QuerySet

from fanworks.search.documents import FACET_TYPES
from fanworks.search.parser import And, Node, Or, Phrase, Range, Term
from fanworks.tags.models import WorkFilter
from fanworks.works.models import Chapter, Creatorship, Work, WorkTag

PER_PAGE = 20
FACET_SIZE = 10
# Stats that do not exist yet: every work has 0 of each.
ZERO_STATS = frozenset({"kudos", "hits", "comments", "bookmarks"})
# Sort keys either backend can order by (the text ones come later).
SORTS = frozenset({"updated", "posted", "words", "kudos", "hits", "comments", "bookmarks"})


@dataclass
class WorkSearch:
    include_filter_ids: list[int] = field(default_factory=list)
    exclude_filter_ids: list[int] = field(default_factory=list)
    # Parser ranges: words, chapters, kudos, hits, comments, bookmarks, updated, posted.
    ranges: list[Range] = field(default_factory=list)
    complete: bool | None = None
    language: str | None = None
    text: Node | None = None
    sort: str = "updated"
    descending: bool = True
    page: int = 1
    per_page: int = PER_PAGE
    viewer_is_registered: bool = False


@dataclass
class SearchResult:
    work_ids: list[int]
    total: int
    # tag type → [(tag id, count)], most frequent first, ties by tag id, at most FACET_SIZE.
    facets: dict[str, list[tuple[int, int]]]


class Backend(Protocol):
    def search(self, request: WorkSearch) -> SearchResult: ...


def integer_bounds(r: Range) -> tuple[int | None, int | None]:
    """The range as inclusive integer bounds (dates as whole epoch seconds)."""

    def value(v: int | datetime, *, low: bool, inclusive: bool) -> int:
        if isinstance(v, datetime):
            ts = v.timestamp()
            if low:
                return math.ceil(ts) if inclusive else math.floor(ts) + 1
            return math.floor(ts) if inclusive else math.ceil(ts) - 1
        if low:
            return v if inclusive else v + 1
        return v if inclusive else v - 1

    lo = None if r.low is None else value(r.low, low=True, inclusive=r.low_inclusive)
    hi = None if r.high is None else value(r.high, low=False, inclusive=r.high_inclusive)
    return lo, hi


def top_facets(counts: dict[int, int]) -> list[tuple[int, int]]:
    ranked = sorted(((tag, n) for tag, n in counts.items() if n > 0), key=lambda p: (-p[1], p[0]))
    return ranked[:FACET_SIZE]


# ---------------------------------------------------------------------------------------------
# SQL


def _tag_names_q(field_name: str, text: str) -> Q:
    tag_type = None if field_name == "tag" else field_name
    own = WorkTag.objects.filter(tag__name__icontains=text)
    filt = WorkFilter.objects.filter(tag__name__icontains=text)
    if tag_type is not None:
        own = own.filter(tag__type=tag_type)
        filt = filt.filter(tag__type=tag_type)
    return Q(pk__in=own.values("work_id")) | Q(pk__in=filt.values("work_id"))


def _field_q(field_name: str | None, text: str) -> Q:
    if field_name == "title":
        return Q(title__icontains=text)
    if field_name == "summary":
        return Q(summary_html__icontains=text)
    if field_name == "notes":
        return Q(notes_html__icontains=text) | Q(endnotes_html__icontains=text)
    if field_name == "creator":
        return Q(pk__in=Creatorship.objects.filter(pseud__name__icontains=text).values("work_id"))
    if field_name == "text":
        chapters = Chapter.objects.filter(posted=True, content_html__icontains=text)
        return Q(pk__in=chapters.values("work_id"))
    if field_name == "language":
        return Q(language__iexact=text)
    if field_name == "complete":
        return Q(pk__in=[]) if text.lower() not in {"true", "false", "yes", "no"} else Q()
    if field_name is not None:
        return _tag_names_q(field_name, text)
    return (
        _field_q("title", text)
        | _field_q("summary", text)
        | _field_q("notes", text)
        | _field_q("creator", text)
        | _field_q("tag", text)
        | _field_q("text", text)
    )


def text_q(node: Node) -> Q:
    if isinstance(node, Term | Phrase):
        return _field_q(node.field, node.text)
    if isinstance(node, And):
        q = Q()
        for child in node.children:
            q &= text_q(child)
        return q
    if isinstance(node, Or):
        q = Q(pk__in=[])
        for child in node.children:
            q |= text_q(child)
        return q
    return ~text_q(node.child)


_RANGE_COLUMNS = {
    "words": "word_count",
    "chapters": "posted_chapter_count",
    "updated": "revised_at",
    "posted": "first_posted_at",
}
_SORT_COLUMNS = {"updated": "revised_at", "posted": "first_posted_at", "words": "word_count"}


def _range_q(r: Range) -> Q:
    lo, hi = integer_bounds(r)
    if r.field in ZERO_STATS:
        ok = (lo is None or lo <= 0) and (hi is None or hi >= 0)
        return Q() if ok else Q(pk__in=[])
    column = _RANGE_COLUMNS[r.field]
    q = Q()
    if r.field in {"updated", "posted"}:
        if lo is not None:
            q &= Q(**{f"{column}__gte": datetime.fromtimestamp(lo, UTC)})
        if hi is not None:
            q &= Q(**{f"{column}__lt": datetime.fromtimestamp(hi + 1, UTC)})
        return q
    if lo is not None:
        q &= Q(**{f"{column}__gte": lo})
    if hi is not None:
        q &= Q(**{f"{column}__lte": hi})
    return q


class SqlBackend:
    def matching(self, request: WorkSearch) -> QuerySet[Work]:
        works = Work.objects.filter(posted=True, hidden_by_admin=False)
        if not request.viewer_is_registered:
            works = works.filter(restricted=False)
        for tag_id in request.include_filter_ids:
            works = works.filter(pk__in=WorkFilter.objects.filter(tag_id=tag_id).values("work_id"))
        if request.exclude_filter_ids:
            works = works.exclude(
                pk__in=WorkFilter.objects.filter(tag_id__in=request.exclude_filter_ids).values(
                    "work_id"
                )
            )
        for r in request.ranges:
            works = works.filter(_range_q(r))
        if request.language:
            works = works.filter(language=request.language)
        if request.complete is not None:
            complete = Q(expected_chapters__isnull=False) & Q(
                posted_chapter_count__gte=F("expected_chapters")
            )
            works = works.filter(complete) if request.complete else works.exclude(complete)
        if request.text is not None:
            works = works.filter(text_q(request.text))
        return works

    def search(self, request: WorkSearch) -> SearchResult:
        works = self.matching(request)
        column = _SORT_COLUMNS.get(request.sort)
        sign = "-" if request.descending else ""
        order = [f"{sign}{column}", f"{sign}pk"] if column else [f"{sign}pk"]
        start = (max(request.page, 1) - 1) * request.per_page
        ids = list(
            works.order_by(*order).values_list("pk", flat=True)[start : start + request.per_page]
        )
        total = works.count()
        facets: dict[str, list[tuple[int, int]]] = {}
        matched = works.values("pk")
        for tag_type, name in FACET_TYPES.items():
            rows = (
                WorkFilter.objects.filter(work__in=matched, inherited=False, tag__type=tag_type)
                .values("tag_id")
                .annotate(n=Count("work_id"))
            )
            facets[name] = top_facets({row["tag_id"]: row["n"] for row in rows})
        return SearchResult(work_ids=ids, total=total, facets=facets)
