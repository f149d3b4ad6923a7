"""Muting: a muted user's works leave every listing and search of the muter, counts and facets
included, on both search backends; a link still opens them; nobody else is affected."""

import re
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from fanworks.accounts.actions import mute_user, unmute_user
from fanworks.accounts.models import Mute
from fanworks.core.testing import make_user, make_work
from fanworks.search.indexer import get_index, run_round

pytestmark = pytest.mark.django_db


@pytest.fixture(params=["sql", "tantivy"])
def backend(request: Any, settings: Any, tmp_path: Path) -> str:
    settings.SEARCH_BACKEND = request.param
    settings.SEARCH_INDEX_DIR = tmp_path / "index"
    return str(request.param)


def fetch(client: Client, backend: str, url: str) -> str:
    if backend == "tantivy":
        run_round(get_index())
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def titles(html: str) -> set[str]:
    return set(re.findall(r'<a href="/works/\d+">([^<]+)</a>', html))


def test_muted_works_leave_listings_search_counts_and_facets(backend: str) -> None:
    loud, calm = make_user("loudwriter"), make_user("calmwriter")
    make_work(loud, title="Loud Harbour", freeforms=["Shared Tag"])
    make_work(calm, title="Calm Harbour", freeforms=["Shared Tag"])
    me = make_user("reader_m")
    client = Client()
    client.force_login(me)
    search = "/works/search?work_search[query]=harbour"
    assert {"Loud Harbour", "Calm Harbour"} <= titles(fetch(client, backend, search))

    mute_user(muter=me, muted=loud)
    for url in (search, "/works", "/tags/Shared Tag/works", "/works?work_search[query]=harbour"):
        page = fetch(client, backend, url)
        assert "Loud Harbour" not in page, url
        assert "Calm Harbour" in titles(page), url
    page = fetch(client, backend, search)
    assert re.search(r"<h3 class=\"heading\">1 Found</h3>", page)
    # The sidebar counts only what is listed: every facet count is now 1, none 2.
    counts = re.findall(r'class="facet-name"[^>]*>[^<]*?\((\d+)\)</span>', page)
    assert counts and set(counts) == {"1"}
    # Someone else still sees both.
    other = Client()
    other.force_login(make_user())
    assert {"Loud Harbour", "Calm Harbour"} <= titles(fetch(other, backend, search))
    # A link still opens the work.
    linked = make_work(loud, title="Linked")
    assert client.get(f"/works/{linked.pk}").status_code == 200

    unmute_user(muter=me, muted=loud)
    assert {"Loud Harbour", "Calm Harbour"} <= titles(fetch(client, backend, search))


def test_mute_from_a_profile_and_the_private_list() -> None:
    me, them = make_user("muter_x"), make_user("noisy_x")
    client = Client()
    client.force_login(me)
    assert "Mute noisy_x" in client.get("/users/noisy_x").content.decode()
    change = {"username": "noisy_x", "change": "mute", "return_to": "/users/noisy_x"}
    assert client.post("/users/muter_x/muted", change)["Location"] == "/users/noisy_x"
    assert Mute.objects.filter(muter=me, muted=them).exists()
    assert "Unmute noisy_x" in client.get("/users/noisy_x").content.decode()
    assert (
        '<a href="/users/noisy_x">noisy_x</a>'
        in client.get("/users/muter_x/muted").content.decode()
    )
    outsider = Client()
    outsider.force_login(make_user())
    assert outsider.get("/users/muter_x/muted").status_code == 404
    assert Client().get("/users/muter_x/muted").status_code == 302
    client.post("/users/muter_x/muted", {"username": "noisy_x", "change": "unmute"})
    assert not Mute.objects.exists()
    # Not oneself: the refusal is a message, nothing saved.
    client.post("/users/muter_x/muted", {"username": "muter_x", "change": "mute"})
    assert not Mute.objects.exists()
