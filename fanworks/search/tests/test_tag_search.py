"""Tag search at /tags/search: matching, filters, counts, sorts, pages and bad input."""

import html as html_module
import re
from typing import Any

import pytest
from django.test import Client

from fanworks.accounts.models import User
from fanworks.core.testing import make_user, make_work
from fanworks.search import tag_search
from fanworks.tags import wrangling
from fanworks.tags.actions import index_tag_words
from fanworks.tags.models import Tag, TagType, tag_url_name
from fanworks.works.models import Work

pytestmark = pytest.mark.django_db

URL = "/tags/search"


def search(client: Client, **fields: str) -> Any:
    params = {f"tag_search[{key}]": value for key, value in fields.items() if key != "page"}
    if "page" in fields:
        params["page"] = fields["page"]
    return client.get(URL, params)


def found(html: str) -> int:
    match = re.search(r'<h2 class="heading" id="tags-found">(\d+) Found</h2>', html)
    assert match, html
    return int(match.group(1))


def listed(html: str) -> list[str]:
    """The tag names listed, in order (not the canonical tags of synonyms)."""
    rows = re.findall(r'<li class="tag-result \w+" id="tag_\d+">(.*?)</li>', html, re.S)
    names = [re.search(r'<a class="tag" href="[^"]*">([^<]*)</a>', row) for row in rows]
    return [html_module.unescape(name.group(1)) for name in names if name]


def counts(html: str) -> dict[str, int]:
    rows = re.findall(r'<li class="tag-result \w+" id="tag_\d+">(.*?)</li>', html, re.S)
    result = {}
    for row in rows:
        name = re.search(r'<a class="tag" href="[^"]*">([^<]*)</a>', row)
        count = re.search(r'<span class="count">\((\d+)', row)
        assert name and count, row
        result[html_module.unescape(name.group(1))] = int(count.group(1))
    return result


def new_tag(name: str, tag_type: str = TagType.FREEFORM, **fields: Any) -> Tag:
    tag = Tag.objects.create(name=name, type=tag_type, **fields)
    index_tag_words([tag])
    return tag


@pytest.fixture
def admin() -> User:
    user = make_user("wrangle_admin")
    user.is_superuser = True
    user.is_staff = True
    user.save(update_fields=["is_superuser", "is_staff"])
    return user


def test_empty_page_has_a_labelled_form_and_links_to_the_other_searches(client: Client) -> None:
    response = client.get(URL)
    html = response.content.decode()
    assert response.status_code == 200
    assert '<div id="main" class="tags-search region"' in html
    for field in ("name", "fandoms", "type", "wrangling_status", "sort_column", "sort_direction"):
        assert f'<label for="tag_search_{field}">' in html
        assert f'id="tag_search_{field}" name="tag_search[{field}]"' in html
    assert 'href="/works/search"' in html and 'href="/people/search"' in html
    assert "Found" not in html


def test_name_matches_word_starts_ignoring_case_and_accents(client: Client) -> None:
    new_tag("Amélie Poulain", TagType.CHARACTER)
    new_tag("Kylo Ren/Hux", TagType.RELATIONSHIP)
    new_tag("Renaissance Faire")
    for text in ("amelie", "AMÉL", "poul", "Poulain amé"):
        assert listed(search(client, name=text).content.decode()) == ["Amélie Poulain"], text
    assert listed(search(client, name="ren").content.decode()) == [
        "Kylo Ren/Hux",
        "Renaissance Faire",
    ]
    assert listed(search(client, name="hux kyl").content.decode()) == ["Kylo Ren/Hux"]
    assert found(search(client, name="oulain").content.decode()) == 0


def test_wildcards_match_the_whole_name(client: Client) -> None:
    new_tag("Kylo Ren/Hux", TagType.RELATIONSHIP)
    new_tag("Kylo Ren & Rey", TagType.RELATIONSHIP)
    new_tag("Ben Solo/Hux", TagType.RELATIONSHIP)
    assert listed(search(client, name="kylo*hux").content.decode()) == ["Kylo Ren/Hux"]
    assert listed(search(client, name="*/hux").content.decode()) == ["Ben Solo/Hux", "Kylo Ren/Hux"]
    assert listed(search(client, name="*ren*").content.decode()) == [
        "Kylo Ren & Rey",
        "Kylo Ren/Hux",
    ]
    assert listed(search(client, name="BEN*").content.decode()) == ["Ben Solo/Hux"]
    # Regular-expression characters are plain text.
    assert found(search(client, name="kylo.*").content.decode()) == 0
    # Pieces must not overlap: "ab*ba" needs at least "abba".
    new_tag("Aba", TagType.CHARACTER)
    new_tag("Abba", TagType.CHARACTER)
    assert listed(search(client, name="ab*ba").content.decode()) == ["Abba"]
    # Only wildcards: every tag.
    assert found(search(client, name="**").content.decode()) == Tag.objects.count()


def test_type_filter_uses_ao3_type_names(client: Client) -> None:
    new_tag("Starfall Saga", TagType.FANDOM)
    new_tag("Starfall Captain", TagType.CHARACTER)
    new_tag("Starfall Captain/Mira", TagType.RELATIONSHIP)
    new_tag("Starfall Feelings")
    new_tag("Starfall Unsorted", TagType.UNSORTED)
    expected = {
        "Fandom": ["Starfall Saga"],
        "Character": ["Starfall Captain"],
        "Relationship": ["Starfall Captain/Mira"],
        "Freeform": ["Starfall Feelings"],
        "UnsortedTag": ["Starfall Unsorted"],
    }
    for ao3_type, names in expected.items():
        html = search(client, name="starfall", type=ao3_type).content.decode()
        assert listed(html) == names, ao3_type
    html = search(client, type="Rating").content.decode()
    assert "General Audiences" in listed(html)
    assert '<span class="type">Rating:</span>' in html
    html = search(client, type="ArchiveWarning").content.decode()
    assert "No Archive Warnings Apply" in listed(html)


def test_wrangling_status_filter(client: Client, admin: User) -> None:
    canonical = wrangling.tag_make_canonical(actor=admin, tag=new_tag("Zephyr Canon"))
    wrangling.tag_make_synonym(actor=admin, tag=new_tag("Zephyr Spelling"), canonical=canonical)
    new_tag("Zephyr Loose")
    expected = {
        "canonical": ["Zephyr Canon"],
        "noncanonical": ["Zephyr Loose", "Zephyr Spelling"],
        "synonymous": ["Zephyr Spelling"],
        "canonical_or_synonymous": ["Zephyr Canon", "Zephyr Spelling"],
        "noncanonical_nonsynonymous": ["Zephyr Loose"],
    }
    for status, names in expected.items():
        html = search(client, name="zephyr", wrangling_status=status).content.decode()
        assert listed(html) == names, status


def test_results_mark_canonical_tags_and_name_synonyms(client: Client, admin: User) -> None:
    canonical = wrangling.tag_make_canonical(
        actor=admin, tag=new_tag("Kylo Ren/Hux", TagType.RELATIONSHIP)
    )
    wrangling.tag_make_synonym(
        actor=admin, tag=new_tag("Hux/Kylo Ren", TagType.RELATIONSHIP), canonical=canonical
    )
    html = search(client, name="hux").content.decode()
    link = f'<a class="tag" href="/tags/{tag_url_name("Kylo Ren/Hux")}">Kylo Ren/Hux</a>'
    assert tag_url_name("Kylo Ren/Hux") == "Kylo%20Ren*s*Hux"
    assert f'<span class="canonical">{link}' in html
    assert f'<span class="synonym">(synonym of {link})</span>' in html
    assert '<span class="type">Relationship:</span>' in html


def test_fandoms_filter_finds_linked_and_used_tags(client: Client, admin: User) -> None:
    writer = make_user("writer")
    make_work(writer, fandoms=["Starfall Saga"], freeforms=["Ship Battles"])
    make_work(writer, fandoms=["Harbour Tales"], freeforms=["Sea Shanties"])
    fandom = wrangling.tag_make_canonical(actor=admin, tag=Tag.objects.get(name="Starfall Saga"))
    wrangling.tag_make_synonym(
        actor=admin, tag=new_tag("Starfall", TagType.FANDOM), canonical=fandom
    )
    captain = wrangling.tag_make_canonical(actor=admin, tag=new_tag("Captain", TagType.CHARACTER))
    wrangling.tag_link_parent(actor=admin, child=captain, parent=fandom)
    wrangling.tag_make_synonym(
        actor=admin, tag=new_tag("The Captain", TagType.CHARACTER), canonical=captain
    )

    for name in ("Starfall Saga", "starfall", "STARFALL SAGA, "):
        html = search(client, fandoms=name, type="Freeform").content.decode()
        assert listed(html) == ["Ship Battles"], name
        html = search(client, fandoms=name, type="Character").content.decode()
        assert listed(html) == ["Captain", "The Captain"], name
    html = search(client, fandoms="Starfall Saga, Harbour Tales", type="Freeform").content.decode()
    assert listed(html) == ["Sea Shanties", "Ship Battles"]


def test_fandoms_filter_ignores_works_the_viewer_may_not_see(client: Client) -> None:
    writer = make_user("writer")
    make_work(writer, fandoms=["Starfall Saga"], freeforms=["Locked Tag"], restricted=True)
    make_work(writer, fandoms=["Starfall Saga"], freeforms=["Draft Tag"], post=False)
    html = search(client, fandoms="Starfall Saga", type="Freeform").content.decode()
    assert found(html) == 0
    client.force_login(make_user("reader"))
    html = search(client, fandoms="Starfall Saga", type="Freeform").content.decode()
    assert listed(html) == ["Locked Tag"]


def test_counts_are_works_the_viewer_may_see(client: Client, admin: User) -> None:
    writer = make_user("writer")
    make_work(writer, freeforms=["Hurt/Comfort"])
    make_work(writer, freeforms=["Hurt and Comfort"])
    make_work(writer, freeforms=["Hurt/Comfort"], restricted=True)
    make_work(writer, freeforms=["Hurt/Comfort"], post=False)
    hidden = make_work(writer, freeforms=["Hurt/Comfort"])
    Work.objects.filter(pk=hidden.pk).update(hidden_by_admin=True)
    canonical = wrangling.tag_make_canonical(actor=admin, tag=Tag.objects.get(name="Hurt/Comfort"))
    wrangling.tag_make_synonym(
        actor=admin, tag=Tag.objects.get(name="Hurt and Comfort"), canonical=canonical
    )
    make_work(writer, freeforms=["Hurt Feelings"], restricted=True)

    # The canonical tag counts its synonym's work too; a synonym counts its own uses.
    guest = counts(search(client, name="hurt").content.decode())
    assert guest == {"Hurt and Comfort": 1, "Hurt Feelings": 0, "Hurt/Comfort": 2}
    client.force_login(make_user("reader"))
    registered = counts(search(client, name="hurt").content.decode())
    assert registered == {"Hurt and Comfort": 1, "Hurt Feelings": 1, "Hurt/Comfort": 3}
    # Sorting by uses sorts by the same numbers.
    html = search(client, name="hurt", sort_column="uses").content.decode()
    assert listed(html) == ["Hurt/Comfort", "Hurt and Comfort", "Hurt Feelings"]
    assert counts(html) == registered


def test_sorts(client: Client) -> None:
    writer = make_user("writer")
    for name in ("Bravo Tag", "alpha tag", "Charlie Tag"):
        new_tag(name)
    make_work(writer, freeforms=["Charlie Tag"])
    make_work(writer, freeforms=["Charlie Tag", "alpha tag"])

    def names(**fields: str) -> list[str]:
        return listed(search(client, name="tag", **fields).content.decode())

    assert names() == ["alpha tag", "Bravo Tag", "Charlie Tag"]
    assert names(sort_direction="desc") == ["Charlie Tag", "Bravo Tag", "alpha tag"]
    # Newest first unless asked otherwise.
    assert names(sort_column="created_at") == ["Charlie Tag", "alpha tag", "Bravo Tag"]
    assert names(sort_column="created_at", sort_direction="asc") == [
        "Bravo Tag",
        "alpha tag",
        "Charlie Tag",
    ]
    assert names(sort_column="uses") == ["Charlie Tag", "alpha tag", "Bravo Tag"]
    assert names(sort_column="uses", sort_direction="asc") == [
        "Bravo Tag",
        "alpha tag",
        "Charlie Tag",
    ]


def test_fifty_a_page(client: Client) -> None:
    for n in range(55):
        new_tag(f"Paged {n:02d}")
    first = search(client, name="paged").content.decode()
    assert found(first) == 55
    assert listed(first) == [f"Paged {n:02d}" for n in range(50)]
    assert 'href="?tag_search%5Bname%5D=paged&amp;page=2"' in first
    second = search(client, name="paged", page="2").content.decode()
    assert listed(second) == [f"Paged {n:02d}" for n in range(50, 55)]
    response = search(client, name="paged", page="3")
    assert response.status_code == 200 and listed(response.content.decode()) == []


def test_a_page_of_results_costs_a_fixed_number_of_queries(
    client: Client, admin: User, django_assert_max_num_queries: Any
) -> None:
    writer = make_user("writer")
    fandom = wrangling.tag_make_canonical(actor=admin, tag=new_tag("Big Fandom", TagType.FANDOM))
    for n in range(60):
        tag = new_tag(f"Counted {n:02d}", canonical=n % 2 == 0)
        if n % 3 == 0:
            wrangling.tag_link_parent(actor=admin, child=tag, parent=fandom)
    make_work(writer, fandoms=["Big Fandom"], freeforms=[f"Counted {n:02d}" for n in range(10)])
    # A name search: count, page, two grouped counts (+ the re-filter check); sorting by uses
    # counts inside the page query; a fandom adds its lookup and its tags (two queries).
    for fields, most in (
        ({"name": "counted"}, 5),
        ({"name": "counted", "sort_column": "uses"}, 3),
        ({"fandoms": "Big Fandom", "type": "Freeform", "wrangling_status": "canonical"}, 8),
    ):
        with django_assert_max_num_queries(most):
            html = search(client, **fields).content.decode()
        assert found(html) > 0


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"type": "Banana"}, "type", "That is not one of the choices."),
        ({"type": "fandom"}, "type", "That is not one of the choices."),
        ({"wrangling_status": "wrangled"}, "wrangling_status", "That is not one of the choices."),
        ({"sort_column": "title"}, "sort_column", "That is not one of the choices."),
        ({"sort_direction": "up"}, "sort_direction", "That is not one of the choices."),
        ({"name": "a" * 10_000}, "name", "at most 150 characters"),
        ({"name": "a*b*c*d*e*f"}, "name", "at most 4 * wildcards"),
        ({"fandoms": "No Such Fandom"}, "fandoms", "No fandom called “No Such Fandom” was found."),
        ({"fandoms": ",".join(f"F{n}" for n in range(11))}, "fandoms", "at most 10 fandoms"),
        ({"name": "nul\x00"}, "name", "Null characters are not allowed."),
    ],
)
def test_bad_fields_answer_400_with_the_reason_beside_the_field(
    client: Client, fields: dict[str, str], field: str, message: str
) -> None:
    response = search(client, **fields)
    html = response.content.decode()
    assert response.status_code == 400
    assert f'<ul class="errorlist" id="tag_search_{field}_error"><li>' in html
    assert message in html
    assert "Found" not in html


@pytest.mark.parametrize("page", ["100000", "0", "abc", "9" * 30])
def test_bad_page_numbers_answer_400(client: Client, page: str) -> None:
    response = search(client, name="general", page=page)
    assert response.status_code == 400
    html = response.content.decode()
    assert 'class="error-summary"' in html
    if page == "100000":
        assert f"Search results stop at page {tag_search.MAX_PAGE:,}." in html


def test_an_empty_search_lists_every_tag(client: Client) -> None:
    html = search(client, name="").content.decode()
    assert found(html) == Tag.objects.count() > 0


def test_tag_pages_still_answer_beside_the_search(client: Client) -> None:
    """/tags/search is the search; other names still reach tag pages."""
    new_tag("Searching", TagType.FREEFORM)
    assert client.get("/tags/Searching").status_code == 200
