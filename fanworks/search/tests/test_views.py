import re
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from fanworks.core.testing import make_user, make_work
from fanworks.search.indexer import get_index, run_round
from fanworks.works.models import Work

pytestmark = pytest.mark.django_db

URL = "/works/search"


@pytest.fixture(params=["sql", "tantivy"])
def backend(request: Any, settings: Any, tmp_path: Path) -> str:
    settings.SEARCH_BACKEND = request.param
    settings.SEARCH_INDEX_DIR = tmp_path / "index"
    return str(request.param)


def search(client: Client, query: str, backend: str, **extra: str) -> Any:
    if backend == "tantivy":
        run_round(get_index())
    return client.get(URL, {"work_search[query]": query, **extra})


def found_count(html: str) -> int:
    match = re.search(r'<h3 class="heading">(\d+) Found</h3>', html)
    assert match, html
    return int(match.group(1))


def listed_ids(html: str) -> list[int]:
    section = html.split('<ol class="work index group">', 1)
    if len(section) < 2:
        return []
    return [int(pk) for pk in re.findall(r'id="work_(\d+)"', section[1].split("</ol>", 1)[0])]


def test_search_page_has_a_labelled_form(client: Client) -> None:
    html = client.get(URL).content.decode()
    assert '<div id="main" class="works-search region"' in html
    assert '<label for="work_search_query">' in html
    assert 'name="work_search[query]"' in html
    assert "Found" not in html


def test_text_is_found(client: Client, backend: str) -> None:
    user = make_user()
    hit = make_work(user, title="Grindal lighthouse")
    make_work(user, title="Something else")
    html = search(client, "grindal", backend).content.decode()
    assert found_count(html) == 1
    assert listed_ids(html) == [hit.pk]
    assert "Grindal lighthouse" in html
    # The short parameter works too.
    html = client.get(URL, {"q": "grindal"}).content.decode()
    assert listed_ids(html) == [hit.pk]


def test_restricted_hidden_from_guests_and_drafts_never(client: Client, backend: str) -> None:
    user = make_user()
    public = make_work(user, title="Oskat public")
    restricted = make_work(user, title="Oskat locked", restricted=True)
    make_work(user, title="Oskat draft", post=False)
    html = search(client, "oskat", backend).content.decode()
    assert found_count(html) == 1
    assert listed_ids(html) == [public.pk]
    assert "Oskat locked" not in html and "Oskat draft" not in html

    client.force_login(user)
    html = search(client, "oskat", backend).content.decode()
    assert found_count(html) == 2
    assert sorted(listed_ids(html)) == sorted([public.pk, restricted.pk])
    assert "Oskat draft" not in html


def test_stale_index_never_shows_a_hidden_work(
    client: Client, settings: Any, tmp_path: Path
) -> None:
    settings.SEARCH_BACKEND = "tantivy"
    settings.SEARCH_INDEX_DIR = tmp_path / "index"
    work = make_work(make_user(), title="Trevum secret")
    run_round(get_index())
    # Hidden without the index hearing about it (bulk update skips the outbox).
    Work.objects.filter(pk=work.pk).update(hidden_by_admin=True)
    html = client.get(URL, {"work_search[query]": "trevum"}).content.decode()
    assert listed_ids(html) == []
    assert "Trevum secret" not in html


def test_no_results_message(client: Client, backend: str) -> None:
    make_work(make_user(), title="Harbour")
    response = search(client, "nothingmatchesthis", backend)
    html = response.content.decode()
    assert response.status_code == 200
    assert found_count(html) == 0
    assert "No results found. You may want to edit your search to make it less specific." in html


@pytest.mark.parametrize(
    "query",
    ['title:"unclosed', "((((", "a OR", "words>lots", "sort:nonsense", "NOT", "Re:Zero", ")))"],
)
def test_malformed_queries_warn_instead_of_failing(
    client: Client, backend: str, query: str
) -> None:
    make_work(make_user(), title="Zero hour")
    response = search(client, query, backend)
    assert response.status_code == 200
    assert "Found</h3>" in response.content.decode()


def test_warnings_are_shown_next_to_the_form(client: Client, backend: str) -> None:
    html = search(client, "words>lots sort:nonsense", backend).content.decode()
    assert 'id="work_search_warnings"' in html


def test_paging_keeps_the_query(client: Client, settings: Any) -> None:
    settings.SEARCH_BACKEND = "sql"
    user = make_user()
    works = [make_work(user, title=f"Plumex {n}") for n in range(21)]
    html = client.get(URL, {"work_search[query]": "plumex"}).content.decode()
    assert found_count(html) == 21
    assert len(listed_ids(html)) == 20
    assert "?work_search%5Bquery%5D=plumex&amp;page=2" in html
    html = client.get(URL, {"work_search[query]": "plumex", "page": "2"}).content.decode()
    assert len(listed_ids(html)) == 1
    assert set(listed_ids(html)) < {w.pk for w in works}


@pytest.mark.parametrize("page", ["5001", "100000", "99999999999999999999", "0", "-1", "x"])
def test_bad_page_numbers_are_400(client: Client, settings: Any, page: str) -> None:
    settings.SEARCH_BACKEND = "sql"
    response = client.get(URL, {"work_search[query]": "harbour", "page": page})
    assert response.status_code == 400
    assert 'role="alert"' in response.content.decode()


def test_page_5000_is_allowed(client: Client, settings: Any) -> None:
    settings.SEARCH_BACKEND = "sql"
    response = client.get(URL, {"work_search[query]": "harbour", "page": "5000"})
    assert response.status_code == 200


def test_huge_query_is_400(client: Client, settings: Any) -> None:
    settings.SEARCH_BACKEND = "sql"
    response = client.get(URL, {"work_search[query]": "word " * 2001})
    assert response.status_code == 400
    assert "too long" in response.content.decode()


def test_long_query_under_the_limit_is_cut_with_a_warning(client: Client, backend: str) -> None:
    response = search(client, "harbour " * 1000, backend)
    assert response.status_code == 200
    assert 'id="work_search_warnings"' in response.content.decode()
