"""People search at /people/search: matching, visibility of work counts, pages, bad input."""

import re
from typing import Any

import pytest
from django.test import Client

from fanworks.accounts.actions import pseud_create
from fanworks.accounts.models import User
from fanworks.core.testing import make_user, make_work
from fanworks.search import people
from fanworks.tags import wrangling
from fanworks.tags.models import Tag
from fanworks.works.models import Work

pytestmark = pytest.mark.django_db

URL = "/people/search"


def search(client: Client, **fields: str) -> Any:
    params = {f"people_search[{key}]": value for key, value in fields.items() if key != "page"}
    if "page" in fields:
        params["page"] = fields["page"]
    return client.get(URL, params)


def found(html: str) -> int:
    match = re.search(r'<h2 class="heading" id="people-found">(\d+) Found</h2>', html)
    assert match, html
    return int(match.group(1))


def listed(html: str) -> list[str]:
    """The pseud names listed, in order."""
    return re.findall(
        r'<li class="pseud blurb group" id="pseud_\d+">\s*<h3[^>]*><a [^>]*>([^<]+)</a>', html
    )


def work_counts(html: str) -> dict[str, int]:
    """{pseud name: the works count shown}."""
    rows = re.findall(
        r'<h3 class="heading"><a [^>]*>([^<]+)</a>.*?<p class="works"><a [^>]*>(\d+) works?</a>',
        html,
        re.S,
    )
    return {name: int(count) for name, count in rows}


def make_admin() -> User:
    admin = make_user("wrangle_admin")
    admin.is_superuser = True
    admin.is_staff = True
    admin.save(update_fields=["is_superuser", "is_staff"])
    return admin


def test_empty_page_has_a_labelled_form_and_links_to_the_other_searches(client: Client) -> None:
    response = client.get(URL)
    html = response.content.decode()
    assert response.status_code == 200
    assert '<div id="main" class="people-search region"' in html
    assert '<form class="directory-search" method="get" action="/people/search"' in html
    for field in ("name", "query", "fandom"):
        assert f'<label for="people_search_{field}">' in html
        assert f'id="people_search_{field}" name="people_search[{field}]"' in html
    assert 'href="/works/search"' in html and 'href="/tags/search"' in html
    assert "Found" not in html


def test_name_matches_word_starts_of_logins_and_pseuds_ignoring_case_and_accents(
    client: Client,
) -> None:
    amelie = make_user("amelie_writes")
    pseud_create(user=amelie, name="Moon Dancer")
    make_user("someone_else")

    for text in ("Amélie", "AMEL", "writ", "amélie WRITES"):
        html = search(client, name=text).content.decode()
        # Both of the user's pseuds: the login matches.
        assert listed(html) == ["amelie_writes", "Moon Dancer"], text
    # "dan" starts the second word of the pseud "Moon Dancer"; the login is shown beside it.
    html = search(client, name="dan").content.decode()
    assert listed(html) == ["Moon Dancer"]
    assert 'href="/users/amelie_writes/pseuds/Moon%20Dancer"' in html
    assert '(<a href="/users/amelie_writes">amelie_writes</a>)' in html
    # The middle of a word is not the start of one.
    assert found(search(client, name="elie").content.decode()) == 0
    assert found(search(client, name="ancer").content.decode()) == 0


def test_query_searches_names_and_profile_text(client: Client) -> None:
    user = make_user("harbour_keeper")
    pseud = user.pseuds.get(is_default=True)
    pseud.description = "I write lighthouse stories and the occasional sea shanty."
    pseud.save(update_fields=["description"])
    make_user("quiet_reader")

    html = search(client, query="Lighthouse shanty").content.decode()
    assert listed(html) == ["harbour_keeper"]
    assert "lighthouse stories" in html
    assert listed(search(client, query="keeper").content.decode()) == ["harbour_keeper"]
    # Every word has to be found somewhere.
    assert found(search(client, query="lighthouse zeppelin").content.decode()) == 0


def test_fandom_finds_creators_through_the_canonical_tag_and_its_synonyms(client: Client) -> None:
    admin = make_admin()
    direct = make_user("direct_writer")
    via_synonym = make_user("synonym_writer")
    elsewhere = make_user("other_fandom_writer")
    make_work(direct, fandoms=["Starfall Saga"])
    make_work(via_synonym, fandoms=["Starfall"])
    make_work(elsewhere, fandoms=["Harbour Tales"])
    canonical = wrangling.tag_make_canonical(actor=admin, tag=Tag.objects.get(name="Starfall Saga"))
    wrangling.tag_make_synonym(
        actor=admin, tag=Tag.objects.get(name="Starfall"), canonical=canonical
    )

    for name in ("Starfall Saga", "starfall saga", "Starfall"):
        html = search(client, fandom=name).content.decode()
        assert listed(html) == ["direct_writer", "synonym_writer"], name
        assert "(1 in Starfall Saga)" in html
    html = search(client, fandom="Starfall Saga, Harbour Tales").content.decode()
    assert listed(html) == ["direct_writer", "other_fandom_writer", "synonym_writer"]
    # Combined with a name.
    html = search(client, fandom="Starfall Saga", name="syn").content.decode()
    assert listed(html) == ["synonym_writer"]


def test_work_counts_follow_what_the_viewer_may_see(client: Client) -> None:
    public = make_user("public_writer")
    locked = make_user("locked_writer")
    drafts = make_user("draft_writer")
    hidden = make_user("hidden_writer")
    make_work(public)
    make_work(public, restricted=True)
    make_work(locked, restricted=True)
    make_work(drafts, post=False)
    Work.objects.filter(pk=make_work(hidden).pk).update(hidden_by_admin=True)

    guest = work_counts(search(client, name="writer").content.decode())
    assert guest == {
        "draft_writer": 0,
        "hidden_writer": 0,
        "locked_writer": 0,
        "public_writer": 1,
    }
    client.force_login(make_user("registered_reader"))
    registered = work_counts(search(client, name="writer").content.decode())
    assert registered == {**guest, "locked_writer": 1, "public_writer": 2}
    # Creators see the same counts as any registered reader: drafts are never listed.
    client.force_login(drafts)
    assert work_counts(search(client, name="draft").content.decode()) == {"draft_writer": 0}


def test_fandom_filter_only_counts_works_the_viewer_may_see(client: Client) -> None:
    make_work(make_user("locked_writer"), restricted=True, fandoms=["Starfall Saga"])
    make_work(make_user("draft_writer"), post=False, fandoms=["Starfall Saga"])
    hidden = make_work(make_user("hidden_writer"), fandoms=["Starfall Saga"])
    Work.objects.filter(pk=hidden.pk).update(hidden_by_admin=True)

    assert found(search(client, fandom="Starfall Saga").content.decode()) == 0
    client.force_login(make_user("registered_reader"))
    html = search(client, fandom="Starfall Saga").content.decode()
    assert listed(html) == ["locked_writer"]


def test_results_are_sorted_by_name_twenty_a_page(client: Client) -> None:
    for n in range(25):
        make_user(f"reader_{n:02d}")
    make_user("Aardvark_reader")

    first = search(client, name="reader").content.decode()
    assert found(first) == 26
    assert listed(first) == ["Aardvark_reader"] + [f"reader_{n:02d}" for n in range(19)]
    assert 'href="?people_search%5Bname%5D=reader&amp;page=2"' in first
    second = search(client, name="reader", page="2").content.decode()
    assert listed(second) == [f"reader_{n:02d}" for n in range(19, 25)]
    # Past the last page but within the cap: an empty page, not an error.
    response = search(client, name="reader", page="3")
    assert response.status_code == 200
    assert listed(response.content.decode()) == []


def test_counting_does_not_query_per_pseud(
    client: Client, django_assert_max_num_queries: Any
) -> None:
    for n in range(20):
        user = make_user(f"busy_writer_{n:02d}")
        make_work(user, fandoms=["Starfall Saga"])
    with django_assert_max_num_queries(6):
        html = search(client, name="busy", fandom="Starfall Saga").content.decode()
    assert len(listed(html)) == 20
    client.force_login(make_user("registered_reader"))
    with django_assert_max_num_queries(8):
        search(client, name="busy")


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"name": "a" * 10_000}, "name", "at most 200 characters"),
        ({"query": "word " * 2_500}, "query", "at most 1000 characters"),
        ({"fandom": "No Such Fandom"}, "fandom", "No fandom called “No Such Fandom” was found."),
        ({"fandom": "x" * 151}, "fandom", "at most 150 characters"),
        ({"name": "nul\x00byte"}, "name", "Null characters are not allowed."),
    ],
)
def test_bad_fields_answer_400_with_the_reason_beside_the_field(
    client: Client, fields: dict[str, str], field: str, message: str
) -> None:
    response = search(client, **fields)
    html = response.content.decode()
    assert response.status_code == 400
    assert f'<ul class="errorlist" id="people_search_{field}_error"><li>' in html
    assert message in html
    assert 'aria-invalid="true"' in html
    assert "Found" not in html


def test_a_non_fandom_tag_is_not_a_fandom(client: Client) -> None:
    make_work(make_user(), freeforms=["Found Family"])
    response = search(client, fandom="Found Family")
    assert response.status_code == 400
    assert "No fandom called “Found Family” was found." in response.content.decode()


@pytest.mark.parametrize("page", ["100000", "0", "-1", "two", "1e3", "²", "9" * 20])
def test_bad_page_numbers_answer_400(client: Client, page: str) -> None:
    make_user("reader_one")
    response = search(client, name="reader", page=page)
    assert response.status_code == 400
    html = response.content.decode()
    assert 'class="error-summary"' in html
    if page == "100000":
        assert f"Search results stop at page {people.MAX_PAGE:,}." in html


def test_an_empty_search_asks_for_something_to_search(client: Client) -> None:
    response = search(client, name="  ", query="", fandom="")
    assert response.status_code == 200
    assert "Enter a name, some words or a fandom" in response.content.decode()


def test_other_methods_are_refused(client: Client) -> None:
    assert client.post(URL, {"people_search[name]": "x"}).status_code == 405


def test_pseuds_without_works_are_listed_with_zero() -> None:
    user = make_user("quiet_one")
    page = people.search_people(user, people.PeopleSearch(name="quiet"))
    assert page.count == 1
    assert [(r.pseud.name, r.work_count, r.fandom_work_count) for r in page.items] == [
        ("quiet_one", 0, None)
    ]
