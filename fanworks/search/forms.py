"""Reading a work search or filtered listing from the query string into a WorkSearch.

Both AO3 forms are understood: the filter sidebar (``include_work_search[...][]``,
``exclude_work_search[...][]``, ``work_search[words_from]`` …) and the search form
(``work_search[query]``, ``[title]``, ``[creators]``, ``[fandom_names]``, ``[revised_at]``,
``[hits]`` …), so AO3 search URLs work here. Bad numbers, dates or tag names never fail the
request: the filter is ignored and a message is shown beside its field. Only costly requests
are refused with BadSearch (a 400): too many tags, a too-long query, pages past the cap.
"""

import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from django.http import QueryDict
from django.utils import timezone

from fanworks.core.numbers import is_plain_number
from fanworks.core.pagination import FilterPagePrefix
from fanworks.search.parser import And, Node, Not, Or, Phrase, Range, Sort, Term, parse
from fanworks.search.query import PER_PAGE, WorkSearch
from fanworks.tags.models import TagType
from fanworks.works.languages import LANGUAGES

QUERY_PARAM = "work_search[query]"
MAX_REQUEST_QUERY = 10_000
MAX_PAGE = 5_000
MAX_FILTER_TAGS = 50
MAX_OTHER_TAG_NAMES_LENGTH = 2_000
MAX_RANGE_LENGTH = 100
LANGUAGE_CODES = frozenset(code for code, _ in LANGUAGES)


class BadSearch(ValueError):
    """A request refused with 400 and this message."""


def ws(name: str) -> str:
    return f"work_search[{name}]"


def tag_param(mode: str, key: str) -> str:
    return f"{mode}_work_search[{key}][]"


# AO3's parameter key per tag type.
TAG_KEYS: dict[str, str] = {
    TagType.RATING: "rating_ids",
    TagType.WARNING: "archive_warning_ids",
    TagType.CATEGORY: "category_ids",
    TagType.FANDOM: "fandom_ids",
    TagType.CHARACTER: "character_ids",
    TagType.RELATIONSHIP: "relationship_ids",
    TagType.FREEFORM: "freeform_ids",
}
# The search form's tag-name fields and the parser field a name is searched in when no
# canonical tag has it (AO3 matches unknown names as text).
NAME_FIELDS: dict[str, str] = {
    "fandom_names": "fandom",
    "character_names": "character",
    "relationship_names": "relationship",
    "freeform_names": "freeform",
}
# AO3's sort_column values → our sort keys, in the order a sort menu lists them.
SORT_COLUMNS: dict[str, str] = {
    "_score": "relevance",
    "authors_to_sort_on": "creator",
    "title_to_sort_on": "title",
    "created_at": "posted",
    "revised_at": "updated",
    "word_count": "words",
    "hits": "hits",
    "kudos_count": "kudos",
    "comments_count": "comments",
    "bookmarks_count": "bookmarks",
}
SORT_PARAM_FOR = {key: column for column, key in SORT_COLUMNS.items()}
ASCENDING_SORTS = frozenset({"title", "creator"})
# AO3's range fields (the search form's, plus stats in the sidebar) → parser range fields.
RANGE_PARAMS: dict[str, str] = {
    "word_count": "words",
    "revised_at": "updated",
    "hits": "hits",
    "kudos_count": "kudos",
    "comments_count": "comments",
    "bookmarks_count": "bookmarks",
}
TRUE_VALUES = frozenset({"T", "TRUE", "1"})
FALSE_VALUES = frozenset({"F", "FALSE", "0"})

# The one-value fields of the filter sidebar (the search form has these and more).
SIDEBAR_FIELDS = (
    "sort_column",
    "sort_direction",
    "complete",
    "crossover",
    "single_chapter",
    "language_id",
    "words_from",
    "words_to",
    "date_from",
    "date_to",
    "other_tag_names",
)
SCALAR_PARAMS = [
    ws(n) for n in ("query", "title", "creators", *SIDEBAR_FIELDS, *NAME_FIELDS, *RANGE_PARAMS)
]
TAG_PARAMS = [
    *(tag_param(mode, key) for mode in ("include", "exclude") for key in TAG_KEYS.values()),
    # The search form's own spelling: rating_ids is a single choice, the others checkboxes.
    *(ws(key) for key in TAG_KEYS.values()),
    *(ws(key) + "[]" for key in TAG_KEYS.values()),
]
FILTER_PARAMS = frozenset(SCALAR_PARAMS + TAG_PARAMS)
# Text a reader types; each is refused (400) past MAX_REQUEST_QUERY characters.
TEXT_PARAMS = [ws("query"), "q", ws("title"), ws("creators"), *(ws(n) for n in NAME_FIELDS)]


def has_filters(data: QueryDict) -> bool:
    """Whether the request asks for any filter or sort (so the search backend answers it)."""
    return any(key in FILTER_PARAMS for key in data)


@dataclass
class Filters(FilterPagePrefix):
    search: WorkSearch
    # parameter name → message shown beside that field; the filter itself was ignored.
    errors: dict[str, str] = field(default_factory=dict)
    # What the reader typed or chose, to show the forms filled in again.
    values: dict[str, str] = field(default_factory=dict)
    chosen_ids: dict[str, set[int]] = field(default_factory=dict)
    included: set[int] = field(default_factory=set)
    excluded: set[int] = field(default_factory=set)
    # The parameters to keep in pagination links and to carry between the two forms.
    params: list[tuple[str, str]] = field(default_factory=list)
    # What the query parser did with the typed text, for the notice beside the form.
    warnings: list[str] = field(default_factory=list)

    @property
    def sort_column(self) -> str:
        return SORT_PARAM_FOR.get(self.search.sort, "revised_at")


def read_page(data: QueryDict) -> int:
    raw = data.get("page", "1").strip() or "1"
    if not is_plain_number(raw) or len(raw) > 9 or int(raw) < 1:
        raise BadSearch("That is not a page number.")
    page = int(raw)
    if page > MAX_PAGE:
        raise BadSearch(
            f"Results stop at page {MAX_PAGE:,}. Please narrow your search to see more."
        )
    return page


def _int_param(data: QueryDict, name: str, errors: dict[str, str]) -> int | None:
    raw = data.get(name, "").strip().replace(",", "")
    if not raw:
        return None
    if not is_plain_number(raw) or len(raw) > 9:
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


def _range_param(data: QueryDict, key: str, errors: dict[str, str], now: datetime) -> Range | None:
    """AO3's range fields: ">100", "10-50", "<5", "5"; dates also "<1 week", "1-3 months"."""
    name = ws(key)
    raw = " ".join(data.get(name, "").split())
    if not raw:
        return None
    field_name = RANGE_PARAMS[key]
    # The parser reads "field:VALUE"; spaces around a dash would split the value in two.
    parsed = parse(f"{field_name}:{re.sub(r' ?- ?', '-', raw)}", now=now)
    if len(raw) > MAX_RANGE_LENGTH or parsed.root or len(parsed.ranges) != 1 or parsed.warnings:
        if field_name == "updated":
            errors[name] = "Please enter a time such as <1 week, 1-3 months or >2024-01-01."
        else:
            errors[name] = "Please enter a number or a range such as >100, 10-50 or <5."
        return None
    return parsed.ranges[0]


def _choice(data: QueryDict, name: str, errors: dict[str, str], message: str) -> bool | None:
    value = data.get(name, "").strip().upper()
    if value in TRUE_VALUES:
        return True
    if value in FALSE_VALUES:
        return False
    if value:
        errors[name] = message
    return None


def id_list(values: list[str]) -> list[int]:
    """The ids among form values; anything else ("x", "²", too long) is left out."""
    return [int(v) for v in values if is_plain_number(v.strip()) and len(v.strip()) <= 12]


def _names(raw: str) -> list[str]:
    return [name.strip() for name in raw.split(",") if name.strip()]


def with_field(node: Node, field_name: str) -> Node:
    """The query with every word and phrase not already fielded searched in `field_name`."""
    if isinstance(node, Term | Phrase):
        if node.field is not None:
            return node
        if isinstance(node, Term):
            return Term(field_name, node.text, node.prefix)
        return Phrase(field_name, node.text)
    if isinstance(node, And):
        return And(tuple(with_field(c, field_name) for c in node.children))
    if isinstance(node, Or):
        return Or(tuple(with_field(c, field_name) for c in node.children))
    return Not(with_field(node.child, field_name))


def _and(nodes: list[Node]) -> Node | None:
    flat: list[Node] = []
    for node in nodes:
        flat.extend(node.children if isinstance(node, And) else [node])
    if not flat:
        return None
    return flat[0] if len(flat) == 1 else And(tuple(flat))


def _query_text(data: QueryDict) -> str:
    query = data.get(QUERY_PARAM)
    return data.get("q", "") if query is None else query


def read_filters(
    data: QueryDict,
    *,
    registered: bool,
    page: int = 1,
    base_tag_id: int | None = None,
    default_sort: str = "updated",
    now: datetime | None = None,
) -> Filters:
    """The WorkSearch these parameters ask for. Raises BadSearch for costly requests."""
    now = now or timezone.now()
    for name in TEXT_PARAMS:
        if len(data.get(name, "")) > MAX_REQUEST_QUERY:
            raise BadSearch(
                f"That search is too long: each field may have at most "
                f"{MAX_REQUEST_QUERY:,} characters."
            )
    search = WorkSearch(page=page, per_page=PER_PAGE, viewer_is_registered=registered)
    filters = Filters(search=search)
    errors = filters.errors
    for name in SCALAR_PARAMS:
        value = data.get(name)
        if value is not None:
            filters.values[name] = value[:MAX_REQUEST_QUERY]
    if "q" in data and QUERY_PARAM not in data:
        filters.values[QUERY_PARAM] = data.get("q", "")[:MAX_REQUEST_QUERY]

    texts: list[Node] = []
    query = _query_text(data).strip()
    parsed = parse(query, now=now)
    filters.warnings += parsed.warnings
    if parsed.root is not None:
        texts.append(parsed.root)
    search.ranges += parsed.ranges
    for key, field_name, label in (("title", "title", "Title"), ("creators", "creator", "Creator")):
        raw = data.get(ws(key), "").strip()
        if not raw:
            continue
        fielded = parse(raw, now=now)
        filters.warnings += [f"{label}: {w}" for w in fielded.warnings]
        if fielded.ranges or fielded.sort:
            filters.warnings.append(f"{label}: ranges and sorts belong in the main search box")
        if fielded.root is not None:
            texts.append(with_field(fielded.root, field_name))

    included: list[int] = []
    excluded: list[int] = []
    for key in TAG_KEYS.values():
        chosen = id_list(data.getlist(ws(key)) + data.getlist(ws(key) + "[]"))
        filters.chosen_ids[key] = set(chosen)
        included += id_list(data.getlist(tag_param("include", key))) + chosen
        excluded += id_list(data.getlist(tag_param("exclude", key)))
    other_names = _names(data.get(ws("other_tag_names"), "")[:MAX_OTHER_TAG_NAMES_LENGTH])
    typed_names = {key: _names(data.get(ws(key), "")) for key in NAME_FIELDS}
    named = len(other_names) + sum(len(names) for names in typed_names.values())
    if len(set(included)) + len(set(excluded)) + named > MAX_FILTER_TAGS:
        raise BadSearch(
            f"Please filter by at most {MAX_FILTER_TAGS} tags at once, included and excluded."
        )
    if named:
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
            errors[ws("other_tag_names")] = (
                "No canonical tag to filter by for: " + ", ".join(unknown)[:500]
            )
        for key, names in typed_names.items():
            for name in names:
                tag = tag_by_name(name)
                filter_id = tag.filter_tag_id if tag is not None else None
                if filter_id is not None:
                    included.append(filter_id)
                else:
                    texts.append(Phrase(NAME_FIELDS[key], name))
    filters.included = set(included)
    filters.excluded = set(excluded)
    search.include_filter_ids = list(dict.fromkeys(included))
    if base_tag_id is not None and base_tag_id not in search.include_filter_ids:
        search.include_filter_ids.insert(0, base_tag_id)
    search.exclude_filter_ids = list(dict.fromkeys(excluded))
    search.text = _and(texts)

    _read_sort(data, filters, default_sort, parsed.sort)
    search.complete = _choice(
        data, ws("complete"), errors, "Please choose complete, in progress, or all works."
    )
    search.crossover = _choice(
        data, ws("crossover"), errors, "Please choose crossovers only, no crossovers, or all."
    )
    if data.get(ws("single_chapter"), "").strip().upper() in TRUE_VALUES:
        search.ranges.append(Range("chapters", 1, 1, text="chapters:1"))
    language = data.get(ws("language_id"), "").strip()
    if language:
        if language in LANGUAGE_CODES:
            search.language = language
        else:
            errors[ws("language_id")] = "That is not a language works are written in."

    words_from = _int_param(data, ws("words_from"), errors)
    words_to = _int_param(data, ws("words_to"), errors)
    if words_from is not None or words_to is not None:
        search.ranges.append(Range("words", words_from, words_to, text="words"))
    date_from = _date_param(data, ws("date_from"), errors)
    date_to = _date_param(data, ws("date_to"), errors)
    if date_from is not None or date_to is not None:
        low = datetime.combine(date_from, time.min, UTC) if date_from else None
        high = datetime.combine(date_to + timedelta(days=1), time.min, UTC) if date_to else None
        search.ranges.append(Range("updated", low, high, high_inclusive=False, text="updated"))
    for key in RANGE_PARAMS:
        found = _range_param(data, key, errors, now)
        if found is not None:
            search.ranges.append(found)

    filters.params = [
        (key, value) for key in data for value in data.getlist(key) if key in FILTER_PARAMS
    ]
    if "q" in data and QUERY_PARAM not in data:
        filters.params.insert(0, (QUERY_PARAM, data.get("q", "")))
    filters.warnings = list(dict.fromkeys(filters.warnings))
    return filters


def _read_sort(data: QueryDict, filters: Filters, default: str, typed: Sort | None) -> None:
    """sort:… typed in the query wins over the sort menu, which wins over the page's default.
    Without a direction, title and creator sort A to Z and everything else newest or most
    first, as on AO3."""
    search = filters.search
    search.sort = default
    column = data.get(ws("sort_column"), "").strip()
    if column:
        if column in SORT_COLUMNS:
            search.sort = SORT_COLUMNS[column]
        else:
            filters.errors[ws("sort_column")] = "That is not a way to sort works."
    direction = data.get(ws("sort_direction"), "").strip().lower()
    search.descending = search.sort not in ASCENDING_SORTS
    if direction in ("asc", "desc"):
        search.descending = direction == "desc"
    elif direction:
        filters.errors[ws("sort_direction")] = "Please choose ascending or descending."
    if typed is not None:
        search.sort = typed.field
        search.descending = typed.descending
