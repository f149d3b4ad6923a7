"""AO3-style listing filters: the sidebar beside /works, canonical tag pages and search results.

The parameters are read in ``forms`` (into a WorkSearch); this module runs the search and builds
what the sidebar shows: the facets (top tags of each type within the results, to include or
exclude), ranges, crossover and completion choices and the sort.
"""

from dataclasses import dataclass
from html import escape
from typing import Any

from django.http import HttpRequest
from django.utils.safestring import SafeString, mark_safe

from fanworks.accounts.queries import muted_pseud_ids
from fanworks.search.documents import FACET_TYPES
from fanworks.search.forms import (
    MAX_FILTER_TAGS,
    QUERY_PARAM,
    SIDEBAR_FIELDS,
    TAG_KEYS,
    BadSearch,
    Filters,
    has_filters,
    read_filters,
    read_page,
    tag_param,
    ws,
)
from fanworks.search.queries import search_page, tags_by_id
from fanworks.search.query import SearchResult, WorkSearch
from fanworks.tags.models import TagType
from fanworks.works.languages import LANGUAGES

__all__ = [
    "MAX_FILTER_TAGS",
    "BadSearch",
    "Filters",
    "facet_groups",
    "filtered_listing",
    "has_filters",
    "plain_sidebar",
    "read_filters",
    "sidebar_context",
]

TAG_LABELS: dict[str, str] = {
    TagType.RATING: "Ratings",
    TagType.WARNING: "Warnings",
    TagType.CATEGORY: "Categories",
    TagType.FANDOM: "Fandoms",
    TagType.CHARACTER: "Characters",
    TagType.RELATIONSHIP: "Relationships",
    TagType.FREEFORM: "Additional Tags",
}
# The sort menu, as AO3 labels it. "Best Match" only makes sense beside a text query.
SORT_LABELS: list[tuple[str, str]] = [
    ("_score", "Best Match"),
    ("authors_to_sort_on", "Creator"),
    ("title_to_sort_on", "Title"),
    ("created_at", "Date Posted"),
    ("revised_at", "Date Updated"),
    ("word_count", "Word Count"),
    ("hits", "Hits"),
    ("kudos_count", "Kudos"),
    ("comments_count", "Comments"),
    ("bookmarks_count", "Bookmarks"),
]
# Stat ranges in the sidebar: AO3's parameter key and label.
STAT_RANGES: list[tuple[str, str]] = [
    ("hits", "Hits"),
    ("kudos_count", "Kudos"),
    ("comments_count", "Comments"),
    ("bookmarks_count", "Bookmarks"),
]
# Every field the sidebar form shows; other chosen parameters travel with it as hidden inputs.
SIDEBAR_PARAMS = frozenset(
    [
        *(ws(n) for n in SIDEBAR_FIELDS),
        *(ws(key) for key, _ in STAT_RANGES),
        *(tag_param(mode, key) for mode in ("include", "exclude") for key in TAG_KEYS.values()),
    ]
)


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

    def html(self) -> SafeString:
        """The group's fieldset in the sidebar form (search/_filters.html prints it): built in
        Python, as seventy checkbox pairs cost the template engine ~10 ms a page. html.escape
        prints what Django's escape does, without its lazy-string and SafeString wrapping."""
        key, inc, exc = escape(self.key), escape(self.include_param), escape(self.exclude_param)
        if self.tags:
            items = "".join(
                "\n              <li>\n"
                f'                <span class="facet-name" id="facet_{key}_{t.id}">'
                f"{escape(t.name)}{f' ({t.count})' if t.count else ''}</span>\n"
                f'                <label><input type="checkbox" name="{inc}" value="{t.id}"'
                f'{" checked" if t.included else ""} aria-describedby="facet_{key}_{t.id}">'
                " Include</label>\n"
                f'                <label><input type="checkbox" name="{exc}" value="{t.id}"'
                f'{" checked" if t.excluded else ""} aria-describedby="facet_{key}_{t.id}">'
                " Exclude</label>\n"
                "              </li>\n            "
                for t in self.tags
            )
            body = f"\n          <ul>\n            {items}\n          </ul>\n        "
        else:
            body = '\n          <p class="hint">No tags to choose yet.</p>\n        '
        return mark_safe(  # noqa: S308 - every value is escaped or a number
            '\n      <fieldset class="facet">\n'
            f"        <legend>{escape(self.label)}</legend>\n"
            f"        {body}\n"
            "      </fieldset>\n    "
        )


def facet_groups(filters: Filters, result: SearchResult | None) -> list[FacetGroup]:
    """The sidebar's tag sections: the top tags of each type within the results (one query for
    their names), plus any chosen tag not among them so it can be unchecked."""
    counts: dict[str, list[tuple[int, int]]] = {}
    if result is not None:
        counts = {tag_type: result.facets.get(name, []) for tag_type, name in FACET_TYPES.items()}
    chosen = filters.included | filters.excluded
    wanted = {tag_id for pairs in counts.values() for tag_id, _ in pairs} | chosen
    tags = tags_by_id(wanted)
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
                include_param=tag_param("include", key),
                exclude_param=tag_param("exclude", key),
                tags=shown,
            )
        )
    return groups


def field_errors(filters: Filters) -> dict[str, str]:
    """Messages keyed by the bare AO3 name ("hits" for work_search[hits]) for templates."""
    return {
        name.removeprefix("work_search[").removesuffix("]"): message
        for name, message in filters.errors.items()
    }


def carried(filters: Filters, shown: frozenset[str]) -> list[tuple[str, str]]:
    """The chosen parameters a form does not show, to send again as hidden inputs so that
    submitting one form keeps what was chosen in the other."""
    return [(key, value) for key, value in filters.params if key not in shown and value]


def sidebar_context(
    filters: Filters, result: SearchResult | None, action: str, *, with_query: bool = False
) -> dict[str, Any]:
    values = filters.values
    return {
        "filters": filters,
        "filter_action": action,
        "field_errors": field_errors(filters),
        "facet_groups": facet_groups(filters, result),
        "sort_options": SORT_LABELS if with_query else SORT_LABELS[1:],
        "sort_column": filters.sort_column,
        "sort_direction": values.get(ws("sort_direction"), "").strip().lower(),
        "complete_value": values.get(ws("complete"), "").strip().upper()[:1],
        "crossover_value": values.get(ws("crossover"), "").strip().upper()[:1],
        "single_chapter": values.get(ws("single_chapter"), "").strip().upper()
        in {"1", "T", "TRUE"},
        "languages": LANGUAGES,
        "language_value": values.get(ws("language_id"), ""),
        "words_from": values.get(ws("words_from"), ""),
        "words_to": values.get(ws("words_to"), ""),
        "date_from": values.get(ws("date_from"), ""),
        "date_to": values.get(ws("date_to"), ""),
        "stat_ranges": [
            (key, label, values.get(ws(key), "")[:100], filters.errors.get(ws(key), ""))
            for key, label in STAT_RANGES
        ],
        "other_tag_names": values.get(ws("other_tag_names"), ""),
        "sidebar_hidden": carried(filters, SIDEBAR_PARAMS),
    }


def run_filters(
    request: HttpRequest,
    *,
    base_tag_id: int | None = None,
    default_sort: str = "updated",
) -> tuple[Filters, SearchResult, Any]:
    """Read the parameters and run the search; raises BadSearch for costly requests."""
    page = read_page(request.GET)
    filters = read_filters(
        request.GET,
        registered=bool(request.user.is_authenticated),
        page=page,
        base_tag_id=base_tag_id,
        default_sort=default_sort,
    )
    filters.search.exclude_pseud_ids = muted_pseud_ids(request.user)
    result, result_page = search_page(request.user, filters.search)
    return filters, result, result_page


def filtered_listing(
    request: HttpRequest, *, action: str, base_tag_id: int | None = None
) -> tuple[dict[str, Any], int]:
    """The context for a filtered listing (page, sidebar, messages) and its status code: the
    backend finds the page's ids and counts, the visibility query loads the works."""
    try:
        filters, result, result_page = run_filters(request, base_tag_id=base_tag_id)
    except BadSearch as error:
        context = sidebar_context(Filters(search=WorkSearch()), None, action)
        context.update(filter_error=str(error), page=None, page_prefix="?page=")
        return context, 400
    context = sidebar_context(filters, result, action, with_query=QUERY_PARAM in request.GET)
    context.update(
        filtered=True,
        page=result_page,
        page_prefix=filters.page_prefix,
        warnings=filters.warnings,
    )
    return context, 200


def plain_sidebar(request: HttpRequest, action: str) -> dict[str, Any]:
    """The sidebar for an unfiltered listing: no facets, so no extra queries."""
    context = sidebar_context(Filters(search=WorkSearch()), None, action)
    context["page_prefix"] = "?page="
    return context
