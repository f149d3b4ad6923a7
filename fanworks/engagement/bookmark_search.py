"""Filtering bookmarks: AO3's bookmark sidebar on /bookmarks, a user's and a work's bookmarks.

A reader includes or excludes bookmarks by the bookmarked work's tags and by the bookmarker's
own tags (separately, as AO3's `bookmark_search_form.rb` does), keeps only recs or only
bookmarks with notes, and sorts by the date bookmarked or the date the work was updated.

Work tags read the work filter table (tags.WorkFilter through `work_ids_filtered_by`), so a
canonical tag finds works tagged with its synonyms and subtags exactly as work search does.
Bookmarker tags are matched the same way from the tag graph (`tags_under`): including
"Favourites" finds bookmarks tagged with its synonym "Faves" or its subtag "Comfort Faves".
A bookmarked series carries the tags of the parts the viewer may see (as on AO3; a draft's
tags would reveal the draft), for filtering and for the sidebar's counts alike.

`sql_search` is the SQL implementation: each tag is one indexed semi-join (WorkFilter(tag,
work), BookmarkTag(tag, bookmark)) on the visible bookmarks, and a page is one id query, one
count and, when filtering, two grouped facet queries; no query per bookmark. With
SEARCH_BACKEND=tantivy, `search` asks the search index instead (search/bookmark_index.py),
which answers the same BookmarkSearch with the same ids, counts and facets, and falls back to
SQL where it cannot (no index yet, a re-filter under way, a viewer muting a series' creator).
SQL stays the reference: the tests run every case on both and compare.
"""

from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import connections
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet
from django.http import QueryDict

from fanworks.core.pagination import FilterPagePrefix
from fanworks.engagement.models import Bookmark, BookmarkTag
from fanworks.engagement.queries import Viewer, visible_bookmarks
from fanworks.search.documents import FACET_TYPES
from fanworks.search.filters import TAG_LABELS, FacetGroup, FacetTag
from fanworks.search.forms import (
    MAX_FILTER_TAGS,
    TAG_KEYS,
    TRUE_VALUES,
    BadSearch,
    id_list,
    read_page,
)
from fanworks.search.queries import tags_by_id
from fanworks.tags.models import Tag, WorkFilter
from fanworks.tags.queries import tag_by_name, tags_under, work_ids_filtered_by
from fanworks.works.models import SeriesWork
from fanworks.works.queries import visible_works

PER_PAGE = 20
FACET_SIZE = 10
# Tags are counted for the sidebar up to this many matching bookmarks; past it, counting in
# SQL costs more than a page should (about 70 ms per 20,000 on SQLite), so the sidebar keeps
# only the chosen tags and the name fields until the reader narrows the list.
MAX_FACETED = 25_000
# AO3's MAX_SEARCH_RESULTS, and what search.forms.MAX_PAGE pages of PER_PAGE reach.
MAX_COUNTED = 100_000
MAX_TAG_NAMES_LENGTH = 2_000
# AO3's key for the bookmarker's tags among include_/exclude_bookmark_search[…][].
BOOKMARKER_TAGS_KEY = "tag_ids"
# AO3's sort_column values for bookmarks → our sort keys.
SORT_COLUMNS = {"created_at": "created", "bookmarkable_date": "updated"}
SORT_LABELS = [("created_at", "Date Bookmarked"), ("bookmarkable_date", "Date Updated")]


def bs(name: str) -> str:
    return f"bookmark_search[{name}]"


def tag_param(mode: str, key: str) -> str:
    return f"{mode}_bookmark_search[{key}][]"


WORK_TAG_PARAMS = {
    mode: [tag_param(mode, key) for key in TAG_KEYS.values()] for mode in ("include", "exclude")
}
NAME_PARAMS = (
    "other_tag_names",
    "excluded_tag_names",
    "other_bookmark_tag_names",
    "excluded_bookmark_tag_names",
)
SCALAR_PARAMS = [bs(name) for name in ("sort_column", "rec", "with_notes", *NAME_PARAMS)]
FILTER_PARAMS = frozenset(
    [
        *SCALAR_PARAMS,
        *(tag_param(mode, key) for mode in ("include", "exclude") for key in TAG_KEYS.values()),
        tag_param("include", BOOKMARKER_TAGS_KEY),
        tag_param("exclude", BOOKMARKER_TAGS_KEY),
    ]
)


@dataclass
class BookmarkSearch:
    """What to find; the scope (whose bookmarks, of which work) is set by the page."""

    include_work_tag_ids: list[int] = field(default_factory=list)
    exclude_work_tag_ids: list[int] = field(default_factory=list)
    include_bookmark_tag_ids: list[int] = field(default_factory=list)
    exclude_bookmark_tag_ids: list[int] = field(default_factory=list)
    rec_only: bool = False
    with_notes: bool = False
    sort: str = "created"  # "created" (date bookmarked) or "updated" (the work's date)
    owner_id: int | None = None
    work_id: int | None = None
    external_work_id: int | None = None
    series_id: int | None = None
    page: int = 1
    per_page: int = PER_PAGE

    @property
    def filtered(self) -> bool:
        return bool(
            self.include_work_tag_ids
            or self.exclude_work_tag_ids
            or self.include_bookmark_tag_ids
            or self.exclude_bookmark_tag_ids
            or self.rec_only
            or self.with_notes
        )


@dataclass
class BookmarkResult:
    bookmark_ids: list[int]
    total: int
    # tag type (or "bookmarker") → [(tag id, bookmarks)], most first; empty when not faceted.
    facets: dict[str, list[tuple[int, int]]]
    # Too many bookmarks matched to count their tags (MAX_FACETED).
    facets_skipped: bool = False
    # More than MAX_COUNTED matched; `total` is MAX_COUNTED.
    total_capped: bool = False


def _filter_tags(tag_ids: list[int]) -> list[Tag]:
    """The tags readers filter by for these ids: a synonym's canonical tag, else the tag."""
    tags = Tag.objects.select_related("synonym_of").in_bulk(tag_ids)
    found: dict[int, Tag] = {}
    for pk in tag_ids:
        tag = tags.get(pk)
        if tag is None:
            continue
        chosen = tag.synonym_of if not tag.canonical and tag.synonym_of is not None else tag
        found[chosen.pk] = chosen
    return list(found.values())


def _bookmarker_tag_ids(tag: Tag) -> set[int]:
    """The bookmarker tags that count as `tag`: for a canonical tag, itself, its synonyms and
    its subtags (with theirs); an unwrangled tag only itself."""
    return tags_under(tag) if tag.canonical else {tag.pk}


def matching(viewer: Viewer, request: BookmarkSearch) -> QuerySet[Bookmark]:
    """The bookmarks `viewer` may see that the request asks for."""
    bookmarks = visible_bookmarks(viewer)
    if request.owner_id is not None:
        bookmarks = bookmarks.filter(user_id=request.owner_id)
    if request.work_id is not None:
        bookmarks = bookmarks.filter(work_id=request.work_id)
    if request.external_work_id is not None:
        bookmarks = bookmarks.filter(external_work_id=request.external_work_id)
    if request.series_id is not None:
        bookmarks = bookmarks.filter(series_id=request.series_id)
    for tag in _filter_tags(request.include_work_tag_ids):
        tagged = work_ids_filtered_by(tag)
        bookmarks = bookmarks.filter(
            Q(work_id__in=tagged) | Q(series_id__in=_series_ids_with(viewer, tagged))
        )
    for tag in _filter_tags(request.exclude_work_tag_ids):
        tagged = work_ids_filtered_by(tag)
        bookmarks = bookmarks.exclude(work_id__in=tagged).exclude(
            series_id__in=_series_ids_with(viewer, tagged)
        )
    for tag in _filter_tags(request.include_bookmark_tag_ids):
        tagged = BookmarkTag.objects.filter(tag_id__in=_bookmarker_tag_ids(tag))
        bookmarks = bookmarks.filter(pk__in=tagged.values("bookmark_id"))
    excluded: set[int] = set()
    for tag in _filter_tags(request.exclude_bookmark_tag_ids):
        excluded |= _bookmarker_tag_ids(tag)
    if excluded:
        tagged = BookmarkTag.objects.filter(tag_id__in=excluded)
        bookmarks = bookmarks.exclude(pk__in=tagged.values("bookmark_id"))
    if request.rec_only:
        bookmarks = bookmarks.filter(rec=True)
    if request.with_notes:
        bookmarks = bookmarks.exclude(notes_html="")
    return bookmarks


def _series_ids_with(viewer: Viewer, work_ids: QuerySet[Any]) -> QuerySet[Any]:
    """Ids of series with a part `viewer` may see among `work_ids` (a values() queryset): a
    series carries the tags of its visible works, as on AO3, and never those of a draft or of
    a part the viewer may not see (that would tell them the part exists)."""
    seen = visible_works(viewer).filter(pk=OuterRef("work_id"))
    return SeriesWork.objects.filter(work_id__in=work_ids).filter(Exists(seen)).values("series_id")


def ordered(bookmarks: QuerySet[Bookmark], sort: str) -> QuerySet[Bookmark]:
    if sort == "updated":
        # External works have no date on this archive; they come after the works.
        return bookmarks.order_by(F("work__revised_at").desc(nulls_last=True), "-created_at", "-pk")
    return bookmarks.order_by("-created_at", "-pk")


def search(viewer: Viewer, request: BookmarkSearch, *, faceted: bool) -> BookmarkResult:
    """The page's bookmark ids, the count and (with `faceted`) the sidebar's tag counts, from
    the configured backend. The caller loads the bookmarks themselves from the database."""
    if settings.SEARCH_BACKEND != "sql":
        from fanworks.search.bookmark_index import BookmarkEngine
        from fanworks.search.indexer import get_index

        index = get_index()
        if index.ready:
            found = BookmarkEngine(index.index, index.schema).search(
                viewer, request, faceted=faceted
            )
            if found is not None:
                return found
    return sql_search(viewer, request, faceted=faceted)


def sql_search(viewer: Viewer, request: BookmarkSearch, *, faceted: bool) -> BookmarkResult:
    bookmarks = matching(viewer, request)
    start = (max(request.page, 1) - 1) * request.per_page
    ids = list(
        ordered(bookmarks, request.sort).values_list("pk", flat=True)[
            start : start + request.per_page
        ]
    )
    # Counting stops past MAX_COUNTED (the pages stop there too): an exact count of every
    # bookmark in a big archive costs a scan of them all on each page view.
    total = bookmarks[: MAX_COUNTED + 1].count()
    capped = total > MAX_COUNTED
    total = min(total, MAX_COUNTED)
    facets: dict[str, list[tuple[int, int]]] = {}
    if faceted and total <= MAX_FACETED:
        facets = _facets(bookmarks, viewer)
    return BookmarkResult(
        bookmark_ids=ids,
        total=total,
        facets=facets,
        facets_skipped=faceted and total > MAX_FACETED,
        total_capped=capped,
    )


def _top(counts: dict[int, int]) -> list[tuple[int, int]]:
    return sorted(counts.items(), key=lambda pair: (-pair[1], pair[0]))[:FACET_SIZE]


def _facets(bookmarks: QuerySet[Bookmark], viewer: Viewer) -> dict[str, list[tuple[int, int]]]:
    """The top work tags of each type (direct filters, as work search's facets) and the top
    bookmarker tags among the matching bookmarks: two grouped queries.

    Work tags are counted per work first (bookmarks per work), then weighted through the
    filter table: joining every bookmark to every filter row cost about five times as much.
    Series bookmarks count once for each tag of the series' visible parts, in the same query
    (UNION ALL of the two groupings).
    """
    per_work = (
        bookmarks.filter(work__isnull=False).values("work_id").annotate(n=Count("pk")).order_by()
    )
    inner, params = per_work.query.sql_with_params()
    series_sql, series_params = _series_tag_counts_sql(bookmarks, viewer)
    types = list(FACET_TYPES)
    in_types = f"t.type IN ({', '.join(['%s'] * len(types))})"
    # Table names come from the models; every value is a parameter.
    sql = (
        f"SELECT t.type, wf.tag_id, SUM(b.n) FROM ({inner}) b "  # noqa: S608
        f"JOIN {WorkFilter._meta.db_table} wf ON wf.work_id = b.work_id "
        f"JOIN {Tag._meta.db_table} t ON t.id = wf.tag_id "
        f"WHERE wf.inherited = %s AND {in_types} "
        "GROUP BY t.type, wf.tag_id "
        f"UNION ALL {series_sql} AND {in_types} GROUP BY t.type, st.tag_id"
    )
    counts: dict[str, dict[int, int]] = {tag_type: {} for tag_type in types}
    with connections[bookmarks.db].cursor() as cursor:
        cursor.execute(sql, [*params, False, *types, *series_params, *types])
        for tag_type, tag_id, n in cursor.fetchall():
            counts[tag_type][tag_id] = counts[tag_type].get(tag_id, 0) + int(n)
    facets = {tag_type: _top(by_tag) for tag_type, by_tag in counts.items()}
    bookmarker = dict(
        BookmarkTag.objects.filter(bookmark_id__in=bookmarks.values("pk"))
        .values_list("tag_id")
        .annotate(n=Count("bookmark_id"))
        .order_by()
        .values_list("tag_id", "n")
    )
    facets["bookmarker"] = _top(bookmarker)
    return facets


def _series_tag_counts_sql(
    bookmarks: QuerySet[Bookmark], viewer: Viewer
) -> tuple[str, tuple[Any, ...]]:
    """SELECT type, tag, bookmarks for the series bookmarks among `bookmarks` (without its
    GROUP BY, which the caller adds after its type condition): each (series, tag) pair once,
    however many of the series' visible parts carry the tag, so a bookmark counts once."""
    per_series = (
        bookmarks.filter(series__isnull=False)
        .values("series_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    seen = visible_works(viewer).filter(pk=OuterRef("work_id"))
    series_tags = (
        WorkFilter.objects.filter(inherited=False)
        .filter(Exists(seen))
        .annotate(sid=F("work__series_works__series_id"))
        .filter(sid__in=per_series.values("series_id"))
        .values("sid", "tag_id")
        .distinct()
        .order_by()
    )
    inner, params = per_series.query.sql_with_params()
    tagged, tag_params = series_tags.query.sql_with_params()
    sql = (
        f"SELECT t.type, st.tag_id, SUM(b.n) FROM ({inner}) b "  # noqa: S608
        f"JOIN ({tagged}) st ON st.sid = b.series_id "
        f"JOIN {Tag._meta.db_table} t ON t.id = st.tag_id "
        "WHERE 1 = 1"
    )
    return sql, (*params, *tag_params)


# ---------------------------------------------------------------------------------------------
# Reading the request


@dataclass
class BookmarkFilters(FilterPagePrefix):
    search: BookmarkSearch
    errors: dict[str, str] = field(default_factory=dict)
    values: dict[str, str] = field(default_factory=dict)
    params: list[tuple[str, str]] = field(default_factory=list)

    @property
    def sort_column(self) -> str:
        return "bookmarkable_date" if self.search.sort == "updated" else "created_at"


def _tag_names(data: QueryDict, key: str) -> list[str]:
    """The names typed (comma-separated) in a name field."""
    raw = data.get(bs(key), "")[:MAX_TAG_NAMES_LENGTH]
    return [n.strip() for n in raw.split(",") if n.strip()]


def _named_tags(names: list[str], name: str, errors: dict[str, str]) -> list[int]:
    """Ids of the tags named in a name field; unknown names are reported beside the field and
    ignored."""
    found: list[int] = []
    unknown: list[str] = []
    for tag_name in names:
        # A NUL can't be in a tag name, and PostgreSQL refuses it in a query.
        tag = tag_by_name(tag_name) if "\x00" not in tag_name else None
        if tag is None:
            unknown.append(tag_name)
        else:
            found.append(tag.pk)
    if unknown:
        errors[name] = "No tag called: " + ", ".join(unknown)[:500]
    return found


def read_bookmark_filters(data: QueryDict) -> BookmarkFilters:
    """The BookmarkSearch these parameters ask for (AO3's names). Bad values are ignored with a
    message beside their field; too many tags or a bad page raise BadSearch (400)."""
    search = BookmarkSearch(page=read_page(data))
    filters = BookmarkFilters(search=search)
    errors = filters.errors
    for name in SCALAR_PARAMS:
        value = data.get(name)
        if value is not None:
            filters.values[name] = value[:MAX_TAG_NAMES_LENGTH]
    for mode, target in (
        ("include", search.include_work_tag_ids),
        ("exclude", search.exclude_work_tag_ids),
    ):
        for param in WORK_TAG_PARAMS[mode]:
            target += id_list(data.getlist(param))
    search.include_bookmark_tag_ids += id_list(
        data.getlist(tag_param("include", BOOKMARKER_TAGS_KEY))
    )
    search.exclude_bookmark_tag_ids += id_list(
        data.getlist(tag_param("exclude", BOOKMARKER_TAGS_KEY))
    )
    chosen = (
        len(search.include_work_tag_ids)
        + len(search.exclude_work_tag_ids)
        + len(search.include_bookmark_tag_ids)
        + len(search.exclude_bookmark_tag_ids)
    )
    named = {key: _tag_names(data, key) for key in NAME_PARAMS}
    if chosen + sum(len(names) for names in named.values()) > MAX_FILTER_TAGS:
        raise BadSearch(
            f"Please filter by at most {MAX_FILTER_TAGS} tags at once, included and excluded."
        )
    for key, target in (
        ("other_tag_names", search.include_work_tag_ids),
        ("excluded_tag_names", search.exclude_work_tag_ids),
        ("other_bookmark_tag_names", search.include_bookmark_tag_ids),
        ("excluded_bookmark_tag_names", search.exclude_bookmark_tag_ids),
    ):
        target += _named_tags(named[key], bs(key), errors)
    for target in (
        search.include_work_tag_ids,
        search.exclude_work_tag_ids,
        search.include_bookmark_tag_ids,
        search.exclude_bookmark_tag_ids,
    ):
        target[:] = list(dict.fromkeys(target))
    search.rec_only = data.get(bs("rec"), "").strip().upper() in TRUE_VALUES
    search.with_notes = data.get(bs("with_notes"), "").strip().upper() in TRUE_VALUES
    column = data.get(bs("sort_column"), "").strip()
    if column in SORT_COLUMNS:
        search.sort = SORT_COLUMNS[column]
    elif column:
        errors[bs("sort_column")] = "That is not a way to sort bookmarks."
    filters.params = [
        (key, value) for key in data for value in data.getlist(key) if key in FILTER_PARAMS
    ]
    return filters


# ---------------------------------------------------------------------------------------------
# The sidebar


def facet_groups(
    filters: BookmarkFilters, result: BookmarkResult, *, work_tags: bool
) -> list[FacetGroup]:
    """The sidebar's tag sections (the search app's FacetGroup markup): work tags by type
    (unless the page is one work's bookmarks) and the bookmarker's tags, each with the chosen
    tags kept so they can be unchecked."""
    search = filters.search
    included = set(search.include_work_tag_ids)
    excluded = set(search.exclude_work_tag_ids)
    b_included = set(search.include_bookmark_tag_ids)
    b_excluded = set(search.exclude_bookmark_tag_ids)
    wanted = {pk for pairs in result.facets.values() for pk, _ in pairs}
    wanted |= included | excluded | b_included | b_excluded
    names = tags_by_id(wanted)
    sections: list[tuple[str, str, list[tuple[int, int]], set[int], set[int], str | None]] = []
    if work_tags:
        for type_name, key in TAG_KEYS.items():
            pairs = result.facets.get(type_name, [])
            sections.append((key, TAG_LABELS[type_name], pairs, included, excluded, type_name))
    sections.append(
        (
            BOOKMARKER_TAGS_KEY,
            "Bookmarker's Tags",
            result.facets.get("bookmarker", []),
            b_included,
            b_excluded,
            None,
        )
    )
    groups = []
    for key, label, pairs, inc, exc, tag_type in sections:
        shown: list[FacetTag] = []
        seen: set[int] = set()
        for pk, count in pairs:
            if pk in names:
                seen.add(pk)
                shown.append(FacetTag(pk, names[pk]["name"], count, pk in inc, pk in exc))
        for pk in sorted((inc | exc) - seen):
            row = names.get(pk)
            if row is not None and (tag_type is None or row["type"] == tag_type):
                shown.append(FacetTag(pk, row["name"], 0, pk in inc, pk in exc))
        groups.append(
            FacetGroup(
                key=f"bookmark_{key}",
                label=label,
                include_param=tag_param("include", key),
                exclude_param=tag_param("exclude", key),
                tags=shown,
            )
        )
    return groups
