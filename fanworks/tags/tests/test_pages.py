"""Reader pages of the tag graph: tag pages, /fandoms and the media index."""

import re

import pytest

from fanworks.accounts.models import User
from fanworks.core.testing import make_user, make_work
from fanworks.tags import wrangling
from fanworks.tags.models import Tag, TagType, WorkFilter, tag_url_name
from fanworks.works.models import Work

pytestmark = pytest.mark.django_db

FANDOM = "Starfall Saga"


def make_admin(username: str = "maria_admin") -> User:
    user = make_user(username)
    user.is_superuser = True
    user.is_staff = True
    user.save(update_fields=["is_superuser", "is_staff"])
    return user


def tag(name: str) -> Tag:
    return Tag.objects.get(name=name)


def canonical(admin: User, name: str, tag_type: str | None = None) -> Tag:
    """An existing tag made canonical, or a new canonical tag of `tag_type`."""
    found = Tag.objects.filter(name=name).first()
    if found is None:
        assert tag_type is not None
        found = Tag.objects.create(name=name, type=tag_type)
    return wrangling.tag_make_canonical(actor=admin, tag=found)


def url(name: str, suffix: str = "") -> str:
    return f"/tags/{tag_url_name(name)}{suffix}"


def index_sections(page: str) -> dict[str, str]:
    """The /fandoms page's sections: {heading html: body html}."""
    pattern = r'<h2 id="(?:media-\d+|unwrangled-fandoms)">(.*?)</h2>(.*?)</section>'
    return dict(re.findall(pattern, page, re.S))


def count_of(page: str, name: str) -> int:
    """The "(N)" after a tag's link on an index page."""
    found = re.search(rf">{re.escape(name)}</a> <span class=\"count\">\((\d+)\)</span>", page)
    assert found, f"{name} not listed"
    return int(found.group(1))


@pytest.fixture
def admin() -> User:
    return make_admin()


@pytest.fixture
def graph(admin: User) -> dict[str, Tag]:
    """A small wrangled graph: canonical fandom, characters, a relationship with a synonym,
    and a freeform with a subtag; one work each for the canonical, the synonym and the subtag.
    """
    writer = make_user("writer")
    make_work(
        writer,
        title="Canonical Spelling",
        fandoms=[FANDOM],
        characters=["Kylo Ren", "Hux"],
        freeforms=["Enemies to Lovers"],
    )
    fandom = canonical(admin, FANDOM)
    kylo, hux = canonical(admin, "Kylo Ren"), canonical(admin, "Hux")
    for character in (kylo, hux):
        wrangling.tag_link_parent(actor=admin, child=character, parent=fandom)
    # Characters exist and are canonical now, so the relationship links to them on creation.
    make_work(writer, title="Tagged Canonically", fandoms=[FANDOM], relationships=["Kylo Ren/Hux"])
    make_work(writer, title="Tagged With Synonym", fandoms=[FANDOM], relationships=["Hux/Kylo"])
    make_work(writer, title="Tagged With Subtag", fandoms=[FANDOM], freeforms=["Slow Burn Enemies"])
    ship = canonical(admin, "Kylo Ren/Hux")
    wrangling.tag_link_parent(actor=admin, child=ship, parent=fandom)
    wrangling.tag_make_synonym(actor=admin, tag=tag("Hux/Kylo"), canonical=ship)
    meta = canonical(admin, "Enemies to Lovers")
    sub = canonical(admin, "Slow Burn Enemies")
    wrangling.tag_add_metatag(actor=admin, sub=sub, meta=meta)
    return {"fandom": fandom, "ship": ship, "kylo": kylo, "hux": hux, "meta": meta, "sub": sub}


# ---------------------------------------------------------------------------------------------
# Tag page


def test_tag_page_shows_type_status_synonyms_parents_and_characters(client, graph):
    response = client.get(url("Kylo Ren/Hux"))
    assert response.status_code == 200
    page = response.content.decode()
    assert '<h1 class="heading">Kylo Ren/Hux</h1>' in page
    assert "<strong>Relationship</strong> category" in page
    assert "<strong>canonical</strong>" in page
    # Synonym, parent fandom and the relationship's characters, each linking to its tag page.
    assert "Tags with the same meaning" in page
    assert f'href="{url("Hux/Kylo")}">Hux/Kylo</a>' in page
    assert "Parent Fandoms" in page and f'href="{url(FANDOM)}">{FANDOM}</a>' in page
    assert "Characters in this relationship" in page
    assert f'href="{url("Kylo Ren")}">Kylo Ren</a>' in page
    assert f'href="{url("Hux")}">Hux</a>' in page
    # Works found through the filter table: the canonical spelling and the synonym.
    assert f'<a href="{url("Kylo Ren/Hux", "/works")}">2 works</a>' in page


def test_fandom_page_lists_child_tags_by_type(client, graph):
    page = client.get(url(FANDOM)).content.decode()
    assert '<h2 id="children-character">Characters' in page
    assert '<h2 id="children-relationship">Relationships' in page
    characters = page.split('id="children-character"')[1].split("</section>")[0]
    assert "Kylo Ren" in characters and "Hux" in characters and "Kylo Ren/Hux" not in characters
    assert f'<a href="{url(FANDOM, "/works")}">4 works</a>' in page


def test_metatag_and_subtag_pages_link_each_other(client, graph):
    meta = client.get(url("Enemies to Lovers")).content.decode()
    assert "Subtags" in meta and "Slow Burn Enemies" in meta
    assert f'<a href="{url("Enemies to Lovers", "/works")}">2 works</a>' in meta
    sub = client.get(url("Slow Burn Enemies")).content.decode()
    assert "Metatags" in sub and "Enemies to Lovers" in sub


def test_synonym_page_says_so_and_its_works_page_redirects(client, graph):
    response = client.get(url("Hux/Kylo"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "<strong>synonym</strong> of" in page
    assert f'href="{url("Kylo Ren/Hux")}">Kylo Ren/Hux</a>' in page
    assert f'<a href="{url("Kylo Ren/Hux", "/works")}">2 works in Kylo Ren/Hux</a>' in page
    works = client.get(url("Hux/Kylo", "/works"))
    assert works.status_code == 302 and works["Location"] == url("Kylo Ren/Hux", "/works")


def test_unwrangled_tag_page(client):
    make_work(fandoms=[FANDOM], freeforms=["Tea Ceremonies"])
    page = client.get(url("Tea Ceremonies")).content.decode()
    assert "<strong>not been wrangled</strong>" in page
    assert f'<a href="{url("Tea Ceremonies", "/works")}">1 work</a>' in page


def test_tag_page_404_and_url_escaping(client):
    assert client.get(url("No Such Tag")).status_code == 404
    make_work(relationships=["A.B/C & D?"])
    response = client.get(url("A.B/C & D?"))
    assert response.status_code == 200
    assert "A.B/C &amp; D?" in response.content.decode()


def test_canonical_works_page_finds_synonym_and_subtag_works(client, graph):
    ship = client.get(url("Kylo Ren/Hux", "/works")).content.decode()
    assert "1 - 2 of 2 Works in" in ship
    assert "Tagged Canonically" in ship and "Tagged With Synonym" in ship
    meta = client.get(url("Enemies to Lovers", "/works")).content.decode()
    assert "Canonical Spelling" in meta and "Tagged With Subtag" in meta
    assert "Tagged With Synonym" not in meta


def test_edit_link_only_for_wranglers_of_the_tag(client, admin, graph):
    edit = f'href="{url("Kylo Ren/Hux", "/edit")}"'
    assert edit not in client.get(url("Kylo Ren/Hux")).content.decode()
    client.force_login(make_user("reader"))
    assert edit not in client.get(url("Kylo Ren/Hux")).content.decode()
    wrangler = make_user("wrangler")
    wrangling.wrangler_assign(actor=admin, user=wrangler, fandom=graph["fandom"])
    client.force_login(wrangler)
    assert edit in client.get(url("Kylo Ren/Hux")).content.decode()
    fandom_page = client.get(url(FANDOM)).content.decode()
    assert f'href="{url(FANDOM, "/wrangle")}"' in fandom_page
    client.force_login(admin)
    assert edit in client.get(url("Kylo Ren/Hux")).content.decode()


def test_tag_page_counts_only_visible_works(client, graph):
    writer = User.objects.get(username="writer")
    make_work(writer, fandoms=[FANDOM], relationships=["Hux/Kylo"], restricted=True)
    make_work(writer, fandoms=[FANDOM], relationships=["Hux/Kylo"], post=False)
    hidden = make_work(writer, fandoms=[FANDOM], relationships=["Kylo Ren/Hux"])
    Work.objects.filter(pk=hidden.pk).update(hidden_by_admin=True)
    works_link = f'<a href="{url("Kylo Ren/Hux", "/works")}">'
    assert f"{works_link}2 works</a>" in client.get(url("Kylo Ren/Hux")).content.decode()
    client.force_login(make_user("member"))
    assert f"{works_link}3 works</a>" in client.get(url("Kylo Ren/Hux")).content.decode()


def test_tag_page_query_count_is_bounded(client, admin, graph, django_assert_max_num_queries):
    fandom = graph["fandom"]
    for n in range(15):
        character = canonical(admin, f"Extra {n}", TagType.CHARACTER)
        wrangling.tag_link_parent(actor=admin, child=character, parent=fandom)
        synonym = Tag.objects.create(name=f"Kylo/Hux variant {n}", type=TagType.RELATIONSHIP)
        wrangling.tag_make_synonym(actor=admin, tag=synonym, canonical=graph["ship"])
    with django_assert_max_num_queries(14):
        assert client.get(url(FANDOM)).status_code == 200
    with django_assert_max_num_queries(14):
        assert client.get(url("Kylo Ren/Hux")).status_code == 200
    client.force_login(admin)
    with django_assert_max_num_queries(18):
        assert client.get(url("Kylo Ren/Hux")).status_code == 200


# ---------------------------------------------------------------------------------------------
# /fandoms and the media index


@pytest.fixture
def media_graph(admin: User) -> dict[str, Tag]:
    writer = make_user("writer")
    make_work(writer, fandoms=["Starfall Saga"])
    make_work(writer, fandoms=["Starfall Saga", "Lantern Fleet"])
    make_work(writer, fandoms=["Starfall: The Series"])  # becomes a synonym of Starfall Saga
    make_work(writer, fandoms=["Lantern Fleet"], restricted=True)
    make_work(writer, fandoms=["Lantern Fleet"], post=False)
    make_work(writer, fandoms=["Brand New Fandom"])
    make_work(writer, fandoms=["Brand New Fandom"], restricted=True)
    films = canonical(admin, "Films", TagType.MEDIA)
    books = canonical(admin, "Books", TagType.MEDIA)
    canonical(admin, "Video Games", TagType.MEDIA)
    saga, fleet = canonical(admin, "Starfall Saga"), canonical(admin, "Lantern Fleet")
    wrangling.tag_make_synonym(actor=admin, tag=tag("Starfall: The Series"), canonical=saga)
    wrangling.tag_link_parent(actor=admin, child=saga, parent=films)
    wrangling.tag_link_parent(actor=admin, child=saga, parent=books)
    canonical(admin, "Orphan Canon", TagType.FANDOM)  # canonical fandom without works: not listed
    return {"films": films, "books": books, "saga": saga, "fleet": fleet}


def test_fandom_index_groups_canonical_fandoms_by_media(client, media_graph):
    page = client.get("/fandoms").content.decode()
    sections = index_sections(page)
    films = next(body for heading, body in sections.items() if ">Films</a>" in heading)
    books = next(body for heading, body in sections.items() if ">Books</a>" in heading)
    loose = sections["Uncategorized Fandoms"]
    # The synonym's work counts under its canonical fandom.
    assert count_of(films, "Starfall Saga") == 3 and count_of(books, "Starfall Saga") == 3
    # Guests don't count the restricted work; nobody counts the draft.
    assert count_of(loose, "Lantern Fleet") == 1
    assert "Video Games" not in page and "Orphan Canon" not in page
    assert "Starfall: The Series" not in page
    assert 'href="/media/Films/fandoms"' in page
    assert count_of(sections["Fandoms not yet wrangled"], "Brand New Fandom") == 1

    client.force_login(make_user("member"))
    sections = index_sections(client.get("/fandoms").content.decode())
    assert count_of(sections["Uncategorized Fandoms"], "Lantern Fleet") == 2
    assert count_of(sections["Fandoms not yet wrangled"], "Brand New Fandom") == 2


def test_fandom_index_counts_while_a_refilter_job_runs(client, media_graph):
    from fanworks.core.models import Job
    from fanworks.tags.filters import REFILTER_JOB

    Job.objects.create(kind=REFILTER_JOB, payload={}, total=10)
    # The job hasn't reached these works yet: their filter rows are stale.
    WorkFilter.objects.filter(tag=media_graph["saga"]).delete()
    sections = index_sections(client.get("/fandoms").content.decode())
    assert count_of(sections["Uncategorized Fandoms"], "Lantern Fleet") == 1
    films = next(body for heading, body in sections.items() if ">Films</a>" in heading)
    assert count_of(films, "Starfall Saga") == 3


def test_media_index_and_media_fandoms(client, media_graph):
    page = client.get("/media").content.decode()
    panels = re.findall(r'fandoms">([^<]+)</a></h2>(.*?)</section>', page, re.S)
    by_name = dict(panels)
    assert set(by_name) == {"Books", "Films", "Video Games"}
    assert "1 fandom<" in by_name["Films"] and count_of(by_name["Films"], "Starfall Saga") == 3
    assert "0 fandoms" in by_name["Video Games"]

    listing = client.get("/media/Films/fandoms")
    assert listing.status_code == 200
    body = listing.content.decode()
    assert count_of(body, "Starfall Saga") == 3 and "Lantern Fleet" not in body
    assert client.get("/media/Starfall Saga/fandoms").status_code == 404
    assert client.get("/media/Nothing/fandoms").status_code == 404


def test_fandom_and_media_pages_query_count_is_bounded(
    client, admin, media_graph, django_assert_max_num_queries
):
    writer = User.objects.get(username="writer")
    for n in range(12):
        make_work(writer, fandoms=[f"Fandom {n}"])
        fandom = canonical(admin, f"Fandom {n}")
        wrangling.tag_link_parent(actor=admin, child=fandom, parent=media_graph["films"])
        make_work(writer, fandoms=[f"Loose Fandom {n}"])
    with django_assert_max_num_queries(8):
        assert client.get("/fandoms").status_code == 200
    with django_assert_max_num_queries(8):
        assert client.get("/media").status_code == 200
    with django_assert_max_num_queries(8):
        assert client.get("/media/Films/fandoms").status_code == 200
