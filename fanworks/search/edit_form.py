"""The "Edit search" form on /works/search: AO3's search-form fields, filled in from the request.

The form and the filter sidebar share one URL; each carries what the other chose as hidden
inputs (see filters.carried), so submitting either keeps every choice.
"""

from dataclasses import dataclass
from typing import Any

from fanworks.search.filters import SORT_LABELS, carried, field_errors
from fanworks.search.forms import NAME_FIELDS, QUERY_PARAM, Filters, ws
from fanworks.search.queries import closed_tag_choices
from fanworks.tags.models import TagType
from fanworks.works.languages import LANGUAGES

# The form's free-text fields: AO3's key, label and a hint.
TEXT_FIELDS: list[tuple[str, str, str]] = [
    ("title", "Title", ""),
    ("creators", "Creator/s", ""),
    ("revised_at", "Date updated", "e.g. <1 week, 1-3 months, >2024-01-01"),
    ("word_count", "Word count", "e.g. >1000, 1000-5000, <500"),
    ("fandom_names", "Fandoms", "Names, separated by commas."),
    ("character_names", "Characters", "Names, separated by commas."),
    ("relationship_names", "Relationships", "Names, separated by commas."),
    ("freeform_names", "Additional tags", "Names, separated by commas."),
    ("hits", "Hits", "e.g. >100, 10-50, <5"),
    ("kudos_count", "Kudos", "e.g. >100, 10-50, <5"),
    ("comments_count", "Comments", "e.g. >100, 10-50, <5"),
    ("bookmarks_count", "Bookmarks", "e.g. >100, 10-50, <5"),
]
CLOSED_KEYS = ("rating_ids", "archive_warning_ids", "category_ids")
EDIT_PARAMS = frozenset(
    [
        QUERY_PARAM,
        *(ws(key) for key, _, _ in TEXT_FIELDS),
        *(ws(n) for n in NAME_FIELDS),
        ws("complete"),
        ws("crossover"),
        ws("single_chapter"),
        ws("language_id"),
        # Either spelling of the closed-tag choices: the form shows them all.
        *(ws(key) + tail for key in CLOSED_KEYS for tail in ("", "[]")),
        ws("sort_column"),
        ws("sort_direction"),
    ]
)


@dataclass(frozen=True)
class TextField:
    key: str
    label: str
    hint: str
    value: str
    error: str

    @property
    def name(self) -> str:
        return ws(self.key)


@dataclass(frozen=True)
class Choice:
    id: int
    name: str
    chosen: bool


def _direction(raw: str) -> str:
    value = raw.strip().lower()
    return value if value in ("asc", "desc") else ""


def edit_search_context(filters: Filters) -> dict[str, Any]:
    values = filters.values
    errors = field_errors(filters)
    tags = closed_tag_choices()

    def choices(tag_type: str, key: str) -> list[Choice]:
        chosen = filters.chosen_ids.get(key, set())
        return [Choice(pk, name, pk in chosen) for pk, name in tags[tag_type]]

    return {
        "query": values.get(QUERY_PARAM, ""),
        "query_param": QUERY_PARAM,
        "edit_fields": [
            TextField(key, label, hint, values.get(ws(key), "")[:10_000], errors.get(key, ""))
            for key, label, hint in TEXT_FIELDS
        ],
        "edit_ratings": choices(TagType.RATING, "rating_ids"),
        "edit_warnings": choices(TagType.WARNING, "archive_warning_ids"),
        "edit_categories": choices(TagType.CATEGORY, "category_ids"),
        "edit_complete": values.get(ws("complete"), "").strip().upper()[:1],
        "edit_crossover": values.get(ws("crossover"), "").strip().upper()[:1],
        "edit_single_chapter": values.get(ws("single_chapter"), "").strip().upper()
        in {"1", "T", "TRUE"},
        "edit_language": values.get(ws("language_id"), ""),
        "edit_languages": LANGUAGES,
        "edit_sort_options": SORT_LABELS,
        "edit_sort_column": filters.sort_column,
        "edit_sort_direction": _direction(values.get(ws("sort_direction"), "")),
        "edit_errors": errors,
        "edit_hidden": carried(filters, EDIT_PARAMS),
    }
