"""The search forms built in Python (search/form_html.py) against the templates they replaced.

search/_filters.html and search/_edit_search.html are kept as the reference markup; for every
kind of context the views build, the Python renderers must print exactly the same bytes, and
the pages must print the Python-built forms where they included the templates.
"""

from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import QueryDict
from django.template.loader import get_template
from django.test import Client, RequestFactory

from fanworks.core.testing import make_user, make_work
from fanworks.search.edit_form import TEXT_FIELDS, Choice, TextField, edit_search_context
from fanworks.search.filters import (
    SORT_LABELS,
    STAT_RANGES,
    FacetGroup,
    FacetTag,
    filtered_listing,
    plain_sidebar,
    sidebar_context,
)
from fanworks.search.form_html import edit_search_html, filters_html
from fanworks.search.forms import MAX_FILTER_TAGS, QUERY_PARAM, Filters, read_filters
from fanworks.search.query import SearchResult, WorkSearch
from fanworks.tags.models import Tag, TagType
from fanworks.tags.wrangling import tag_make_canonical

pytestmark = pytest.mark.django_db

NASTY = """<script>alert("x")</script> & 'quoted' "double" &amp; </textarea>"""
INC = "include_work_search[freeform_ids][]"
EXC = "exclude_work_search[freeform_ids][]"


def filters_for(params: dict[str, Any], *, default_sort: str = "updated") -> Filters:
    """What the views read from a query string with these parameters."""
    data = QueryDict(urlencode(params, doseq=True))
    return read_filters(data, registered=True, default_sort=default_sort)


def assert_same_sidebar(context: dict[str, Any]) -> str:
    expected = get_template("search/_filters.html").render(context)
    got = filters_html(context)
    assert got == expected
    return got


def assert_same_edit_form(context: dict[str, Any]) -> str:
    expected = get_template("search/_edit_search.html").render(context)
    got = edit_search_html(context)
    assert got == expected
    return got


# ---------------------------------------------------------------------------------------------
# The filter sidebar


def test_empty_sidebar() -> None:
    html = assert_same_sidebar(sidebar_context(Filters(search=WorkSearch()), None, "/works"))
    assert "No tags to choose yet." in html
    assert 'value="" checked> All works' in html


def test_plain_sidebar_and_the_400_context() -> None:
    factory = RequestFactory()
    request = factory.get("/works")
    request.user = AnonymousUser()
    assert_same_sidebar(plain_sidebar(request, "/works"))
    too_many = factory.get("/works", {INC: [str(n) for n in range(1, MAX_FILTER_TAGS + 2)]})
    too_many.user = AnonymousUser()
    context, status = filtered_listing(too_many, action="/works")
    assert status == 400
    assert context["filter_error"]
    assert_same_sidebar(context)


def test_sidebar_with_a_value_in_every_field() -> None:
    params = {
        "work_search[sort_column]": "kudos_count",
        "work_search[sort_direction]": "asc",
        "work_search[complete]": "T",
        "work_search[crossover]": "F",
        "work_search[single_chapter]": "1",
        "work_search[language_id]": "de",
        "work_search[words_from]": '1"0',
        "work_search[words_to]": "<5000>",
        "work_search[date_from]": "2024-01-01",
        "work_search[date_to]": "2024-13-45&",
        "work_search[other_tag_names]": NASTY,
        **{f"work_search[{key}]": f">{n}0 '{key}'" for n, (key, _) in enumerate(STAT_RANGES)},
        # Carried as hidden inputs: the search form's fields.
        QUERY_PARAM: NASTY,
        "work_search[title]": 'A "title" & <more>',
        "work_search[fandom_names]": "Tom & Jerry's",
    }
    context = sidebar_context(filters_for(params), None, "/works/search", with_query=True)
    assert context["field_errors"]
    html = assert_same_sidebar(context)
    assert "<script>" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#x27;quoted&#x27;" in html
    assert '<input type="hidden" name="work_search[query]"' in html
    assert '<option value="de" lang="de" selected>' in html
    assert 'value="1" checked> Single chapter works only' in html


def test_sidebar_with_a_message_beside_every_field() -> None:
    context = sidebar_context(Filters(search=WorkSearch()), None, "/tags/A%20%26%20B/works")
    keys = [
        "sort_column",
        "sort_direction",
        "other_tag_names",
        "complete",
        "crossover",
        "language_id",
        "words_from",
        "words_to",
        "date_from",
        "date_to",
    ]
    context["field_errors"] = {key: f"{key}: {NASTY}" for key in keys}
    context["stat_ranges"] = [(key, label, NASTY, f"{label} {NASTY}") for key, label in STAT_RANGES]
    html = assert_same_sidebar(context)
    assert html.count('<span class="error"') == len(keys) + len(STAT_RANGES)
    assert "work_search_other_tag_names_hint work_search_other_tag_names_error" in html
    assert "work_search_stats_hint work_search_hits_error" in html


def test_sidebar_messages_from_bad_parameters() -> None:
    params = {
        "work_search[words_from]": "lots",
        "work_search[date_to]": "2024-13-45",
        "work_search[language_id]": "<xx>",
        "work_search[complete]": "maybe",
        "work_search[crossover]": "perhaps",
        "work_search[single_chapter]": "no",
        "work_search[sort_column]": "nope",
        "work_search[sort_direction]": "sideways",
        "work_search[kudos_count]": "heaps",
        "work_search[other_tag_names]": "No <Such> Tag, Another & One",
    }
    filters = filters_for(params)
    assert len(filters.errors) >= 8
    html = assert_same_sidebar(sidebar_context(filters, None, "/works"))
    assert "No canonical tag to filter by for: No &lt;Such&gt; Tag, Another &amp; One" in html


@pytest.mark.parametrize("with_query", [False, True])
@pytest.mark.parametrize("column", [value for value, _ in SORT_LABELS])
def test_sidebar_for_each_sort_column(column: str, with_query: bool) -> None:
    params = {"work_search[sort_column]": column}
    filters = filters_for(params, default_sort="relevance" if with_query else "updated")
    html = assert_same_sidebar(sidebar_context(filters, None, "/works", with_query=with_query))
    assert f'<option value="{column}" selected>' in html or column == "_score"


@pytest.mark.parametrize("direction", ["", "asc", "desc", "ASC ", "up"])
@pytest.mark.parametrize("complete", ["", "T", "F", "true", "x"])
def test_sidebar_directions_and_choices(direction: str, complete: str) -> None:
    params = {
        "work_search[sort_direction]": direction,
        "work_search[complete]": complete,
        "work_search[crossover]": complete,
        "work_search[single_chapter]": complete,
    }
    assert_same_sidebar(sidebar_context(filters_for(params), None, "/works"))


def test_sidebar_with_included_and_excluded_facets() -> None:
    user = make_user()
    make_work(user, freeforms=['Fluff & "Stuff"', 'Angst "heavy"'], characters=["Mira's"])
    fluff, angst = Tag.objects.get(name='Fluff & "Stuff"'), Tag.objects.get(name='Angst "heavy"')
    mira = Tag.objects.get(name="Mira's")
    for tag in (fluff, angst, mira):
        tag_make_canonical(actor=user, tag=tag)
    filters = filters_for({INC: [str(fluff.pk)], EXC: [str(angst.pk)]})
    result = SearchResult(
        work_ids=[],
        total=3,
        facets={"freeform_ids": [(fluff.pk, 3), (angst.pk, 1)], "character_ids": [(mira.pk, 2)]},
    )
    html = assert_same_sidebar(sidebar_context(filters, result, "/works"))
    assert "Fluff &amp; &quot;Stuff&quot; (3)" in html and "Mira&#x27;s (2)" in html
    assert f'name="{INC}" value="{fluff.pk}" checked' in html
    assert f'name="{EXC}" value="{angst.pk}" checked' in html
    # Chosen tags outside the top counts are listed too, without a count.
    result = SearchResult(work_ids=[], total=0, facets={})
    html = assert_same_sidebar(sidebar_context(filters, result, "/works"))
    assert "Angst &quot;heavy&quot;</span>" in html


def test_sidebar_with_hand_built_facets_and_hidden_inputs() -> None:
    context = sidebar_context(Filters(search=WorkSearch()), None, "/works")
    context["facet_groups"] = [
        FacetGroup(
            key="freeform_ids",
            label="Additional <Tags>",
            include_param=INC,
            exclude_param=EXC,
            tags=[FacetTag(7, NASTY, 12, True, False), FacetTag(8, "Plain", 0, False, True)],
        )
    ]
    context["sidebar_hidden"] = [(f'a"<{n}>', NASTY) for n in range(3)]
    html = assert_same_sidebar(context)
    assert '<input type="hidden" name="a&quot;&lt;0&gt;"' in html


# ---------------------------------------------------------------------------------------------
# The "Edit search" form


def test_blank_edit_form() -> None:
    html = assert_same_edit_form(edit_search_context(Filters(WorkSearch(sort="relevance"))))
    assert '<details class="edit-search" open>' in html
    assert "General Audiences" in html and "Major Character Death" in html and "F/M" in html


def test_edit_form_for_a_refused_search() -> None:
    """The view's 400: an empty form with the query typed and a message above it."""
    context = edit_search_context(Filters(WorkSearch()))
    context.update(query=NASTY, error="That search is too long.")
    html = assert_same_edit_form(context)
    assert 'value="&lt;script&gt;' in html


def test_edit_form_with_a_value_in_every_field() -> None:
    closed = {
        tag_type: list(Tag.objects.filter(type=tag_type, canonical=True).order_by("pk"))
        for tag_type in (TagType.RATING, TagType.WARNING, TagType.CATEGORY)
    }
    params: dict[str, Any] = {
        QUERY_PARAM: NASTY,
        **{f"work_search[{key}]": f"{key} {NASTY}" for key, _, _ in TEXT_FIELDS},
        "work_search[rating_ids]": str(closed[TagType.RATING][1].pk),
        "work_search[archive_warning_ids][]": [str(t.pk) for t in closed[TagType.WARNING][:2]],
        "work_search[category_ids][]": [str(closed[TagType.CATEGORY][-1].pk)],
        "work_search[complete]": "F",
        "work_search[crossover]": "T",
        "work_search[single_chapter]": "true",
        "work_search[language_id]": "ja",
        "work_search[sort_column]": "word_count",
        "work_search[sort_direction]": "desc",
        # Carried as hidden inputs: the sidebar's fields.
        "work_search[words_from]": '10"0',
        "work_search[other_tag_names]": NASTY,
        INC: ["12", "34"],
    }
    filters = filters_for(params, default_sort="relevance")
    assert filters.errors
    context = edit_search_context(filters)
    context["searched"] = True
    html = assert_same_edit_form(context)
    assert '<details class="edit-search">' in html
    assert "<script>" not in html
    assert html.count(" checked>") == 2 + 1 + 1 + 1 + 1  # warnings, category, radios, box
    assert f'<input type="hidden" name="{INC}" value="12">' in html
    assert 'aria-describedby="edit_search_hits_hint edit_search_hits_error"' in html


def test_edit_form_with_hand_built_fields_and_choices() -> None:
    context = edit_search_context(Filters(WorkSearch()))
    context["edit_fields"] = [
        TextField("title", "Title <b>", "", NASTY, ""),
        TextField("creators", "Creators", "", "", NASTY),
        TextField("hits", "Hits", "e.g. >100 & <5", "'1'", ""),
        TextField("kudos_count", "Kudos", "hint", "", "error & more"),
    ]
    context["edit_ratings"] = [Choice(1, NASTY, False), Choice(2, "Teen & Up", True)]
    context["edit_warnings"] = [Choice(3, '"Warned"', True)]
    context["edit_categories"] = []
    context["edit_hidden"] = [(NASTY, NASTY)]
    html = assert_same_edit_form(context)
    assert 'aria-describedby=" edit_search_creators_error"' in html


@pytest.mark.parametrize("direction", ["", "asc", "desc", "Desc", "sideways"])
@pytest.mark.parametrize("column", [value for value, _ in SORT_LABELS])
def test_edit_form_for_each_sort(column: str, direction: str) -> None:
    params = {"work_search[sort_column]": column, "work_search[sort_direction]": direction}
    assert_same_edit_form(edit_search_context(filters_for(params, default_sort="relevance")))


@pytest.mark.parametrize("value", ["", "T", "F", "1", "0", "TRUE", "nope"])
def test_edit_form_choices(value: str) -> None:
    params = {
        "work_search[complete]": value,
        "work_search[crossover]": value,
        "work_search[single_chapter]": value,
        "work_search[language_id]": value or "pt-BR",
    }
    assert_same_edit_form(edit_search_context(filters_for(params)))


# ---------------------------------------------------------------------------------------------
# The pages print the Python-built forms, exactly as the templates did


@pytest.fixture
def sql_backend(settings: Any, tmp_path: Path) -> None:
    settings.SEARCH_BACKEND = "sql"
    settings.SEARCH_INDEX_DIR = tmp_path / "index"


def page_context(response: Any) -> dict[str, Any]:
    """The context the view rendered its page with."""
    return response.context[0].flatten()


def assert_page_prints(response: Any, template_name: str) -> None:
    html = response.content.decode()
    expected = get_template(template_name).render(page_context(response))
    assert expected in html


@pytest.mark.usefixtures("sql_backend")
def test_works_index_has_the_sidebar(client: Client) -> None:
    user = make_user()
    make_work(user, freeforms=["Fluff"], language="de")
    tag_make_canonical(actor=user, tag=Tag.objects.get(name="Fluff"))
    response = client.get("/works")
    assert 'aria-label="Sort and filter works"' in response.content.decode()
    assert_page_prints(response, "search/_filters.html")
    response = client.get("/works", {"work_search[language_id]": "de", "work_search[hits]": "<9"})
    html = response.content.decode()
    assert 'aria-label="Sort and filter works"' in html and "facet-name" in html
    assert_page_prints(response, "search/_filters.html")
    response = client.get("/works", {INC: [str(n) for n in range(1, MAX_FILTER_TAGS + 2)]})
    assert response.status_code == 400
    assert_page_prints(response, "search/_filters.html")


@pytest.mark.usefixtures("sql_backend")
def test_canonical_tag_works_page_has_the_sidebar(client: Client) -> None:
    user = make_user()
    make_work(user, fandoms=["Tidewater & Co"], freeforms=["Fluff"])
    fandom = tag_make_canonical(actor=user, tag=Tag.objects.get(name="Tidewater & Co"))
    url = fandom.get_absolute_url()
    response = client.get(url)
    assert response.status_code == 200
    assert 'aria-label="Sort and filter works"' in response.content.decode()
    assert_page_prints(response, "search/_filters.html")
    response = client.get(url, {"work_search[complete]": "T"})
    assert 'aria-label="Sort and filter works"' in response.content.decode()
    assert_page_prints(response, "search/_filters.html")


@pytest.mark.usefixtures("sql_backend")
def test_search_page_has_both_forms(client: Client) -> None:
    make_work(make_user(), title="Harbour & Lights")
    response = client.get("/works/search")
    html = response.content.decode()
    assert 'aria-label="Edit search"' in html and "Sort and filter works" not in html
    assert_page_prints(response, "search/_edit_search.html")
    params = {
        QUERY_PARAM: "harbour",
        "work_search[title]": "Lights",
        "work_search[words_from]": '<"1">',
    }
    response = client.get("/works/search", params)
    html = response.content.decode()
    assert "1 Found" in html
    assert 'aria-label="Edit search"' in html and 'aria-label="Sort and filter works"' in html
    assert_page_prints(response, "search/_edit_search.html")
    assert_page_prints(response, "search/_filters.html")
    response = client.get("/works/search", {QUERY_PARAM: "x" * 10_001})
    assert response.status_code == 400
    assert 'aria-label="Edit search"' in response.content.decode()
    assert_page_prints(response, "search/_edit_search.html")
