import re
import uuid

import pytest

from fanworks.core.testing import PROSE, make_user, make_work
from fanworks.works import actions
from fanworks.works.actions import ChapterData
from fanworks.works.models import Chapter, Work

pytestmark = pytest.mark.django_db


def post_data(user, **overrides):
    data = {
        "title": "Lanterns",
        "pseuds": [str(user.pseuds.get(is_default=True).pk)],
        "rating": "Teen And Up Audiences",
        "warnings": ["No Archive Warnings Apply"],
        "categories": ["Gen"],
        "fandoms": "Tidewater Chronicles",
        "relationships": "Mira & Tomas",
        "characters": "Mira, Tomas",
        "freeforms": "Found Family, Harbour Town",
        "summary": "A summary.",
        "notes": "",
        "endnotes": "",
        "language": "en",
        "expected_chapters": "2",
        "comment_permission": "registered",
        "chapter_title": "Arrival",
        "content": PROSE,
        "creation_key": str(uuid.uuid4()),
        "post": "1",
    }
    data.update(overrides)
    return data


# Posting ------------------------------------------------------------------------------------


def test_guest_is_sent_to_log_in_to_post(client):
    response = client.get("/works/new")
    assert response.status_code == 302 and "/users/login" in response["Location"]


def test_post_a_work_through_the_form(client):
    user = make_user()
    client.force_login(user)
    response = client.post("/works/new", post_data(user))
    work = Work.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/works/{work.pk}"
    assert work.posted and work.title == "Lanterns" and work.expected_chapters == 2
    assert set(work.tags.values_list("name", flat=True)) >= {"Found Family", "Mira & Tomas"}
    page = client.get(f"/works/{work.pk}").content.decode()
    assert "Found Family" in page and "A summary." in page


def test_double_submit_creates_one_work(client):
    user = make_user()
    client.force_login(user)
    data = post_data(user)
    first = client.post("/works/new", data)
    second = client.post("/works/new", data)
    assert Work.objects.count() == 1
    assert first["Location"] == second["Location"]


def test_bad_input_comes_back_with_errors_next_to_fields_and_text_kept(client):
    user = make_user()
    client.force_login(user)
    response = client.post(
        "/works/new", post_data(user, title="", fandoms="", content="My precious words " * 3)
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert 'id="id_title_error"' in page and 'id="id_fandoms_error"' in page
    assert "My precious words" in page
    assert Work.objects.count() == 0


def test_tag_with_forbidden_characters_is_explained(client):
    user = make_user()
    client.force_login(user)
    response = client.post("/works/new", post_data(user, freeforms="ok tag, bad{tag}"))
    assert response.status_code == 400
    assert "contains characters tags cannot use" in response.content.decode()
    assert Work.objects.count() == 0


def test_save_draft_and_preview_then_post(client):
    user = make_user()
    client.force_login(user)
    response = client.post("/works/new", {**post_data(user), "post": "", "preview": "1"})
    del_post = post_data(user)
    del_post.pop("post")
    response = client.post("/works/new", {**del_post, "preview": "1"})
    work = Work.objects.filter(posted=False).get()
    assert response["Location"] == f"/works/{work.pk}/preview"
    preview = client.get(f"/works/{work.pk}/preview").content.decode()
    assert "This work is a draft" in preview and PROSE[:40] in preview
    client.post(f"/works/{work.pk}/post")
    work.refresh_from_db()
    assert work.posted


def test_oversized_request_is_a_4xx_not_a_500(client, settings):
    user = make_user()
    client.force_login(user)
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = client.post("/works/new", post_data(user, content="x" * 5000))
    assert response.status_code == 400
    assert Work.objects.count() == 0


def test_chapter_text_over_the_limit_is_refused_with_a_message(client):
    user = make_user()
    client.force_login(user)
    response = client.post("/works/new", post_data(user, content="x" * 510_001))
    assert response.status_code == 400
    assert "at most 510,000 characters" in response.content.decode()


# Reading and visibility ---------------------------------------------------------------------


def test_work_page_shows_ao3_markup(client):
    work = make_work(summary="Summary here", notes="Some notes", endnotes="The end notes")
    page = client.get(f"/works/{work.pk}").content.decode()
    assert 'class="work meta group' in page
    assert '<dd class="rating tags">' in page and '<dd class="fandom tags">' in page
    assert '<dd class="words">30</dd>' in page and '<dd class="chapters">1/?</dd>' in page
    assert 'class="preface group"' in page and '<h3 class="byline heading">' in page
    assert 'id="work_endnotes"' in page and "The end notes" in page


def test_multi_chapter_work_redirects_to_first_chapter_and_navigates(client):
    work = make_work(expected_chapters=2)
    second = actions.chapter_create(work=work, data=ChapterData(content="Second " * 10), post=True)
    first = work.chapters.get(position=1)
    response = client.get(f"/works/{work.pk}")
    assert response.status_code == 302
    assert response["Location"] == f"/works/{work.pk}/chapters/{first.pk}"
    chapter_one = client.get(response["Location"]).content.decode()
    assert f'href="/works/{work.pk}/chapters/{second.pk}">Next Chapter' in chapter_one
    assert f'href="/works/{work.pk}?view_full_work=true">Entire Work' in chapter_one
    full = client.get(f"/works/{work.pk}?view_full_work=true").content.decode()
    assert 'id="chapter-1"' in full and 'id="chapter-2"' in full
    nav = client.get(f"/works/{work.pk}/navigate").content.decode()
    assert len(re.findall(r'<span class="datetime">\(\d{4}-\d\d-\d\d\)</span>', nav)) == 2
    assert client.get(f"/chapters/{second.pk}").status_code == 200


def test_adult_work_shows_notice_until_reader_agrees(client):
    work = make_work(rating="Explicit")
    notice = client.get(f"/works/{work.pk}")
    assert b"This work could have adult content" in notice.content
    assert PROSE[:30].encode() not in notice.content
    agreed = client.get(f"/works/{work.pk}?view_adult=true")
    assert PROSE[:30].encode() in agreed.content
    assert agreed.cookies["view_adult"].value == "true"
    again = client.get(f"/works/{work.pk}")
    assert PROSE[:30].encode() in again.content


def test_creator_is_not_asked_about_their_own_adult_work(client):
    user = make_user()
    work = make_work(user, rating="Mature")
    client.force_login(user)
    assert PROSE[:30].encode() in client.get(f"/works/{work.pk}").content


def test_restricted_work_sends_guest_to_log_in_and_shows_to_users(client):
    work = make_work(restricted=True, title="Members only")
    response = client.get(f"/works/{work.pk}")
    assert response.status_code == 302
    assert response["Location"].startswith("/users/login?restricted=true&return_to=")
    assert b"Members only" not in client.get("/works").content
    client.force_login(make_user())
    assert client.get(f"/works/{work.pk}").status_code == 200
    assert b"Members only" in client.get("/works").content


def test_drafts_are_404_for_everyone_but_their_creator(client):
    creator = make_user()
    draft = make_work(creator, post=False, title="Secret draft")
    chapter = draft.chapters.get()
    for url in (
        f"/works/{draft.pk}",
        f"/works/{draft.pk}/chapters/{chapter.pk}",
        f"/works/{draft.pk}/navigate",
        f"/chapters/{chapter.pk}",
    ):
        assert client.get(url).status_code == 404
    client.force_login(make_user())
    assert client.get(f"/works/{draft.pk}").status_code == 404
    assert b"Secret draft" not in client.get("/works").content
    client.force_login(creator)
    assert client.get(f"/works/{draft.pk}").status_code == 200
    assert b"Secret draft" not in client.get("/works").content


def test_hidden_work_is_404_for_readers(client):
    work = make_work()
    Work.objects.filter(pk=work.pk).update(hidden_by_admin=True)
    assert client.get(f"/works/{work.pk}").status_code == 404


def test_draft_chapter_of_posted_work_is_hidden_from_readers(client):
    work = make_work()
    draft = actions.chapter_create(work=work, data=ChapterData(content="Unposted " * 5), post=False)
    assert client.get(f"/works/{work.pk}/chapters/{draft.pk}").status_code == 404
    assert b"Unposted" not in client.get(f"/works/{work.pk}").content


def test_missing_work_is_404(client):
    assert client.get("/works/999999").status_code == 404


# Editing --------------------------------------------------------------------------------------


def test_only_creators_may_edit_or_delete(client):
    work = make_work(title="Mine")
    chapter = work.chapters.get()
    client.force_login(make_user())
    for url in (
        f"/works/{work.pk}/edit",
        f"/works/{work.pk}/delete",
        f"/works/{work.pk}/chapters/new",
        f"/works/{work.pk}/chapters/{chapter.pk}/edit",
        f"/works/{work.pk}/chapters/manage",
    ):
        assert client.get(url).status_code == 404
        assert client.post(url, {"title": "Stolen"}).status_code == 404
    work.refresh_from_db()
    assert work.title == "Mine" and Work.objects.filter(pk=work.pk).exists()


def test_stale_chapter_edit_returns_409_keeping_both_texts(client):
    user = make_user()
    work = make_work(user)
    chapter = work.chapters.get()
    client.force_login(user)
    url = f"/works/{work.pk}/chapters/{chapter.pk}/edit"
    form = {"content": "Words from tab one, saved first.", "version": chapter.version}
    assert client.post(url, form).status_code == 302
    stale = client.post(
        url, {"content": "Words from tab two, typed later.", "version": chapter.version}
    )
    assert stale.status_code == 409
    page = stale.content.decode()
    assert "changed somewhere else" in page
    assert "Words from tab two, typed later." in page
    assert "Words from tab one, saved first." in page
    chapter.refresh_from_db()
    assert chapter.content == "Words from tab one, saved first."
    # Saving again from the conflict form is a deliberate overwrite.
    again = client.post(
        url, {"content": "Words from tab two, typed later.", "version": chapter.version}
    )
    assert again.status_code == 302
    chapter.refresh_from_db()
    assert chapter.content == "Words from tab two, typed later."


def test_edit_work_metadata(client):
    user = make_user()
    work = make_work(user)
    client.force_login(user)
    form = client.get(f"/works/{work.pk}/edit").context["form"]
    data = {**form.initial, "title": "Renamed", "version": work.version}
    data["pseuds"] = form.initial["pseuds"]
    response = client.post(f"/works/{work.pk}/edit", data)
    assert response.status_code == 302
    work.refresh_from_db()
    assert work.title == "Renamed" and work.version == 2


def test_add_reorder_and_delete_chapters_through_pages(client):
    user = make_user()
    work = make_work(user)
    client.force_login(user)
    response = client.post(
        f"/works/{work.pk}/chapters/new",
        {
            "content": "The second chapter " * 5,
            "chapter_title": "Two",
            "post": "1",
            "creation_key": str(uuid.uuid4()),
        },
    )
    assert response.status_code == 302
    two = Chapter.objects.get(title="Two")
    one = work.chapters.get(position=1)
    response = client.post(
        f"/works/{work.pk}/chapters/manage", {f"position_{one.pk}": "2", f"position_{two.pk}": "1"}
    )
    assert response.status_code == 302
    two.refresh_from_db()
    assert two.position == 1
    bad = client.post(
        f"/works/{work.pk}/chapters/manage", {f"position_{one.pk}": "1", f"position_{two.pk}": "1"}
    )
    assert bad.status_code == 400
    client.post(f"/works/{work.pk}/chapters/{one.pk}/delete")
    assert list(work.chapters.values_list("title", flat=True)) == ["Two"]


def test_delete_work(client):
    user = make_user()
    work = make_work(user)
    client.force_login(user)
    assert client.post(f"/works/{work.pk}/delete").status_code == 302
    assert not Work.objects.filter(pk=work.pk).exists()


# Listings -------------------------------------------------------------------------------------


def test_listing_query_count_does_not_grow_with_works(client, django_assert_max_num_queries):
    user = make_user()
    for n in range(25):
        make_work(user, title=f"Work {n}", relationships=[f"A{n}/B{n}"])
    with django_assert_max_num_queries(8):
        response = client.get("/works")
    assert response.status_code == 200
    assert response.content.decode().count('class="work blurb group"') == 20
    with django_assert_max_num_queries(10):
        assert client.get("/tags/Tidewater Chronicles/works").status_code == 200
    # The home page also counts fandoms (cached afterwards): a fixed number of queries.
    with django_assert_max_num_queries(12):
        assert client.get("/").status_code == 200


def test_pagination_and_bad_page_numbers(client):
    user = make_user()
    for n in range(21):
        make_work(user, title=f"Work {n}")
    assert b"21 - 21 of 21 Works" in client.get("/works?page=2").content
    assert client.get("/works?page=3").status_code == 404
    assert client.get("/works?page=abc").status_code == 404
    assert client.get("/works?page=-1").status_code == 404


def test_tag_page_lists_works_and_fandom_index_counts_visible_works(client):
    user = make_user()
    make_work(user, fandoms=["Skyward Guild"], relationships=["Ana/Bo"])
    make_work(user, fandoms=["Skyward Guild"], restricted=True)
    make_work(user, fandoms=["Skyward Guild"], post=False)
    page = client.get("/tags/Ana*s*Bo/works").content.decode()
    assert "1 - 1 of 1 Works" in page
    fandoms = client.get("/fandoms").content.decode()
    assert 'Skyward Guild</a> <span class="count">(1)</span>' in fandoms
    assert client.get("/tags/No Such Tag/works").status_code == 404


def test_home_page_shows_recent_works_and_fandoms(client):
    make_work(title="Fresh Work", fandoms=["Lantern Fleet"])
    page = client.get("/").content.decode()
    assert "Fresh Work" in page and "Lantern Fleet" in page


def test_autocomplete_puts_canonical_tags_first(client):
    from fanworks.tags.models import Tag

    make_work(freeforms=["Harbour Town", "Harbour Lights Festival"])
    Tag.objects.filter(name="Harbour Lights Festival").update(canonical=True)
    data = client.get("/autocomplete/tags?type=freeform&term=harb").json()
    assert [r["name"] for r in data["results"]] == ["Harbour Lights Festival", "Harbour Town"]
    assert client.get("/autocomplete/tags?type=bogus&term=x").json() == {"results": []}
