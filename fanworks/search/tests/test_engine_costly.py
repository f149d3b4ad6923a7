"""Costly requests answer quickly, on both backends: capped results, or a 400 with a message."""

import re
import time
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from fanworks.core.testing import make_user, make_work
from fanworks.search.forms import MAX_FILTER_TAGS, MAX_REQUEST_QUERY
from fanworks.search.indexer import get_index, run_round
from fanworks.search.parser import MAX_PREFIX_TERMS

pytestmark = pytest.mark.django_db

# Generous: the point is "answers at all, without grinding", not a benchmark.
SECONDS = 5.0
INC = "include_work_search[freeform_ids][]"


@pytest.fixture(params=["sql", "tantivy"])
def backend(request: Any, settings: Any, tmp_path: Path) -> str:
    settings.SEARCH_BACKEND = request.param
    settings.SEARCH_INDEX_DIR = tmp_path / "index"
    return str(request.param)


@pytest.fixture
def archive(backend: str) -> list[int]:
    user = make_user()
    works = [
        make_work(user, title=f"Harbour {word}", freeforms=["Fluff"], content=f"{word} " * 20)
        for word in ("abalone", "abacus", "abbey", "abbot", "abdomen", "abide", "ablaze")
    ]
    if backend == "tantivy":
        run_round(get_index())
    return [w.pk for w in works]


def timed_get(client: Client, url: str, params: Any) -> tuple[Any, float]:
    start = time.perf_counter()
    response = client.get(url, params)
    return response, time.perf_counter() - start


def found(html: str) -> int:
    match = re.search(r'<h3 class="heading">(\d+) Found</h3>', html)
    assert match, html[:2000]
    return int(match.group(1))


@pytest.mark.parametrize("url", ["/works", "/works/search"])
def test_fifty_included_tags_answer_and_fifty_one_are_refused(
    client: Client, archive: list[int], url: str
) -> None:
    ids = [str(n) for n in range(1_000_000, 1_000_000 + MAX_FILTER_TAGS)]
    response, seconds = timed_get(client, url, {INC: ids, "work_search[query]": "harbour"})
    assert response.status_code == 200
    assert seconds < SECONDS
    response, seconds = timed_get(
        client, url, {INC: [*ids, "999"], "work_search[query]": "harbour"}
    )
    assert response.status_code == 400
    assert seconds < SECONDS
    assert f"at most {MAX_FILTER_TAGS} tags" in response.content.decode()


def test_fifty_tag_names_in_the_search_form_count_too(client: Client, archive: list[int]) -> None:
    names = ", ".join(f"Nope {n}" for n in range(MAX_FILTER_TAGS))
    response, seconds = timed_get(client, "/works/search", {"work_search[freeform_names]": names})
    assert response.status_code == 200 and seconds < SECONDS
    response = client.get("/works/search", {"work_search[freeform_names]": names + ", one more"})
    assert response.status_code == 400


def test_ten_thousand_character_query_answers_and_one_more_is_refused(
    client: Client, archive: list[int]
) -> None:
    query = ("harbour abacus " * 1000)[:MAX_REQUEST_QUERY]
    assert len(query) == MAX_REQUEST_QUERY
    response, seconds = timed_get(client, "/works/search", {"work_search[query]": query})
    assert response.status_code == 200
    assert seconds < SECONDS
    html = response.content.decode()
    assert found(html) == 1
    assert 'id="work_search_warnings"' in html
    # Fifty different words (the most the parser uses) cost the most to match.
    distinct = " ".join(f"harbour{n}" for n in range(2000))[:MAX_REQUEST_QUERY]
    response, seconds = timed_get(client, "/works/search", {"work_search[query]": distinct})
    assert response.status_code == 200
    assert seconds < SECONDS
    assert found(response.content.decode()) == 0
    response, seconds = timed_get(client, "/works/search", {"work_search[query]": query + "x"})
    assert response.status_code == 400
    assert seconds < SECONDS
    assert "too long" in response.content.decode()
    response = client.get("/works/search", {"work_search[title]": "x" * (MAX_REQUEST_QUERY + 1)})
    assert response.status_code == 400


@pytest.mark.parametrize("url", ["/works", "/works/search"])
def test_page_one_hundred_thousand_asks_to_narrow_the_search(
    client: Client, archive: list[int], url: str
) -> None:
    params = {"work_search[query]": "harbour", "work_search[complete]": "", "page": "100000"}
    response, seconds = timed_get(client, url, params)
    assert response.status_code == 400
    assert seconds < SECONDS
    html = response.content.decode()
    assert "narrow your search" in html and 'role="alert"' in html


def test_a_wildcard_on_every_letter_still_answers(client: Client, archive: list[int]) -> None:
    query = " ".join(f"{letter}*" for letter in "abcdefghijklmnopqrstuvwxyz") + " * **"
    response, seconds = timed_get(client, "/works/search", {"work_search[query]": query})
    assert response.status_code == 200
    assert seconds < SECONDS
    html = response.content.decode()
    # Every wildcard was too short, so nothing narrows the search: all works come back.
    assert found(html) == len(archive)
    assert "too short for a wildcard" in html
    assert "would match everything" in html


def test_many_wildcards_are_capped_with_a_warning(client: Client, archive: list[int]) -> None:
    prefixes = ["aba", "abb", "abd", "abi", "abl", "abalon", "abacu", "harb"]
    query = " OR ".join(f"{p}*" for p in prefixes)
    response, seconds = timed_get(client, "/works/search", {"work_search[query]": query})
    assert response.status_code == 200
    assert seconds < SECONDS
    html = response.content.decode()
    assert f"Only the first {MAX_PREFIX_TERMS} wildcards were used" in html
    # The first five prefixes reach every work; the rest were searched as whole words.
    assert found(html) == len(archive)
