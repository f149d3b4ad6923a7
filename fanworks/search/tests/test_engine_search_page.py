"""/works/search with AO3's search-form parameters, the filter sidebar and the Edit search form,
on both backends."""

import re
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from fanworks.core.testing import make_user, make_work
from fanworks.search.indexer import get_index, run_round
from fanworks.search.outbox import record_work_changes
from fanworks.tags.models import Tag
from fanworks.tags.wrangling import tag_make_canonical
from fanworks.works.models import Work

pytestmark = pytest.mark.django_db

URL = "/works/search"


@pytest.fixture(params=["sql", "tantivy"])
def backend(request: Any, settings: Any, tmp_path: Path) -> str:
    settings.SEARCH_BACKEND = request.param
    settings.SEARCH_INDEX_DIR = tmp_path / "index"
    return str(request.param)


def get(client: Client, backend: str, params: Any) -> Any:
    if backend == "tantivy":
        run_round(get_index())
    return client.get(URL, params)


def listed_ids(html: str) -> list[int]:
    section = html.split('<ol class="work index group">', 1)
    if len(section) < 2:
        return []
    return [int(pk) for pk in re.findall(r'id="work_(\d+)"', section[1].split("</ol>", 1)[0])]


def found(html: str) -> int:
    match = re.search(r'<h3 class="heading">(\d+) Found</h3>', html)
    assert match, html[:3000]
    return int(match.group(1))


def set_stats(work: Work, **counts: int) -> None:
    Work.objects.filter(pk=work.pk).update(**counts)
    record_work_changes([work.pk])


@pytest.fixture
def archive() -> dict[str, Work]:
    alma = make_user("Alma_s")
    bruno = make_user("bruno_s")
    works = {
        "crossover": make_work(
            alma,
            title="The Quorx Harbour",
            fandoms=["Fandom Kestrel", "Fandom Plover"],
            rating="Explicit",
            categories=["F/F"],
            expected_chapters=1,
            content="grindal " * 30,
        ),
        "single": make_work(
            bruno,
            title="Blimt and the sea",
            fandoms=["Fandom Kestrel"],
            characters=["Mira Vale"],
            warnings=["Major Character Death"],
            language="fr",
            content="harbour " * 200,
        ),
        "plain": make_work(
            bruno, title="an Oskat story", fandoms=["Fandom Plover"], content="quorx " * 5
        ),
    }
    for name in ("Fandom Kestrel", "Fandom Plover", "Mira Vale"):
        tag_make_canonical(actor=alma, tag=Tag.objects.get(name=name))
    set_stats(works["crossover"], hit_count=500, kudos_count=40, comment_count=3)
    set_stats(works["single"], hit_count=50, kudos_count=4, bookmark_count=2)
    set_stats(works["plain"], hit_count=5)
    for work in works.values():
        work.refresh_from_db()
    return works


def test_the_search_page_has_a_labelled_edit_search_form(client: Client) -> None:
    make_work(make_user(), rating="Mature", categories=["Gen"])
    html = client.get(URL).content.decode()
    assert "<summary>Edit search</summary>" in html
    for key, label in [
        ("title", "Title"),
        ("creators", "Creator/s"),
        ("revised_at", "Date updated"),
        ("word_count", "Word count"),
        ("fandom_names", "Fandoms"),
        ("character_names", "Characters"),
        ("relationship_names", "Relationships"),
        ("freeform_names", "Additional tags"),
        ("hits", "Hits"),
        ("kudos_count", "Kudos"),
        ("comments_count", "Comments"),
        ("bookmarks_count", "Bookmarks"),
        ("language_id", "Language"),
        ("rating_ids", "Rating"),
        ("sort_column", "Sort by"),
        ("sort_direction", "Sort direction"),
    ]:
        assert f'<label for="edit_search_{key}">{label}</label>' in html, key
        assert f'id="edit_search_{key}" name="work_search[{key}]"' in html, key
    assert 'name="work_search[crossover]" value="T"' in html
    assert 'name="work_search[complete]" value="T"' in html
    assert 'name="work_search[single_chapter]"' in html
    mature = Tag.objects.get(name="Mature").pk
    assert f'<option value="{mature}">Mature</option>' in html
    gen = Tag.objects.get(name="Gen").pk
    assert f'name="work_search[category_ids][]" value="{gen}"' in html
    assert '<option value="_score" selected>Best Match</option>' in html


def test_ao3_search_urls_work(client: Client, backend: str, archive: dict[str, Work]) -> None:
    w = archive

    def ids(**params: Any) -> list[int]:
        query = {f"work_search[{k}]": v for k, v in params.items()}
        response = get(client, backend, query)
        assert response.status_code == 200
        return sorted(listed_ids(response.content.decode()))

    assert ids(title="quorx") == [w["crossover"].pk]
    assert ids(title="the") == [w["crossover"].pk, w["single"].pk]
    assert ids(creators="bruno_s") == sorted([w["single"].pk, w["plain"].pk])
    assert ids(query="quorx") == sorted([w["crossover"].pk, w["plain"].pk])
    assert ids(query="quorx", creators="alma_s") == [w["crossover"].pk]
    assert ids(fandom_names="Fandom Plover") == sorted([w["crossover"].pk, w["plain"].pk])
    assert ids(character_names="Mira Vale") == [w["single"].pk]
    # A name that is not a canonical tag is matched as text, as on AO3.
    assert ids(fandom_names="Kestrel") == sorted([w["crossover"].pk, w["single"].pk])
    explicit = Tag.objects.get(name="Explicit").pk
    assert ids(rating_ids=explicit) == [w["crossover"].pk]
    mcd = Tag.objects.get(name="Major Character Death").pk
    assert sorted(
        listed_ids(
            get(client, backend, {"work_search[archive_warning_ids][]": mcd}).content.decode()
        )
    ) == [w["single"].pk]
    ff = Tag.objects.get(name="F/F").pk
    assert sorted(
        listed_ids(get(client, backend, {"work_search[category_ids][]": ff}).content.decode())
    ) == [w["crossover"].pk]
    assert ids(complete="T") == [w["crossover"].pk]
    assert ids(crossover="T") == [w["crossover"].pk]
    assert ids(crossover="F") == sorted([w["single"].pk, w["plain"].pk])
    assert ids(single_chapter="1") == sorted(pk.pk for pk in w.values())
    assert ids(word_count=">100") == [w["single"].pk]
    assert ids(word_count="10-50") == [w["crossover"].pk]
    assert ids(language_id="fr") == [w["single"].pk]
    assert ids(revised_at="<1 week") == sorted(pk.pk for pk in w.values())
    assert ids(revised_at=">1 week") == []
    assert ids(hits=">100") == [w["crossover"].pk]
    assert ids(hits="<10") == [w["plain"].pk]
    assert ids(kudos_count="1-10") == [w["single"].pk]
    assert ids(comments_count=">0") == [w["crossover"].pk]
    assert ids(bookmarks_count="2") == [w["single"].pk]


@pytest.mark.parametrize(
    ("column", "direction", "order"),
    [
        # "Blimt and the sea", "an Oskat story" as "oskat story", "The Quorx…" as "quorx…".
        ("title_to_sort_on", "", ["single", "plain", "crossover"]),
        ("title_to_sort_on", "desc", ["crossover", "plain", "single"]),
        # Alma_s before bruno_s whatever the case; bruno's two works tie, so by id.
        ("authors_to_sort_on", "", ["crossover", "single", "plain"]),
        ("authors_to_sort_on", "desc", ["plain", "single", "crossover"]),
        ("hits", "", ["crossover", "single", "plain"]),
        ("hits", "asc", ["plain", "single", "crossover"]),
        ("kudos_count", "desc", ["crossover", "single", "plain"]),
    ],
)
def test_sorts(
    client: Client,
    backend: str,
    archive: dict[str, Work],
    column: str,
    direction: str,
    order: list[str],
) -> None:
    params = {"work_search[query]": "", "work_search[sort_column]": column}
    if direction:
        params["work_search[sort_direction]"] = direction
    html = get(client, backend, params).content.decode()
    assert listed_ids(html) == [archive[name].pk for name in order]


def test_bad_values_are_shown_beside_the_field(
    client: Client, backend: str, archive: dict[str, Work]
) -> None:
    response = get(
        client,
        backend,
        {
            "work_search[hits]": "lots",
            "work_search[kudos_count]": "5 OR 6",
            "work_search[revised_at]": "yesterday-ish",
            "work_search[crossover]": "maybe",
            "work_search[sort_direction]": "sideways",
        },
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count("Please enter a number or a range such as &gt;100, 10-50 or &lt;5.") >= 2
    assert "Please enter a time such as" in html
    assert "Please choose crossovers only, no crossovers, or all." in html
    assert "Please choose ascending or descending." in html
    assert found(html) == 3


def test_sidebar_filters_combine_with_the_query(
    client: Client, backend: str, archive: dict[str, Work]
) -> None:
    plover = Tag.objects.get(name="Fandom Plover").pk
    params = {"work_search[query]": "quorx"}
    html = get(client, backend, params).content.decode()
    assert '<aside class="listing-filters"' in html
    assert re.search(r"Fandom Plover \(2\)</span>", html)
    # The sidebar sends the query again, and the Best Match sort is offered.
    assert '<input type="hidden" name="work_search[query]" value="quorx">' in html
    assert '<option value="_score" selected>Best Match</option>' in html
    params["exclude_work_search[fandom_ids][]"] = str(Tag.objects.get(name="Fandom Kestrel").pk)
    html = get(client, backend, params).content.decode()
    assert listed_ids(html) == [archive["plain"].pk]
    # The Edit search form carries the sidebar's choice.
    assert 'type="hidden" name="exclude_work_search[fandom_ids][]"' in html
    params = {"work_search[query]": "quorx", "include_work_search[fandom_ids][]": str(plover)}
    html = get(client, backend, params).content.decode()
    assert sorted(listed_ids(html)) == sorted([archive["crossover"].pk, archive["plain"].pk])


def test_paging_keeps_every_choice(client: Client, backend: str) -> None:
    user = make_user()
    for n in range(21):
        make_work(user, title=f"Plumex {n}")
    params = {
        "work_search[query]": "plumex",
        "work_search[hits]": "<10",
        "work_search[crossover]": "F",
        "work_search[sort_column]": "title_to_sort_on",
    }
    html = get(client, backend, params).content.decode()
    assert found(html) == 21 and len(listed_ids(html)) == 20
    assert (
        "?work_search%5Bquery%5D=plumex&amp;work_search%5Bhits%5D=%3C10"
        "&amp;work_search%5Bcrossover%5D=F&amp;work_search%5Bsort_column%5D=title_to_sort_on"
        "&amp;page=2"
    ) in html
    html = get(client, backend, {**params, "page": "2"}).content.decode()
    assert len(listed_ids(html)) == 1


def test_best_match_puts_a_title_match_above_chapter_text(client: Client, backend: str) -> None:
    user = make_user()
    in_text = make_work(user, title="Something", content="vartok " * 80)
    in_title = make_work(user, title="Vartok", content="Nothing to see here at all.")
    html = get(client, backend, {"work_search[query]": "vartok"}).content.decode()
    assert listed_ids(html) == [in_title.pk, in_text.pk]
    # With no text to rank by, the default is date updated.
    html = get(client, backend, {"work_search[language_id]": "en"}).content.decode()
    assert listed_ids(html) == [in_title.pk, in_text.pk]


def test_guests_never_count_restricted_works(client: Client, backend: str) -> None:
    user = make_user()
    make_work(user, title="Trevum open", freeforms=["Shared"])
    make_work(user, title="Trevum locked", freeforms=["Shared"], restricted=True)
    make_work(user, title="Trevum draft", freeforms=["Shared"], post=False)
    tag_make_canonical(actor=user, tag=Tag.objects.get(name="Shared"))
    html = get(client, backend, {"work_search[query]": "trevum"}).content.decode()
    assert found(html) == 1 and re.search(r"Shared \(1\)</span>", html)
    client.force_login(user)
    html = get(client, backend, {"work_search[query]": "trevum"}).content.decode()
    assert found(html) == 2 and re.search(r"Shared \(2\)</span>", html)


def test_blurbs_show_stats_omitting_zero_counts_but_hits(
    client: Client, backend: str, archive: dict[str, Work]
) -> None:
    html = get(client, backend, {"work_search[title]": "quorx"}).content.decode()
    assert '<dt class="hits">Hits:</dt><dd class="hits">500</dd>' in html
    assert '<dt class="kudos">Kudos:</dt><dd class="kudos">40</dd>' in html
    assert '<dt class="comments">Comments:</dt><dd class="comments">3</dd>' in html
    assert 'class="bookmarks"' not in html
    html = get(client, backend, {"work_search[title]": "oskat"}).content.decode()
    assert '<dd class="hits">5</dd>' in html
    assert 'class="kudos"' not in html and 'class="comments"' not in html
