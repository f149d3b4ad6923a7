import re
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from fanworks.core.testing import make_user, make_work
from fanworks.search.filters import MAX_FILTER_TAGS
from fanworks.search.outbox import record_work_changes
from fanworks.search.tantivy_index import TantivyIndex
from fanworks.tags.models import Tag
from fanworks.tags.wrangling import tag_add_metatag, tag_make_canonical, tag_make_synonym
from fanworks.works.models import Work

pytestmark = pytest.mark.django_db

URL = "/works"


@pytest.fixture(params=["sql", "tantivy"])
def backend(request: Any, settings: Any, tmp_path: Path) -> str:
    settings.SEARCH_BACKEND = request.param
    settings.SEARCH_INDEX_DIR = tmp_path / "index"
    return str(request.param)


def get(client: Client, backend: str, params: Any, url: str = URL) -> Any:
    if backend == "tantivy":
        TantivyIndex().catch_up()
    return client.get(url, params)


def listed_ids(html: str) -> list[int]:
    section = html.split('<ol class="work index group">', 1)
    if len(section) < 2:
        return []
    return [int(pk) for pk in re.findall(r'id="work_(\d+)"', section[1].split("</ol>", 1)[0])]


def tag(name: str) -> Tag:
    return Tag.objects.get(name=name)


@pytest.fixture
def archive() -> dict[str, Work]:
    user = make_user()
    works = {
        "fluff": make_work(user, title="Fluff work", freeforms=["Fluff"], content="onetwothree"),
        "fluffy": make_work(user, title="Fluffy work", freeforms=["fluffy"], content="a b c d e f"),
        "sub": make_work(user, title="Sub work", freeforms=["Tooth Rot"], content="x " * 50),
        "angst": make_work(
            user,
            title="Angst work",
            freeforms=["Angst"],
            rating="Explicit",
            language="fr",
            expected_chapters=1,
            content="word " * 200,
        ),
    }
    for name in ["Fluff", "Angst", "Tooth Rot"]:
        tag_make_canonical(actor=user, tag=tag(name))
    tag_make_synonym(actor=user, tag=tag("fluffy"), canonical=tag("Fluff"))
    tag_add_metatag(actor=user, sub=tag("Tooth Rot"), meta=tag("Fluff"))
    return works


INC = "include_work_search[freeform_ids][]"
EXC = "exclude_work_search[freeform_ids][]"


def test_include_covers_synonyms_and_subtags(client: Client, backend: str, archive: Any) -> None:
    html = get(client, backend, {INC: tag("Fluff").pk}).content.decode()
    assert sorted(listed_ids(html)) == sorted(
        [archive["fluff"].pk, archive["fluffy"].pk, archive["sub"].pk]
    )
    assert "1 - 3 of 3 Works" in html


def test_exclude_hides_works(client: Client, backend: str, archive: Any) -> None:
    html = get(client, backend, {EXC: tag("Fluff").pk}).content.decode()
    assert listed_ids(html) == [archive["angst"].pk]


def test_rating_complete_language_and_words(client: Client, backend: str, archive: Any) -> None:
    explicit = tag("Explicit").filter_tag_id
    html = get(client, backend, {"include_work_search[rating_ids][]": explicit}).content.decode()
    assert listed_ids(html) == [archive["angst"].pk]
    html = get(client, backend, {"work_search[complete]": "T"}).content.decode()
    assert listed_ids(html) == [archive["angst"].pk]
    html = get(client, backend, {"work_search[complete]": "F"}).content.decode()
    assert archive["angst"].pk not in listed_ids(html) and len(listed_ids(html)) == 3
    html = get(client, backend, {"work_search[language_id]": "fr"}).content.decode()
    assert listed_ids(html) == [archive["angst"].pk]
    html = get(
        client, backend, {"work_search[words_from]": "3", "work_search[words_to]": "60"}
    ).content.decode()
    assert sorted(listed_ids(html)) == sorted([archive["fluffy"].pk, archive["sub"].pk])


def test_sort_by_words(client: Client, backend: str, archive: Any) -> None:
    html = get(client, backend, {"work_search[sort_column]": "word_count"}).content.decode()
    ids = listed_ids(html)
    words = [Work.objects.get(pk=pk).word_count for pk in ids]
    assert words == sorted(words, reverse=True) and len(ids) == 4
    assert 'value="word_count" selected' in html


def test_tag_page_filters_within_the_tag(client: Client, backend: str, archive: Any) -> None:
    fluff = tag("Fluff")
    url = fluff.get_absolute_url()
    html = get(client, backend, {EXC: tag("Tooth Rot").pk}, url=url).content.decode()
    assert sorted(listed_ids(html)) == sorted([archive["fluff"].pk, archive["fluffy"].pk])
    html = client.get(url).content.decode()
    assert "Sort and Filter" in html and len(listed_ids(html)) == 3


def test_other_tag_names(client: Client, backend: str, archive: Any) -> None:
    html = get(client, backend, {"work_search[other_tag_names]": "fluffy, Nope Tag"})
    html = html.content.decode()
    assert sorted(listed_ids(html)) == sorted(
        [archive["fluff"].pk, archive["fluffy"].pk, archive["sub"].pk]
    )
    assert "No canonical tag to filter by for: Nope Tag" in html


def test_facets_count_visible_works_only(client: Client, backend: str) -> None:
    user = make_user()
    make_work(user, freeforms=["Shared"])
    make_work(user, freeforms=["Shared"], restricted=True)
    make_work(user, freeforms=["Shared"], post=False)
    tag_make_canonical(actor=user, tag=tag("Shared"))
    shared = tag("Shared").pk
    html = get(client, backend, {"work_search[sort_column]": "revised_at"}).content.decode()
    assert re.search(r"Shared \(1\)</span>", html), html
    assert f'name="{INC}" value="{shared}"' in html and f'name="{EXC}" value="{shared}"' in html
    client.force_login(user)
    html = get(client, backend, {"work_search[sort_column]": "revised_at"}).content.decode()
    assert re.search(r"Shared \(2\)</span>", html)


def test_pagination_keeps_filters(client: Client, backend: str) -> None:
    user = make_user()
    for _ in range(21):
        make_work(user, language="de")
    html = get(client, backend, {"work_search[language_id]": "de"}).content.decode()
    assert len(listed_ids(html)) == 20
    assert 'href="?work_search%5Blanguage_id%5D=de&amp;page=2"' in html
    html = get(client, backend, {"work_search[language_id]": "de", "page": "2"}).content.decode()
    assert len(listed_ids(html)) == 1


def test_bad_params_give_messages(client: Client, backend: str, archive: Any) -> None:
    response = get(
        client,
        backend,
        {
            "work_search[words_from]": "lots",
            "work_search[date_to]": "2024-13-45",
            "work_search[language_id]": "xx",
            "work_search[complete]": "maybe",
            "work_search[sort_column]": "nope",
            INC: "abc",
        },
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Please enter a whole number." in html
    assert "Please enter a date as YYYY-MM-DD." in html
    assert "That is not a language" in html
    assert "That is not a way to sort works." in html
    assert len(listed_ids(html)) == 4


def test_costly_requests_are_refused(client: Client) -> None:
    params = {INC: [str(n) for n in range(1, MAX_FILTER_TAGS + 2)]}
    response = client.get(URL, params)
    assert response.status_code == 400
    assert "at most 50 tags" in response.content.decode()
    response = client.get(URL, {"work_search[complete]": "T", "page": "5001"})
    assert response.status_code == 400
    assert client.get(URL, {"work_search[complete]": "T", "page": "x"}).status_code == 400


def test_unfiltered_index_has_the_sidebar_form(client: Client) -> None:
    html = client.get(URL).content.decode()
    assert '<form class="filters" method="get" action="/works"' in html
    assert '<label for="work_search_language_id">Language</label>' in html
    assert '<a href="/works">Clear Filters</a>' in html


def test_crossover_and_stat_ranges(client: Client, backend: str) -> None:
    user = make_user()
    both = make_work(user, title="Both", fandoms=["Fandom Kestrel", "Fandom Plover"])
    one = make_work(user, title="One", fandoms=["Fandom Kestrel"])
    for name in ("Fandom Kestrel", "Fandom Plover"):
        tag_make_canonical(actor=user, tag=tag(name))
    Work.objects.filter(pk=both.pk).update(hit_count=120, kudos_count=7, bookmark_count=1)
    Work.objects.filter(pk=one.pk).update(hit_count=3, comment_count=2)
    record_work_changes([both.pk, one.pk])
    html = get(client, backend, {"work_search[crossover]": "T"}).content.decode()
    assert listed_ids(html) == [both.pk]
    assert 'name="work_search[crossover]" value="T" checked' in html
    html = get(client, backend, {"work_search[crossover]": "F"}).content.decode()
    assert listed_ids(html) == [one.pk]
    for key, value, expected in [
        ("hits", ">100", [both.pk]),
        ("hits", "<5", [one.pk]),
        ("kudos_count", "5-10", [both.pk]),
        ("comments_count", "2", [one.pk]),
        ("bookmarks_count", ">=1", [both.pk]),
    ]:
        html = get(client, backend, {f"work_search[{key}]": value}).content.decode()
        assert listed_ids(html) == expected, (key, value)
        assert (
            f'name="work_search[{key}]" value="{value}"'.replace(">", "&gt;").replace("<", "&lt;")
            in html
        )
    # Within a tag page too.
    url = tag("Fandom Kestrel").get_absolute_url()
    html = get(client, backend, {"work_search[hits]": ">100"}, url=url).content.decode()
    assert listed_ids(html) == [both.pk]


def test_bad_stat_range_is_shown_beside_its_field(
    client: Client, backend: str, archive: Any
) -> None:
    response = get(client, backend, {"work_search[kudos_count]": "heaps"})
    assert response.status_code == 200
    html = response.content.decode()
    assert (
        '<span class="error" id="work_search_kudos_count_error">Please enter a number or a '
        "range such as &gt;100, 10-50 or &lt;5.</span>"
    ) in html
    assert len(listed_ids(html)) == 4


def test_listing_sorts_by_title_and_creator(client: Client, backend: str, archive: Any) -> None:
    html = get(client, backend, {"work_search[sort_column]": "title_to_sort_on"}).content.decode()
    titles = [Work.objects.get(pk=pk).title for pk in listed_ids(html)]
    assert titles == ["Angst work", "Fluff work", "Fluffy work", "Sub work"]
    assert "Best Match" not in html
    html = get(
        client,
        backend,
        {"work_search[sort_column]": "title_to_sort_on", "work_search[sort_direction]": "desc"},
    ).content.decode()
    assert [Work.objects.get(pk=pk).title for pk in listed_ids(html)] == titles[::-1]
    html = get(client, backend, {"work_search[sort_column]": "authors_to_sort_on"}).content.decode()
    # One creator: ties break by id, ascending with the sort.
    assert listed_ids(html) == sorted(listed_ids(html))
