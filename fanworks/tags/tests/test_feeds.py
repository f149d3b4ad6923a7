"""Atom feeds of the latest works under a canonical fandom, character or relationship tag."""

import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta

import pytest

from fanworks.core.testing import make_user, make_work
from fanworks.tags import wrangling
from fanworks.tags.actions import tags_find_or_create
from fanworks.tags.models import Tag, TagType, tag_url_name
from fanworks.works.models import Work

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"
FANDOM = "Lantern Guild"


@pytest.fixture
def admin():
    user = make_user("feed_admin")
    user.is_superuser = True
    user.save(update_fields=["is_superuser"])
    return user


@pytest.fixture
def fandom(admin):
    (tag,) = tags_find_or_create(names=[FANDOM], tag_type=TagType.FANDOM)
    return wrangling.tag_make_canonical(actor=admin, tag=tag)


@pytest.fixture
def author():
    return make_user("mira_writes")


def feed_url(name):
    return f"/tags/{tag_url_name(name)}/feed.atom"


def fetch(client, name):
    response = client.get(feed_url(name))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    return ET.fromstring(response.content)


def entries(feed):
    return feed.findall(f"{ATOM}entry")


def titles(feed):
    return [entry.findtext(f"{ATOM}title") for entry in entries(feed)]


def revise(work, minutes_ago):
    when = datetime(2026, 1, 1, tzinfo=UTC) - timedelta(minutes=minutes_ago)
    Work.objects.filter(pk=work.pk).update(revised_at=when)


def test_feed_lists_the_latest_works_with_their_details(client, fandom, author):
    older = make_work(author, title="Older Work", fandoms=[FANDOM])
    newer = make_work(
        author,
        title="Lanterns & Ledgers",
        fandoms=[FANDOM],
        characters=["Mira Vell"],
        freeforms=["Found Family"],
        summary="A <em>quiet</em> night at the guild.",
    )
    revise(older, 60)
    revise(newer, 5)
    feed = fetch(client, FANDOM)
    assert FANDOM in feed.findtext(f"{ATOM}title")
    assert titles(feed) == ["Lanterns & Ledgers", "Older Work"]
    entry = entries(feed)[0]
    link = entry.find(f"{ATOM}link").get("href")
    assert link == f"http://testserver/works/{newer.pk}"
    assert entry.findtext(f"{ATOM}author/{ATOM}name") == "mira_writes"
    assert entry.findtext(f"{ATOM}updated").startswith("2025-12-31T23:55:00")
    assert entry.findtext(f"{ATOM}published")
    categories = {c.get("term") for c in entry.findall(f"{ATOM}category")}
    assert {FANDOM, "Mira Vell", "Found Family", "General Audiences"} <= categories
    summary = entry.find(f"{ATOM}summary")
    assert summary.get("type") == "html"
    # The summary is HTML carried as text: the sanitised markup survives, once escaped.
    assert "<em>quiet</em>" in summary.text
    assert "<p>by mira_writes</p>" in summary.text
    assert "Words: " in summary.text and "Characters: Mira Vell" in summary.text


def test_feed_holds_at_most_twenty_works(client, fandom, author):
    for number in range(22):
        revise(make_work(author, title=f"Work {number:02}", fandoms=[FANDOM]), 100 - number)
    assert titles(fetch(client, FANDOM)) == [f"Work {n:02}" for n in range(21, 1, -1)]


def test_restricted_draft_and_hidden_works_never_appear_even_for_members(client, fandom, author):
    make_work(author, title="Public", fandoms=[FANDOM])
    make_work(author, title="Members Only", fandoms=[FANDOM], restricted=True)
    make_work(author, title="Draft", fandoms=[FANDOM], post=False)
    hidden = make_work(author, title="Hidden", fandoms=[FANDOM])
    Work.objects.filter(pk=hidden.pk).update(hidden_by_admin=True)
    assert titles(fetch(client, FANDOM)) == ["Public"]
    client.force_login(author)  # the creator of all of them, logged in
    assert titles(fetch(client, FANDOM)) == ["Public"]


def test_feed_finds_works_tagged_with_synonyms(client, admin, fandom, author):
    (character,) = tags_find_or_create(names=["Mira Vell"], tag_type=TagType.CHARACTER)
    character = wrangling.tag_make_canonical(actor=admin, tag=character)
    (nickname,) = tags_find_or_create(names=["Captain Vell"], tag_type=TagType.CHARACTER)
    wrangling.tag_make_synonym(actor=admin, tag=nickname, canonical=character)
    make_work(author, title="Nicknamed", fandoms=[FANDOM], characters=["Captain Vell"])
    assert titles(fetch(client, "Mira Vell")) == ["Nicknamed"]


def test_relationship_feeds_exist(client, admin, fandom, author):
    make_work(author, title="Together", fandoms=[FANDOM], relationships=["Mira Vell/Tomas Reed"])
    ship = Tag.objects.get(name="Mira Vell/Tomas Reed")
    wrangling.tag_make_canonical(actor=admin, tag=ship)
    assert titles(fetch(client, "Mira Vell/Tomas Reed")) == ["Together"]


def test_an_empty_feed_is_still_a_feed(client, fandom):
    assert titles(fetch(client, FANDOM)) == []


def test_no_feed_for_other_tags(client, admin, fandom, author):
    make_work(author, fandoms=[FANDOM], freeforms=["Found Family"], characters=["Unwrangled"])
    found_family = Tag.objects.get(name="Found Family")
    wrangling.tag_make_canonical(actor=admin, tag=found_family)
    (alias,) = tags_find_or_create(names=["The Guild"], tag_type=TagType.FANDOM)
    wrangling.tag_make_synonym(actor=admin, tag=alias, canonical=fandom)
    for name in ["Found Family", "Unwrangled", "The Guild", "General Audiences", "No Such Tag"]:
        assert client.get(feed_url(name)).status_code == 404, name
