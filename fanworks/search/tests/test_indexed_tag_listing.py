"""Unfiltered canonical tag listings come from the search index when it can answer (see
search.queries.indexed_listing_page), and print the same page as the database listing."""

import re
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from fanworks.core import jobs
from fanworks.core.testing import make_user, make_work
from fanworks.search.indexer import get_index, run_round
from fanworks.tags import wrangling
from fanworks.tags.filters import filters_settling
from fanworks.tags.models import Tag, TagType
from fanworks.works.models import Work

pytestmark = pytest.mark.django_db

TOKEN = re.compile(r'(csrf-token" content="|csrfmiddlewaretoken" value=")[^"]+')


def page(client: Client, url: str) -> tuple[int, str]:
    response = client.get(url)
    return response.status_code, TOKEN.sub(r"\1X", response.content.decode())


def listed_ids(html: str) -> list[int]:
    return [int(pk) for pk in re.findall(r'id="work_(\d+)"', html)]


@pytest.fixture
def tagged(settings: Any, tmp_path: Path) -> Tag:
    settings.SEARCH_INDEX_DIR = tmp_path / "index"
    creator = make_user("lister")
    for n in range(28):
        make_work(creator, title=f"Work {n}", freeforms=["Slow Burn"], restricted=n % 5 == 0)
    tag = Tag.objects.get(name="Slow Burn")
    wrangling.tag_make_canonical(actor=creator, tag=tag)
    return tag


@pytest.mark.parametrize("registered", [False, True])
def test_indexed_listing_prints_what_the_database_listing_prints(
    client: Client, settings: Any, tagged: Tag, registered: bool
) -> None:
    if registered:
        client.force_login(make_user("reader"))
    url = tagged.get_absolute_url()
    settings.SEARCH_BACKEND = "sql"
    from_sql = [page(client, url), page(client, url + "?page=2"), page(client, url + "?page=3")]
    settings.SEARCH_BACKEND = "tantivy"
    run_round(get_index())
    from_index = [page(client, url), page(client, url + "?page=2"), page(client, url + "?page=3")]
    assert [status for status, _ in from_index] == [200, 200, 404]
    assert from_index[:2] == from_sql[:2]
    assert len(listed_ids(from_index[0][1])) == 20
    total = 28 if registered else 22
    assert f"21 - {total} of {total} Works in" in from_index[1][1]


def test_the_database_answers_while_the_index_may_lag(
    client: Client, settings: Any, tagged: Tag
) -> None:
    settings.SEARCH_BACKEND = "tantivy"
    settings.REFILTER_INLINE_LIMIT = 1
    settings.JOBS_EAGER = False
    run_round(get_index())
    url = tagged.get_absolute_url()
    # A big wrangling change: a synonym's works join the tag through a queued re-filter job,
    # which the index has not seen; the page must list them all the same.
    creator = make_user("late")
    late = [make_work(creator, title=f"Late {n}", freeforms=["slowburn"]) for n in range(2)]
    wrangling.tag_make_synonym(
        actor=creator, tag=Tag.objects.get(name="slowburn", type=TagType.FREEFORM), canonical=tagged
    )
    assert filters_settling()
    _, html = page(client, url)
    assert {w.pk for w in late} <= set(listed_ids(html))
    assert "1 - 20 of 24 Works in" in html
    jobs.run_pending()
    assert not filters_settling()
    assert Work.objects.count() == 30


@pytest.mark.parametrize("registered", [False, True])
def test_the_works_index_from_the_index_prints_what_the_database_prints(
    client: Client, settings: Any, tagged: Tag, registered: bool
) -> None:
    make_work(make_user("drafter"), title="Not yet", post=False)
    if registered:
        client.force_login(make_user("reader"))
    settings.SEARCH_BACKEND = "sql"
    from_sql = [page(client, "/works"), page(client, "/works?page=2")]
    settings.SEARCH_BACKEND = "tantivy"
    run_round(get_index())
    from_index = [page(client, "/works"), page(client, "/works?page=2")]
    assert from_index == from_sql
    assert [status for status, _ in from_index] == [200, 200]
    assert page(client, "/works?page=3")[0] == 404
    total = 28 if registered else 22
    assert f"21 - {total} of {total} Works" in from_index[1][1]
