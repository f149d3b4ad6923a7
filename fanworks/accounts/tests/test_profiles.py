"""User, pseud and works pages: what each viewer sees, pagination and query counts."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from fanworks.accounts.models import Pseud
from fanworks.core.testing import make_user, make_work


@pytest.fixture
def mira_with_works(db):
    mira = make_user("mira")
    make_work(mira, title="Open Harbour")
    make_work(mira, title="Members Only Tide", restricted=True)
    make_work(mira, title="Unfinished Draft", post=False)
    return mira


def text(response) -> str:
    return response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/users/mira", "/users/mira/works", "/users/mira/pseuds/mira"])
def test_guests_see_only_public_posted_works(client, mira_with_works, path):
    page = text(client.get(path))
    assert "Open Harbour" in page
    assert "Members Only Tide" not in page
    assert "Unfinished Draft" not in page
    assert "/drafts" not in page


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/users/mira", "/users/mira/works", "/users/mira/pseuds/mira"])
def test_registered_readers_see_restricted_works_but_never_drafts(client, mira_with_works, path):
    client.force_login(make_user("tide"))
    page = text(client.get(path))
    assert "Open Harbour" in page
    assert "Members Only Tide" in page
    assert "Unfinished Draft" not in page
    assert "/drafts" not in page


@pytest.mark.django_db
def test_owner_gets_a_drafts_link_and_page(client, mira_with_works):
    client.force_login(mira_with_works)
    profile = text(client.get("/users/mira"))
    assert 'href="/users/mira/drafts"' in profile
    assert 'href="/users/logout"' in profile
    assert "Unfinished Draft" not in profile  # listings never show drafts
    drafts = client.get("/users/mira/drafts")
    assert drafts.status_code == 200
    assert "Unfinished Draft" in text(drafts)
    assert "Open Harbour" not in text(drafts)


@pytest.mark.django_db
def test_profile_lists_pseuds(client):
    mira = make_user("mira")
    Pseud.objects.create(user=mira, name="Night Owl")
    page = text(client.get("/users/mira"))
    assert 'href="/users/mira/pseuds/mira"' in page
    assert 'href="/users/mira/pseuds/Night%20Owl"' in page


@pytest.mark.django_db
def test_pseud_page_lists_only_that_pseuds_works(client):
    mira = make_user("mira")
    owl = Pseud.objects.create(user=mira, name="Night Owl")
    make_work(mira, title="By Mira")
    make_work(mira, title="By The Owl", pseud_ids=[owl.pk])
    owl_page = text(client.get("/users/mira/pseuds/Night%20Owl"))
    assert "By The Owl" in owl_page and "By Mira" not in owl_page
    mira_page = text(client.get("/users/mira/pseuds/mira"))
    assert "By Mira" in mira_page and "By The Owl" not in mira_page
    works = text(client.get("/users/mira/pseuds/Night%20Owl/works"))
    assert "1 - 1 of 1 Works by Night Owl (mira)" in works


@pytest.mark.django_db
def test_unknown_users_are_404(client):
    assert client.get("/users/nobody").status_code == 404
    assert client.get("/users/nobody/works").status_code == 404
    assert client.get("/users/" + "x" * 300).status_code == 404


@pytest.mark.django_db
def test_user_urls_redirect_to_their_canonical_spelling(client):
    make_user("Mira")
    assert client.get("/users/mira")["Location"] == "/users/Mira"
    assert client.get("/users/MIRA/works?page=1")["Location"] == "/users/Mira/works?page=1"
    assert client.get("/users/Mira").status_code == 200


@pytest.mark.django_db
def test_works_page_heading_and_pagination_match_ao3(client):
    mira = make_user("mira")
    for n in range(23):
        make_work(mira, title=f"Story {n}")
    first = client.get("/users/mira/works")
    html = text(first)
    assert '<div id="main" class="works-index dashboard filtered region"' in html
    assert '<h2 class="heading">1 - 20 of 23 Works by mira</h2>' in html
    assert html.count('class="work blurb group"') == 20
    assert 'title="pagination"' in html
    second = text(client.get("/users/mira/works?page=2"))
    assert '<h2 class="heading">21 - 23 of 23 Works by mira</h2>' in second
    assert second.count('class="work blurb group"') == 3
    assert client.get("/users/mira/works?page=3").status_code == 404
    assert client.get("/users/mira/works?page=abc").status_code == 404


@pytest.mark.django_db
def test_works_page_with_no_works_keeps_the_heading_shape(client):
    make_user("mira")
    html = text(client.get("/users/mira/works"))
    assert '<h2 class="heading">0 - 0 of 0 Works by mira</h2>' in html


@pytest.mark.django_db
def test_works_listing_query_count_does_not_grow_with_works(client, django_assert_max_num_queries):
    mira = make_user("mira")
    client.force_login(make_user("tide"))
    make_work(mira, title="Only One")
    with CaptureQueriesContext(connection) as one:
        client.get("/users/mira/works")
    for n in range(24):
        make_work(mira, title=f"Story {n}", restricted=n % 2 == 0)
    with django_assert_max_num_queries(len(one.captured_queries)):
        response = client.get("/users/mira/works")
    assert text(response).count('class="work blurb group"') == 20
    # 10, plus the header's unread-inbox count, the Subscribe button's state, the works'
    # series ("Part N of", one query for the whole list), their gift recipients ("for X",
    # one query) and, for a logged-in reader, the comments and bookmarks of users they
    # mute, taken out of the counts (one query).
    with django_assert_max_num_queries(15):
        client.get("/users/mira")


@pytest.mark.django_db
def test_profile_page_shows_the_default_pseuds_description_as_bio(client):
    mira = make_user("mira")
    Pseud.objects.filter(user=mira).update(description="Lighthouse keeper & <b>writer</b>.")
    page = client.get("/users/mira/profile")
    assert page.status_code == 200
    html = text(page)
    assert '<div class="bio module">' in html
    assert "Lighthouse keeper &amp; &lt;b&gt;writer&lt;/b&gt;." in html
    assert client.get("/users/nobody/profile").status_code == 404
