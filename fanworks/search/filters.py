"""AO3-style listing filters: ``work_search[...]``, ``include_work_search[...][]`` and
``exclude_work_search[...][]`` parameters read from the query string into a WorkSearch.

Bad numbers, dates or tag names never fail the request: the filter is ignored and a message is
shown beside its field. Only costly requests are refused (too many tags, pages past the cap).
"""

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from urllib.parse import urlencode

from django.http import HttpRequest, QueryDict

from fanworks.search.documents import FACET_TYPES
from fanworks.search.forms import MAX_PAGE, BadSearch
from fanworks.search.parser import Range
from fanworks.search.queries import search_page
from fanworks.search.query import PER_PAGE, SearchResult, WorkSearch
from fanworks.tags.models import Tag, TagType
from fanworks.works.languages import LANGUAGES

MAX_FILTER_TAGS = 50
MAX_OTHER_TAG_NAMES_LENGTH = 2_000
LANGUAGE_CODES = frozenset(code for code, _ in LANGUAGES)

# AO3's parameter key per tag type, and the label of its sidebar section.
TAG_KEYS: dict[str, str] = {
    TagType.RATING: "rating_ids",
    TagType.WARNING: "archive_warning_ids",
    TagType.CATEGORY: "category_ids",
    TagType.FANDOM: "fandom_ids",
    TagType.CHARACTER: "character_ids",
    TagType.RELATIONSHIP: "relationship_ids",
    TagType.FREEFORM: "freeform_ids",
}
TAG_LABELS: dict[str, str] = {
    TagType.RATING: "Ratings",
    TagType.WARNING: "Warnings",
    TagType.CATEGORY: "Categories",
    TagType.FANDOM: "Fandoms",
    TagType.CHARACTER: "Characters",
    TagType.RELATIONSHIP: "Relationships",
    TagType.FREEFORM: "Additional Tags",
}
# AO3's sort_column values → our sort keys.
SORT_COLUMNS: dict[str, str] = {
    "revised_at": "updated",
    "created_at": "posted",
    "word_count": "words",
    "hits": "hits",
    "kudos_count": "kudos",
    "comments_count": "comments",
    "bookmarks_count": "bookmarks",
}
SORT_LABELS: list[tuple[str, str]] = [
    ("revised_at", "Date Updated"),
    ("created_at", "Date Posted"),
    ("word_count", "Word Count"),
    ("hits", "Hits"),
    ("kudos_count", "Kudos"),
    ("comments_count", "Comments"),
    ("bookmarks_count", "Bookmarks"),
]


def _ws(name: str) -> str:
    return f"work_search[{name}]"


def _tag_param(mode: str, key: str) -> str:
    return f"{mode}_work_search[{key}][]"


SCALAR_PARAMS = [
    _ws(n)
    for n in (
        "sort_column",
        "sort_direction",
        "complete",
        "single_chapter",
        "language_id",
        "words_from",
        "words_to",
        "date_from",
        "date_to",
        "other_tag_names",
    )
]
TAG_PARAMS = [_tag_param(mode, key) for mode in ("include", "exclude") for key in TAG_KEYS.values()]
FILTER_PARAMS = frozenset(SCALAR_PARAMS + TAG_PARAMS)


def has_filters(data: QueryDict) -> bool:
    """Whether the request asks for any filter or sort (so the search backend answers it)."""
    return any(key in FILTER_PARAMS for key in data)


@dataclass
class Filters:
    search: WorkSearch
    # parameter name → message shown beside that field; the filter itself was ignored.
    errors: dict[str, str] = field(default_factory=dict)
    values: dict[str, str] = field(default_factory=dict)
    included: set[int] = field(default_factory=set)
    excluded: set[int] = field(default_factory=set)
    # The filter parameters to keep in pagination links.
    params: list[tuple[str, str]] = field(default_factory=list)

    @property
    def page_prefix(self) -> str:
        query = urlencode(self.params)
        return f"?{query}&page=" if query else "?page="


def _int_param(data: QueryDict, name: str, errors: dict[str, str]) -> int | None:
    raw = data.get(name, "").strip().replace(",", "")
    if not raw:
        return None
    if not raw.isdigit() or len(raw) > 9:
        errors[name] = "Please enter a whole number."
        return None
    return int(raw)


def _date_param(data: QueryDict, name: str, errors: dict[str, str]) -> date | None:
    raw = data.get(name, "").strip()
    if not raw:
        return None
    try:
        if len(raw) != 10:
            raise ValueError(raw)
        return date.fromisoformat(raw)
    except ValueError:
        errors[name] = "Please enter a date as YYYY-MM-DD."
        return None


def _id_list(values: list[str]) -> list[int]:
    return [int(v) for v in values if v.strip().isdigit() and len(v.strip()) <= 12]


def read_page(data: QueryDict) -> int:
    raw = data.get("page", "1").strip() or "1"
    if not raw.isdigit() or len(raw) > 9 or int(raw) < 1:
        raise BadSearch("That is not a page number.")
    page = int(raw)
    if page > MAX_PAGE:
        raise BadSearch(
            f"Listings stop at page {MAX_PAGE:,}. Please add filters to narrow the results."
        )
    return page


def read_filters(
    data: QueryDict, *, registered: bool, page: int = 1, base_tag_id: int | None = None
) -> Filters:
    """The WorkSearch these parameters ask for. Raises BadSearch for costly requests."""
    search = WorkSearch(page=page, per_page=PER_PAGE, viewer_is_registered=registered)
    filters = Filters(search=search)
    errors = filters.errors
    for name in SCALAR_PARAMS:
        value = data.get(name)
        if value is not None:
            filters.values[name] = value[:MAX_OTHER_TAG_NAMES_LENGTH]

    included: list[int] = []
    excluded: list[int] = []
    for key in TAG_KEYS.values():
        included += _id_list(data.getlist(_tag_param("include", key)))
        excluded += _id_list(data.getlist(_tag_param("exclude", key)))
    other_names = [
        name.strip()
        for name in data.get(_ws("other_tag_names"), "")[:MAX_OTHER_TAG_NAMES_LENGTH].split(",")
        if name.strip()
    ]
    if len(set(included)) + len(set(excluded)) + len(other_names) > MAX_FILTER_TAGS:
        raise BadSearch(
            f"Please filter by at most {MAX_FILTER_TAGS} tags at once, included and excluded."
        )
    if other_names:
        from fanworks.tags.queries import tag_by_name

        unknown = []
        for name in other_names:
            tag = tag_by_name(name)
            filter_id = tag.filter_tag_id if tag is not None else None
            if filter_id is None:
                unknown.append(name)
            else:
                included.append(filter_id)
        if unknown:
            errors[_ws("other_tag_names")] = (
                "No canonical tag to filter by for: " + ", ".join(unknown)[:500]
            )
    filters.included = set(included)
    filters.excluded = set(excluded)
    search.include_filter_ids = list(dict.fromkeys(included))
    if base_tag_id is not None and base_tag_id not in search.include_filter_ids:
        search.include_filter_ids.insert(0, base_tag_id)
    search.exclude_filter_ids = list(dict.fromkeys(excluded))

    sort_column = data.get(_ws("sort_column"), "").strip()
    if sort_column:
        if sort_column in SORT_COLUMNS:
            search.sort = SORT_COLUMNS[sort_column]
        else:
            errors[_ws("sort_column")] = "That is not a way to sort works."
    direction = data.get(_ws("sort_direction"), "").strip().lower()
    if direction == "asc":
        search.descending = False

    complete = data.get(_ws("complete"), "").strip().upper()
    if complete in {"T", "TRUE", "1"}:
        search.complete = True
    elif complete in {"F", "FALSE", "0"}:
        search.complete = False
    elif complete:
        errors[_ws("complete")] = "Please choose complete, in progress, or all works."

    if data.get(_ws("single_chapter"), "").strip() in {"1", "T", "true"}:
        search.ranges.append(Range("chapters", 1, 1, text="chapters:1"))

    language = data.get(_ws("language_id"), "").strip()
    if language:
        if language in LANGUAGE_CODES:
            search.language = language
        else:
            errors[_ws("language_id")] = "That is not a language works are written in."

    words_from = _int_param(data, _ws("words_from"), errors)
    words_to = _int_param(data, _ws("words_to"), errors)
    if words_from is not None or words_to is not None:
        search.ranges.append(Range("words", words_from, words_to, text="words"))

    date_from = _date_param(data, _ws("date_from"), errors)
    date_to = _date_param(data, _ws("date_to"), errors)
    if date_from is not None or date_to is not None:
        low = datetime.combine(date_from, time.min, UTC) if date_from else None
        high = datetime.combine(date_to + timedelta(days=1), time.min, UTC) if date_to else None
        search.ranges.append(Range("updated", low, high, high_inclusive=False, text="updated"))

    filters.params = [
        (key, value) for key in data for value in data.getlist(key) if key in FILTER_PARAMS
    ]
    return filters


@dataclass(frozen=True)
class FacetTag:
    id: int
    name: str
    count: int
    included: bool
    excluded: bool


@dataclass(frozen=True)
class FacetGroup:
    key: str
    label: str
    include_param: str
    exclude_param: str
    tags: list[FacetTag]


def facet_groups(filters: Filters, result: SearchResult | None) -> list[FacetGroup]:
    """The sidebar's tag sections: the top tags of each type within the results (one query for
    their names), plus any chosen tag not among them so it can be unchecked."""
    counts: dict[str, list[tuple[int, int]]] = {}
    if result is not None:
        counts = {tag_type: result.facets.get(name, []) for tag_type, name in FACET_TYPES.items()}
    chosen = filters.included | filters.excluded
    wanted = {tag_id for pairs in counts.values() for tag_id, _ in pairs} | chosen
    tags: dict[int, Any] = {}
    if wanted:
        tags = {
            row["pk"]: row for row in Tag.objects.filter(pk__in=wanted).values("pk", "name", "type")
        }
    groups = []
    for tag_type, key in TAG_KEYS.items():
        shown: list[FacetTag] = []
        seen: set[int] = set()
        for tag_id, count in counts.get(tag_type, []):
            if tag_id in tags:
                seen.add(tag_id)
                shown.append(
                    FacetTag(
                        tag_id,
                        tags[tag_id]["name"],
                        count,
                        tag_id in filters.included,
                        tag_id in filters.excluded,
                    )
                )
        for tag_id in sorted(chosen - seen):
            row = tags.get(tag_id)
            if row is not None and row["type"] == tag_type:
                shown.append(
                    FacetTag(
                        tag_id,
                        row["name"],
                        0,
                        tag_id in filters.included,
                        tag_id in filters.excluded,
                    )
                )
        groups.append(
            FacetGroup(
                key=key,
                label=TAG_LABELS[tag_type],
                include_param=_tag_param("include", key),
                exclude_param=_tag_param("exclude", key),
                tags=shown,
            )
        )
    return groups


def sidebar_context(filters: Filters, result: SearchResult | None, action: str) -> dict[str, Any]:
    values = filters.values
    return {
        "filters": filters,
        "filter_action": action,
        "field_errors": {
            name.removeprefix("work_search[").removesuffix("]"): message
            for name, message in filters.errors.items()
        },
        "facet_groups": facet_groups(filters, result),
        "sort_options": SORT_LABELS,
        "sort_column": values.get(_ws("sort_column"), "revised_at"),
        "complete_value": values.get(_ws("complete"), "").strip().upper()[:1],
        "single_chapter": values.get(_ws("single_chapter"), "") in {"1", "T", "true"},
        "languages": LANGUAGES,
        "language_value": values.get(_ws("language_id"), ""),
        "words_from": values.get(_ws("words_from"), ""),
        "words_to": values.get(_ws("words_to"), ""),
        "date_from": values.get(_ws("date_from"), ""),
        "date_to": values.get(_ws("date_to"), ""),
        "other_tag_names": values.get(_ws("other_tag_names"), ""),
    }


def filtered_listing(
    request: HttpRequest, *, action: str, base_tag_id: int | None = None
) -> tuple[dict[str, Any], int]:
    """The context for a filtered listing (page, sidebar, messages) and its status code: the
    backend finds the page's ids and counts, the visibility query loads the works."""
    try:
        page = read_page(request.GET)
        filters = read_filters(
            request.GET,
            registered=bool(request.user.is_authenticated),
            page=page,
            base_tag_id=base_tag_id,
        )
    except BadSearch as error:
        empty = Filters(search=WorkSearch())
        context = sidebar_context(empty, None, action)
        context.update(filter_error=str(error), page=None, page_prefix="?page=")
        return context, 400
    result, result_page = search_page(request.user, filters.search)
    context = sidebar_context(filters, result, action)
    context.update(
        filtered=True,
        page=result_page,
        page_prefix=filters.page_prefix,
    )
    return context, 200


def plain_sidebar(request: HttpRequest, action: str) -> dict[str, Any]:
    """The sidebar for an unfiltered listing: no facets, so no extra queries."""
    context = sidebar_context(Filters(search=WorkSearch()), None, action)
    context["page_prefix"] = "?page="
    return context
