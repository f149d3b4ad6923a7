"""The search request and result shared by every backend, and the SQL backend.

The SQL backend answers from the database with the Django ORM. It is the reference the tantivy
backend is tested against, and the fallback when no index is wanted. Text matching is a
case-insensitive substring match, which agrees with the index on whole words. The per-type tag
fields (`fandom:marvel`) are the exception: both backends look the words up among tag names
(typed_tag_ids) and then match works by tag id, so they agree by construction.
"""

import math
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Protocol

from django.db import connection
from django.db.models import Case, Count, F, IntegerField, OrderBy, Q, QuerySet, Value, When
from django.db.models.expressions import Expression
from django.db.models.functions import Collate

from fanworks.search.documents import FACET_TYPES, TAG_TEXT_TYPES
from fanworks.search.parser import And, Node, Or, Phrase, Range, Term, positive_leaves
from fanworks.tags.models import Tag, TagWord, WorkFilter
from fanworks.tags.search import fold, prefix_upper_bound
from fanworks.works.models import Chapter, Creatorship, Work, WorkTag

PER_PAGE = 20
# Up to this many included tags, each is its own semi-join (fast for a big tag and a small one).
FEW_TAGS = 3
FACET_SIZE = 10
# A per-type field (`character:a*`) matches works by at most this many tags, those of lowest id.
MAX_TYPED_TAGS = 10_000
# A word as tags.search.words splits names (TagWord holds each, cut to TAG_WORD_LENGTH).
_WORD = re.compile(r"\w+", re.UNICODE)
TAG_WORD_LENGTH = 150
# Sort keys every backend orders by, each with the id as tie-break in the same direction.
# "relevance" is the exception: each engine ranks in its own way (see SqlBackend.order).
SORTS = frozenset(
    {
        "relevance",
        "updated",
        "posted",
        "words",
        "kudos",
        "hits",
        "comments",
        "bookmarks",
        "title",
        "creator",
    }
)
# Reader counts: ranges and sorts on these read the counters kept on the work.
STAT_FIELDS = ("hits", "kudos", "comments", "bookmarks")


@dataclass
class WorkSearch:
    include_filter_ids: list[int] = field(default_factory=list)
    exclude_filter_ids: list[int] = field(default_factory=list)
    # Parser ranges: words, chapters, kudos, hits, comments, bookmarks, updated, posted.
    ranges: list[Range] = field(default_factory=list)
    complete: bool | None = None
    crossover: bool | None = None
    language: str | None = None
    text: Node | None = None
    sort: str = "updated"
    descending: bool = True
    page: int = 1
    per_page: int = PER_PAGE
    viewer_is_registered: bool = False
    # Works credited to any of these pseuds (those of the users the viewer mutes) are left out.
    exclude_pseud_ids: list[int] = field(default_factory=list)


@dataclass
class SearchResult:
    work_ids: list[int]
    total: int
    # tag type → [(tag id, count)], most frequent first, ties by tag id, at most FACET_SIZE.
    facets: dict[str, list[tuple[int, int]]]


class Backend(Protocol):
    def search(self, request: WorkSearch) -> SearchResult: ...


def effective_sort(request: WorkSearch) -> str:
    """The sort actually used: relevance needs a text query to rank by, else date updated."""
    if request.sort not in SORTS or (request.sort == "relevance" and request.text is None):
        return "updated"
    return request.sort


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


def typed_tag_ids(tag_type: str, text: str, *, prefix: bool = False) -> list[int]:
    """Ids of the tags of `tag_type` whose name holds the words of `text` (folded as tag names
    are: case and accents ignored), one after another; with `prefix`, the last word need only
    start the name's word. At most MAX_TYPED_TAGS, those of lowest id.

    A per-type field of a query (`fandom:marvel`, `fandom:"marvel cinematic"`, `character:a*`)
    matches the works that carry one of these tags or have it as a filter, in both backends.
    """
    wanted = [w[:TAG_WORD_LENGTH] for w in _WORD.findall(fold(text))]
    if tag_type not in TAG_TEXT_TYPES or not wanted:
        return []
    tags = Tag.objects.filter(type=tag_type)
    exact = wanted[:-1] if prefix else wanted
    for word in dict.fromkeys(exact):
        tags = tags.filter(pk__in=TagWord.objects.filter(word=word).values("tag_id"))
    if prefix:
        last = wanted[-1]
        starting = TagWord.objects.filter(word__gte=last, word__lt=prefix_upper_bound(last))
        tags = tags.filter(pk__in=starting.values("tag_id"))
    tags = tags.order_by("pk")
    if len(wanted) == 1:
        return list(tags.values_list("pk", flat=True)[:MAX_TYPED_TAGS])
    found: list[int] = []
    for pk, name in tags.values_list("pk", "name").iterator():
        if _holds_words(_WORD.findall(fold(name)), wanted, prefix=prefix):
            found.append(pk)
            if len(found) >= MAX_TYPED_TAGS:
                break
    return found


def _holds_words(words: list[str], wanted: list[str], *, prefix: bool) -> bool:
    """Whether `wanted` appears in `words` one after another (the last word as a prefix)."""
    n = len(wanted)
    for start in range(len(words) - n + 1):
        window = [w[:TAG_WORD_LENGTH] for w in words[start : start + n]]
        if window[:-1] != wanted[:-1]:
            continue
        if window[-1] == wanted[-1] or (prefix and window[-1].startswith(wanted[-1])):
            return True
    return False


def typed_tags_q(tag_ids: list[int]) -> Q:
    """The works that carry one of these tags or have it as a filter."""
    if not tag_ids:
        return Q(pk__in=[])
    own = WorkTag.objects.filter(tag_id__in=tag_ids).values("work_id")
    filt = WorkFilter.objects.filter(tag_id__in=tag_ids).values("work_id")
    return Q(pk__in=own) | Q(pk__in=filt)


def _tag_names_q(text: str) -> Q:
    own = WorkTag.objects.filter(tag__name__icontains=text)
    filt = WorkFilter.objects.filter(tag__name__icontains=text)
    return Q(pk__in=own.values("work_id")) | Q(pk__in=filt.values("work_id"))


def _field_q(field_name: str | None, text: str, *, prefix: bool = False) -> Q:
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
    if field_name == "tag":
        return _tag_names_q(text)
    if field_name is not None:
        return typed_tags_q(typed_tag_ids(field_name, text, prefix=prefix))
    return (
        _field_q("title", text)
        | _field_q("summary", text)
        | _field_q("notes", text)
        | _field_q("creator", text)
        | _field_q("tag", text)
        | _field_q("text", text)
    )


def text_q(node: Node) -> Q:
    if isinstance(node, Term):
        return _field_q(node.field, node.text, prefix=node.prefix)
    if isinstance(node, Phrase):
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


_STAT_COLUMNS = {
    "hits": "hit_count",
    "kudos": "kudos_count",
    "comments": "comment_count",
    "bookmarks": "bookmark_count",
}
_RANGE_COLUMNS = {
    "words": "word_count",
    "chapters": "posted_chapter_count",
    "updated": "revised_at",
    "posted": "first_posted_at",
    **_STAT_COLUMNS,
}
_SORT_COLUMNS = {
    "updated": "revised_at",
    "posted": "first_posted_at",
    "words": "word_count",
    "title": "title_sort_key",
    "creator": "creator_sort_key",
    **_STAT_COLUMNS,
}
# Text sort keys compare by code point, as the index's term dictionary does; a database's
# default collation (en_US on many PostgreSQL installs) would order them differently.
_BINARY_COLLATIONS = {"postgresql": "C", "sqlite": "BINARY"}


def _range_q(r: Range) -> Q:
    lo, hi = integer_bounds(r)
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
        included = set(request.include_filter_ids)
        if len(included) <= FEW_TAGS:
            for tag_id in included:
                works = works.filter(
                    pk__in=WorkFilter.objects.filter(tag_id=tag_id).values("work_id")
                )
        else:
            # One grouped subquery, not one semi-join per tag: with dozens of them PostgreSQL
            # spent most of a minute planning the join order.
            having_all = (
                WorkFilter.objects.filter(tag_id__in=included)
                .values("work_id")
                .annotate(n=Count("tag_id", distinct=True))
                .filter(n=len(included))
                .values("work_id")
            )
            works = works.filter(pk__in=having_all)
        if request.exclude_filter_ids:
            works = works.exclude(
                pk__in=WorkFilter.objects.filter(tag_id__in=request.exclude_filter_ids).values(
                    "work_id"
                )
            )
        if request.exclude_pseud_ids:
            works = works.exclude(
                pk__in=Creatorship.objects.filter(pseud_id__in=request.exclude_pseud_ids).values(
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
        if request.crossover is not None:
            works = works.filter(is_crossover=request.crossover)
        if request.text is not None:
            works = works.filter(text_q(request.text))
        return works

    def order(self, request: WorkSearch) -> list[OrderBy]:
        """ORDER BY for the request's sort, with the id as tie-break in the same direction.

        Relevance here is coarse (title matches first, then the most recently updated): the
        SQL backend has no scores, and the two backends are only compared as sets for it.
        """
        sort = effective_sort(request)
        desc = request.descending
        if sort == "relevance":
            assert request.text is not None
            order = [F("revised_at").desc(), F("pk").desc()]
            titles = [
                _field_q("title", leaf.text)
                for leaf in positive_leaves(request.text)
                if leaf.field in (None, "title")
            ]
            if not titles:
                return order
            in_title = Q()
            for q in titles:
                in_title |= q
            title_first = Case(
                When(in_title, then=Value(1)), default=Value(0), output_field=IntegerField()
            )
            return [title_first.desc(), *order]
        key: Expression | F = F(_SORT_COLUMNS[sort])
        collation = _BINARY_COLLATIONS.get(connection.vendor)
        if sort in ("title", "creator") and collation is not None:
            key = Collate(key, collation)
        if desc:
            return [key.desc(), F("pk").desc()]
        return [key.asc(), F("pk").asc()]

    def search(self, request: WorkSearch) -> SearchResult:
        works = self.matching(request)
        start = (max(request.page, 1) - 1) * request.per_page
        ids = list(
            works.order_by(*self.order(request)).values_list("pk", flat=True)[
                start : start + request.per_page
            ]
        )
        total = works.count()
        # All seven facets in one grouped query: the match condition is compiled and planned
        # once, which matters for a long text query (hundreds of subqueries).
        counts: dict[str, dict[int, int]] = {tag_type: {} for tag_type in FACET_TYPES}
        rows = (
            WorkFilter.objects.filter(
                work__in=works.values("pk"), inherited=False, tag__type__in=list(FACET_TYPES)
            )
            .values_list("tag__type", "tag_id")
            .annotate(n=Count("work_id"))
            .order_by()
        )
        for tag_type, tag_id, n in rows:
            counts[tag_type][tag_id] = n
        facets = {name: top_facets(counts[t]) for t, name in FACET_TYPES.items()}
        return SearchResult(work_ids=ids, total=total, facets=facets)
