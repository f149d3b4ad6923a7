"""The filter sidebar and the "Edit search" form, built in Python.

The template engine took ~3.5 ms for the sidebar and ~4 ms for the search form on every listing
and search page, mostly in variable lookups, escaping and loops over a few dozen options; string
formatting does the same in a small fraction of that. The markup stays as it was: the templates
search/_filters.html and search/_edit_search.html are kept as its readable reference, and these
renderers must be kept in step with them (search/tests/test_form_html.py renders both ways for
many contexts and compares the bytes). Pages print them with the tags in
search/templatetags/search_forms.py.

Both renderers read the context the views build (filters.sidebar_context and
edit_form.edit_search_context): a missing value prints as nothing, as in a template. Every value
is escaped with html.escape (quote=True), the parameter names and values carried in hidden
inputs included, as they come straight from the query string.
"""

from collections.abc import Iterable, Mapping
from functools import lru_cache
from html import escape
from typing import Any, Protocol

from django.utils.safestring import SafeString, mark_safe


class TemplateValues(Protocol):
    """What the renderers read values from: a dict, or the template Context the tags are given."""

    def get(self, key: str, default: Any = None, /) -> Any: ...


def _text(value: Any) -> str:
    """``{{ value }}``: nothing for a missing value, the rest escaped, quotes included."""
    return "" if value is None else escape(str(value))


def _flag(on: bool, word: str) -> str:
    return f" {word}" if on else ""


def _error(errors: Mapping[str, str], key: str) -> str:
    """A sidebar field's message, or nothing: ``{% if field_errors.key %}…{% endif %}``."""
    message = errors.get(key)
    return f'<span class="error">{_text(message)}</span>' if message else ""


@lru_cache(maxsize=16)
def _escaped_pairs(pairs: tuple[tuple[Any, Any], ...]) -> tuple[tuple[Any, str, str], ...]:
    """(value, escaped value, escaped label) for a fixed list of options (the sort columns, the
    thirty-odd languages), escaped once rather than on every page."""
    return tuple((value, _text(value), _text(label)) for value, label in pairs)


def _options(pairs: Iterable[tuple[Any, Any]], chosen: Any) -> str:
    """A select's ``<option>``s: (value, label) pairs, the one equal to ``chosen`` selected."""
    return "".join(
        f'<option value="{value_html}"{_flag(value == chosen, "selected")}>{label_html}</option>'
        for value, value_html, label_html in _escaped_pairs(tuple(pairs))
    )


def _language_options(languages: Iterable[tuple[Any, Any]], chosen: Any) -> str:
    return "".join(
        f'<option value="{code_html}" lang="{code_html}"{_flag(code == chosen, "selected")}>'
        f"{name_html}</option>"
        for code, code_html, name_html in _escaped_pairs(tuple(languages))
    )


def _hidden_inputs(params: Iterable[tuple[Any, Any]]) -> str:
    """Parameters the form does not show, sent again: names and values are the reader's."""
    return "".join(
        f'<input type="hidden" name="{_text(name)}" value="{_text(value)}">'
        for name, value in params
    )


def _radios(name: str, chosen: Any, choices: list[tuple[str, str]], indent: str) -> str:
    """A fieldset's radio labels, the empty value checked when nothing was chosen."""
    return f"\n{indent}".join(
        f'<label><input type="radio" name="{name}" value="{value}"'
        f"{_flag(chosen == value if value else not chosen, 'checked')}> {label}</label>"
        for value, label in choices
    )


_COMPLETE = [("", "All works"), ("T", "Complete works only"), ("F", "Works in progress only")]
_CROSSOVER = [("", "Include crossovers"), ("F", "Exclude crossovers"), ("T", "Only crossovers")]


# ---------------------------------------------------------------------------------------------
# search/_filters.html


def _stat_range(key: Any, label: Any, value: Any, error: Any) -> str:
    key_html = _text(key)
    described = f" work_search_{key_html}_error" if error else ""
    message = (
        f'<span class="error" id="work_search_{key_html}_error">{_text(error)}</span>'
        if error
        else ""
    )
    return (
        "\n        <p>\n"
        f'          <label for="work_search_{key_html}">{_text(label)}</label>\n'
        f'          <input type="text" id="work_search_{key_html}" name="work_search[{key_html}]" '
        f'value="{_text(value)}" size="10" maxlength="100" '
        f'aria-describedby="work_search_stats_hint{described}">\n'
        f"          {message}\n"
        "        </p>\n      "
    )


def filters_html(context: TemplateValues) -> SafeString:
    """The filter sidebar (search/_filters.html) for a sidebar_context."""
    errors: Mapping[str, str] = context.get("field_errors") or {}
    action = _text(context.get("filter_action"))
    direction = context.get("sort_direction")
    other_error = errors.get("other_tag_names")
    other_error_html = (
        f'<span class="error" id="work_search_other_tag_names_error">{_text(other_error)}</span>'
        if other_error
        else ""
    )
    facets = "".join(group.html() for group in context.get("facet_groups") or ())
    stats = "".join(_stat_range(*stat) for stat in context.get("stat_ranges") or ())
    html = f"""\
<details class="filters-toggle" open>
  <summary>Filters</summary>
  <form class="filters" method="get" action="{action}" aria-label="Sort and filter works">
    <p>
      <label for="work_search_sort_column">Sort by</label>
      <select id="work_search_sort_column" name="work_search[sort_column]">
        {_options(context.get("sort_options") or (), context.get("sort_column"))}
      </select>
      {_error(errors, "sort_column")}
    </p>
    <p>
      <label for="work_search_sort_direction">Sort direction</label>
      <select id="work_search_sort_direction" name="work_search[sort_direction]">
        <option value=""{_flag(direction not in ("asc", "desc"), "selected")}>\
Default for the sort</option>
        <option value="desc"{_flag(direction == "desc", "selected")}>Descending</option>
        <option value="asc"{_flag(direction == "asc", "selected")}>Ascending</option>
      </select>
      {_error(errors, "sort_direction")}
    </p>
    {facets}
    <p>
      <label for="work_search_other_tag_names">Other tags to include</label>
      <input type="text" id="work_search_other_tag_names" name="work_search[other_tag_names]" \
value="{_text(context.get("other_tag_names"))}" maxlength="2000" \
aria-describedby="work_search_other_tag_names_hint\
{" work_search_other_tag_names_error" if other_error else ""}">
      <span class="hint" id="work_search_other_tag_names_hint">Tag names, separated by \
commas.</span>
      {other_error_html}
    </p>
    <fieldset>
      <legend>Completion status</legend>
      {_radios("work_search[complete]", context.get("complete_value"), _COMPLETE, " " * 6)}
      {_error(errors, "complete")}
    </fieldset>
    <fieldset>
      <legend>Crossovers</legend>
      {_radios("work_search[crossover]", context.get("crossover_value"), _CROSSOVER, " " * 6)}
      {_error(errors, "crossover")}
    </fieldset>
    <p>
      <label><input type="checkbox" name="work_search[single_chapter]" value="1"\
{_flag(bool(context.get("single_chapter")), "checked")}> Single chapter works only</label>
    </p>
    <p>
      <label for="work_search_language_id">Language</label>
      <select id="work_search_language_id" name="work_search[language_id]">
        <option value="">Any language</option>
        {_language_options(context.get("languages") or (), context.get("language_value"))}
      </select>
      {_error(errors, "language_id")}
    </p>
    <fieldset>
      <legend>Word count</legend>
      <label for="work_search_words_from">From</label>
      <input type="text" inputmode="numeric" id="work_search_words_from" \
name="work_search[words_from]" value="{_text(context.get("words_from"))}" size="8" maxlength="12">
      {_error(errors, "words_from")}
      <label for="work_search_words_to">To</label>
      <input type="text" inputmode="numeric" id="work_search_words_to" \
name="work_search[words_to]" value="{_text(context.get("words_to"))}" size="8" maxlength="12">
      {_error(errors, "words_to")}
    </fieldset>
    <fieldset>
      <legend>Date updated</legend>
      <label for="work_search_date_from">From</label>
      <input type="date" id="work_search_date_from" name="work_search[date_from]" \
value="{_text(context.get("date_from"))}">
      {_error(errors, "date_from")}
      <label for="work_search_date_to">To</label>
      <input type="date" id="work_search_date_to" name="work_search[date_to]" \
value="{_text(context.get("date_to"))}">
      {_error(errors, "date_to")}
    </fieldset>
    <fieldset>
      <legend>Stats</legend>
      <p class="hint" id="work_search_stats_hint">A number or a range, e.g. &gt;100, 10-50 or \
&lt;5.</p>
      {stats}
    </fieldset>
    {_hidden_inputs(context.get("sidebar_hidden") or ())}
    <p class="actions">
      <button type="submit">Sort and Filter</button>
      <a href="{action}">Clear Filters</a>
    </p>
  </form>
</details>
"""
    # Every value above went through escape() or _text(); the facet groups escape their own.
    return mark_safe(html)  # noqa: S308 - every value is escaped


# ---------------------------------------------------------------------------------------------
# search/_edit_search.html


def _text_field(field: Any) -> str:
    """One of edit_form.TEXT_FIELDS: its label, input, hint and message."""
    key_html = _text(field.key)
    hint, error = field.hint, field.error
    described = ""
    if hint or error:
        hint_id = f"edit_search_{key_html}_hint" if hint else ""
        error_id = f" edit_search_{key_html}_error" if error else ""
        described = f' aria-describedby="{hint_id}{error_id}"'
    hint_html = (
        f'<span class="hint" id="edit_search_{key_html}_hint">{_text(hint)}</span>' if hint else ""
    )
    error_html = (
        f'<span class="error" id="edit_search_{key_html}_error">{_text(error)}</span>'
        if error
        else ""
    )
    return (
        "\n        <p>\n"
        f'          <label for="edit_search_{key_html}">{_text(field.label)}</label>\n'
        f'          <input type="text" id="edit_search_{key_html}" name="{_text(field.name)}" '
        f'value="{_text(field.value)}" maxlength="10000"{described}>\n'
        f"          {hint_html}\n"
        f"          {error_html}\n"
        "        </p>\n      "
    )


def _rating_options(choices: Iterable[Any]) -> str:
    return "".join(
        f'<option value="{_text(choice.id)}"{_flag(choice.chosen, "selected")}>'
        f"{_text(choice.name)}</option>"
        for choice in choices
    )


def _checkboxes(name: str, choices: Iterable[Any]) -> str:
    return "".join(
        f'<label><input type="checkbox" name="{name}" value="{_text(choice.id)}"'
        f"{_flag(choice.chosen, 'checked')}> {_text(choice.name)}</label>"
        for choice in choices
    )


def edit_search_html(context: TemplateValues) -> SafeString:
    """The "Edit search" form (search/_edit_search.html) for an edit_search_context."""
    direction = context.get("edit_sort_direction")
    fields = "".join(_text_field(field) for field in context.get("edit_fields") or ())
    html = f"""\
<details class="edit-search"{_flag(not context.get("searched"), "open")}>
  <summary>Edit search</summary>
  <form class="search edit-search" method="get" action="/works/search" aria-label="Edit search">
    <fieldset>
      <legend>Work info</legend>
      <p>
        <label for="edit_search_query">Any field</label>
        <input type="text" id="edit_search_query" name="{_text(context.get("query_param"))}" \
value="{_text(context.get("query"))}" maxlength="10000">
      </p>
      {fields}
      <fieldset>
        <legend>Completion status</legend>
        {_radios("work_search[complete]", context.get("edit_complete"), _COMPLETE, " " * 8)}
      </fieldset>
      <fieldset>
        <legend>Crossovers</legend>
        {_radios("work_search[crossover]", context.get("edit_crossover"), _CROSSOVER, " " * 8)}
      </fieldset>
      <p>
        <label><input type="checkbox" name="work_search[single_chapter]" value="1"\
{_flag(bool(context.get("edit_single_chapter")), "checked")}> Single chapter works only</label>
      </p>
      <p>
        <label for="edit_search_language_id">Language</label>
        <select id="edit_search_language_id" name="work_search[language_id]">
          <option value="">Any language</option>
          {_language_options(context.get("edit_languages") or (), context.get("edit_language"))}
        </select>
      </p>
    </fieldset>
    <fieldset>
      <legend>Work tags</legend>
      <p>
        <label for="edit_search_rating_ids">Rating</label>
        <select id="edit_search_rating_ids" name="work_search[rating_ids]">
          <option value="">Any rating</option>
          {_rating_options(context.get("edit_ratings") or ())}
        </select>
      </p>
      <fieldset>
        <legend>Warnings</legend>
        {_checkboxes("work_search[archive_warning_ids][]", context.get("edit_warnings") or ())}
      </fieldset>
      <fieldset>
        <legend>Categories</legend>
        {_checkboxes("work_search[category_ids][]", context.get("edit_categories") or ())}
      </fieldset>
    </fieldset>
    <fieldset>
      <legend>Sort</legend>
      <p>
        <label for="edit_search_sort_column">Sort by</label>
        <select id="edit_search_sort_column" name="work_search[sort_column]">
          {_options(context.get("edit_sort_options") or (), context.get("edit_sort_column"))}
        </select>
      </p>
      <p>
        <label for="edit_search_sort_direction">Sort direction</label>
        <select id="edit_search_sort_direction" name="work_search[sort_direction]">
          <option value=""{_flag(not direction, "selected")}>Default for the sort</option>
          <option value="desc"{_flag(direction == "desc", "selected")}>Descending</option>
          <option value="asc"{_flag(direction == "asc", "selected")}>Ascending</option>
        </select>
      </p>
    </fieldset>
    {_hidden_inputs(context.get("edit_hidden") or ())}
    <p class="actions"><button type="submit">Search</button></p>
  </form>
</details>
"""
    return mark_safe(html)  # noqa: S308 - every value above went through escape() or _text()
