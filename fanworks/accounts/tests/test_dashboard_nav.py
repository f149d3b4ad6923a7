"""The links between a user's pages: grouped for their owner, public ones only for others, the
current page marked, inside one "Menu" disclosure (fanworks.css folds it on phones only)."""

import re

import pytest
from django.test import Client

from fanworks.core.testing import make_user

pytestmark = pytest.mark.django_db


def nav_of(html: str) -> str:
    match = re.search(r'<nav class="dashboard-nav".*?</nav>', html, re.S)
    assert match, html[:2000]
    return match.group(0)


def test_the_owner_gets_three_labelled_groups_and_the_current_page_marked() -> None:
    owner = make_user("navowner")
    client = Client()
    client.force_login(owner)
    nav = nav_of(client.get("/users/navowner/related_works").content.decode())
    assert 'aria-label="navowner\'s pages"' in nav
    assert '<summary>Menu<span class="current-page">: Related works</span></summary>' in nav
    titles = re.findall(r'<p class="dashboard-group-title" id="dashboard-(\w+)">(\w+)</p>', nav)
    assert titles == [("creations", "Creations"), ("activity", "Activity"), ("account", "Account")]
    for slug, _ in titles:
        assert f'aria-labelledby="dashboard-{slug}"' in nav
    links = re.findall(r'<a href="([^"]+)"( aria-current="page")?>([^<]+)</a>', nav)
    assert len(links) == 23
    assert [label for _, current, label in links if current] == ["Related works"]
    assert links[-1] == ("/users/logout", "", "Log out")
    assert ("/users/navowner/readings", "", "History") in links


def test_others_get_the_public_links_only_and_no_current_mark_off_the_menu() -> None:
    make_user("navowner")
    visitor = make_user("navvisitor")
    client = Client()
    client.force_login(visitor)
    nav = nav_of(client.get("/users/navowner/works").content.decode())
    labels = re.findall(r'<a href="/users/navowner[^"]*"[^>]*>([^<]+)</a>', nav)
    assert labels == ["Dashboard", "Profile", "Works", "Bookmarks", "Series", "Gifts", "Pseuds"]
    assert "dashboard-group-title" not in nav and "Log out" not in nav
    assert '<a href="/users/navowner/works" aria-current="page">Works</a>' in nav
    # A page the menu does not list (one pseud's works) marks nothing.
    guest_nav = nav_of(Client().get("/users/navowner/pseuds/navowner/works").content.decode())
    assert "aria-current" not in guest_nav and "<summary>Menu</summary>" in guest_nav
