"""Bookmarks: made through the work page's form, one per reader and work, private ones seen
only by their owner, counted on the work when public; bad input is refused beside its field
with nothing lost and nothing written."""

import pytest
from django.test import Client

from fanworks.accounts.actions import pseud_create
from fanworks.core.testing import make_user, make_work
from fanworks.engagement.actions import BookmarkData, bookmark_save
from fanworks.engagement.models import (
    MAX_BOOKMARK_NOTES_LENGTH,
    MAX_BOOKMARK_TAGS,
    Bookmark,
    BookmarkTag,
    ExternalWork,
)
from fanworks.search.models import SearchOutbox
from fanworks.tags.actions import tags_find_or_create
from fanworks.tags.models import Tag, TagType
from fanworks.works.models import Work
from fanworks.works.tests.series_helpers import series_of

pytestmark = pytest.mark.django_db


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def post_bookmark(client: Client, work: Work, **fields: str):
    data = {f"bookmark[{key}]": value for key, value in fields.items()}
    return client.post(f"/works/{work.pk}/bookmarks", data)


def count(work: Work) -> int:
    work.refresh_from_db()
    assert work.bookmark_count == Bookmark.objects.filter(work=work, private=False).count()
    return work.bookmark_count


def snapshot() -> tuple:
    """Everything a refused bookmark request must leave as it was."""
    return (
        list(Bookmark.objects.order_by("pk").values()),
        list(BookmarkTag.objects.order_by("pk").values_list("bookmark_id", "tag_id")),
        list(ExternalWork.objects.order_by("pk").values()),
        list(Work.objects.order_by("pk").values_list("pk", "bookmark_count")),
        Tag.objects.count(),
    )


def test_a_reader_bookmarks_a_work_with_notes_tags_and_rec() -> None:
    work = make_work(make_user())
    client = logged_in(make_user("bea"))
    queued = SearchOutbox.objects.filter(work_id=work.pk).count()
    response = post_bookmark(
        client,
        work,
        notes="So <b>good</b><script>alert(1)</script>",
        tag_string="comfort read, slow burn",
        rec="1",
    )
    bookmark = Bookmark.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/bookmarks/{bookmark.pk}"
    assert bookmark.notes == "So <b>good</b><script>alert(1)</script>"
    assert bookmark.notes_html == "<p>So <b>good</b></p>"
    assert bookmark.sanitizer_version >= 1
    assert bookmark.rec and not bookmark.private
    assert sorted(bookmark.tags.values_list("name", flat=True)) == ["comfort read", "slow burn"]
    # New bookmarker tags go to the wranglers as unsorted tags.
    assert set(bookmark.tags.values_list("type", flat=True)) == {TagType.UNSORTED}
    assert count(work) == 1
    assert SearchOutbox.objects.filter(work_id=work.pk).count() == queued + 1

    page = client.get(f"/bookmarks/{bookmark.pk}").content.decode()
    assert "So <b>good</b>" in page and "alert(1)" not in page
    listing = Client().get("/users/bea/bookmarks").content.decode()
    assert "1 - 1 of 1 Bookmarks by bea" in listing
    assert '<ol class="bookmark index group">' in listing
    assert f'<a href="/works/{work.pk}">Harbour Lights</a>' in listing
    assert listing.count('role="article"') == 1  # the work header sits inside the bookmark
    work_page = client.get(f"/works/{work.pk}").content.decode()
    assert f'<dd class="bookmarks"><a href="/works/{work.pk}/bookmarks">1</a></dd>' in work_page
    assert f'action="/bookmarks/{bookmark.pk}/edit"' in work_page  # AO3 clients: bookmarked
    assert 'id="bookmark_tag_string"' in work_page and "comfort read, slow burn" in work_page


def test_the_work_page_offers_the_form_to_readers_only() -> None:
    work = make_work(make_user())
    guest = Client().get(f"/works/{work.pk}").content.decode()
    assert "bookmark_notes" not in guest
    reader = logged_in(make_user()).get(f"/works/{work.pk}").content.decode()
    for marker in (
        f'action="/works/{work.pk}/bookmarks"',
        'id="bookmark_notes" name="bookmark[notes]"',
        'id="bookmark_tag_string" name="bookmark[tag_string]"',
        'id="bookmark_private" name="bookmark[private]"',
        'id="bookmark_rec" name="bookmark[rec]"',
    ):
        assert marker in reader, marker
    assert 'class="bookmarks"' not in reader  # no count shown while there are none


def test_a_double_submit_makes_one_bookmark_holding_the_last_values() -> None:
    work = make_work(make_user())
    client = logged_in(make_user())
    post_bookmark(client, work, notes="first", tag_string="a, b")
    post_bookmark(client, work, notes="second", tag_string="b, c", private="1")
    bookmark = Bookmark.objects.get()
    assert bookmark.notes == "second" and bookmark.private
    # "c" is new, and the bookmark private: it stays a name only its owner sees.
    assert list(bookmark.tags.values_list("name", flat=True)) == ["b"]
    assert bookmark.private_tag_names == "c"
    assert count(work) == 0  # it became private


def test_privacy_changes_move_the_public_count() -> None:
    work = make_work(make_user())
    owner = make_user()
    client = logged_in(owner)
    post_bookmark(client, work, private="1")
    bookmark = Bookmark.objects.get()
    assert count(work) == 0
    response = client.post(f"/bookmarks/{bookmark.pk}/edit", {"bookmark[notes]": "now public"})
    assert response.status_code == 302
    assert count(work) == 1
    client.post(f"/bookmarks/{bookmark.pk}/edit", {"bookmark[private]": "1"})
    assert count(work) == 0
    client.post(f"/bookmarks/{bookmark.pk}/edit", {})
    assert count(work) == 1
    assert client.post(f"/bookmarks/{bookmark.pk}/delete").status_code == 302
    assert not Bookmark.objects.exists()
    assert count(work) == 0
    # A second delete (double click) finds nothing and changes nothing.
    assert client.post(f"/bookmarks/{bookmark.pk}/delete").status_code == 404
    assert count(work) == 0


def test_private_bookmarks_are_seen_by_their_owner_only() -> None:
    creator = make_user("maker")
    work = make_work(creator)
    owner = make_user("secret")
    # An existing tag (a new one would stay a private name; see the next test).
    tags_find_or_create(names=["privtag"], tag_type=TagType.FREEFORM)
    bookmark_save(
        user=owner,
        pseud=owner.pseuds.get(),
        data=BookmarkData(notes="hidden note", tag_names=["privtag"], private=True),
        work=work,
    )
    admin = make_user("boss")
    admin.is_superuser = True
    admin.save()
    for client in (Client(), logged_in(creator), logged_in(make_user()), logged_in(admin)):
        assert client.get(f"/bookmarks/{Bookmark.objects.get().pk}").status_code == 404
        for url in ("/users/secret/bookmarks", f"/works/{work.pk}/bookmarks", "/bookmarks"):
            page = client.get(url).content.decode()
            assert "hidden note" not in page and "privtag" not in page, url
            assert "No bookmarks yet" in page, url
        filtered = client.get(
            "/bookmarks", {"bookmark_search[other_bookmark_tag_names]": "privtag"}
        ).content.decode()
        assert "hidden note" not in filtered and "No bookmarks found" in filtered
        work_page = client.get(f"/works/{work.pk}").content.decode()
        assert 'class="bookmarks"' not in work_page
    assert Bookmark.objects.get().tags.get().name == "privtag"
    mine = logged_in(owner).get("/users/secret/bookmarks").content.decode()
    assert "hidden note" in mine and "1 - 1 of 1 Bookmarks by secret" in mine
    assert 'title="Private Bookmark"' in mine
    assert count(work) == 0


def test_a_bookmark_can_be_credited_to_another_of_ones_pseuds_only() -> None:
    work = make_work(make_user())
    reader = make_user("multi")
    other = pseud_create(user=reader, name="Other Name", description="")
    stranger = make_user()
    client = logged_in(reader)
    before = snapshot()
    for bad in ("abc", str(stranger.pseuds.get().pk), "9" * 40, "-1"):
        response = post_bookmark(client, work, notes="keep me", pseud_id=bad)
        assert response.status_code == 400, bad
        page = response.content.decode()
        assert "Please choose one of your own pseuds." in page
        assert "keep me" in page
    assert snapshot() == before
    assert post_bookmark(client, work, pseud_id=str(other.pk)).status_code == 302
    assert Bookmark.objects.get().pseud == other
    listing = Client().get("/users/multi/bookmarks").content.decode()
    assert "Other Name (multi)" in listing


def test_bad_notes_and_tags_come_back_beside_their_field_and_change_nothing() -> None:
    work = make_work(make_user())
    client = logged_in(make_user())
    before = snapshot()
    cases = [
        ({"notes": "x" * (MAX_BOOKMARK_NOTES_LENGTH + 1), "tag_string": "kept tag"}, "kept tag"),
        (
            {"tag_string": ", ".join(f"t{n}" for n in range(MAX_BOOKMARK_TAGS + 1))},
            f"Bookmarks can have at most {MAX_BOOKMARK_TAGS} tags",
        ),
        ({"tag_string": "bad<tag", "notes": "kept notes"}, "contains characters tags cannot use"),
        ({"tag_string": "y" * 151}, "tags can be at most 150"),
        ({"notes": "<div>" * 600 + "deep"}, "nested more than 512 levels"),
        ({"tag_string": "z" * 20_001}, "Please keep the tags under"),
        ({"notes": "nul\x00byte"}, "Null characters are not allowed."),
        ({"tag_string": "nul\x00tag"}, "Null characters are not allowed."),
    ]
    for fields, expected in cases:
        response = post_bookmark(client, work, **fields)
        assert response.status_code == 400, fields
        page = response.content.decode()
        assert expected in page, expected
        assert 'class="error"' in page
    page = post_bookmark(client, work, notes="kept notes", tag_string="bad<tag").content.decode()
    assert "kept notes" in page and "bad&lt;tag" in page
    assert snapshot() == before


def test_ids_that_are_not_rows_are_missing_not_errors() -> None:
    client = logged_in(make_user())
    huge = "9" * 30
    for url in (
        f"/bookmarks/{huge}",
        f"/bookmarks/{huge}/edit",
        f"/works/{huge}/bookmarks",
        f"/external_works/{huge}",
        "/bookmarks/0",
        "/users/nobody_here/bookmarks",
    ):
        assert client.get(url).status_code == 404, url
    assert client.get("/users/a%00b/bookmarks").status_code == 400  # no name holds a NUL
    assert client.post(f"/works/{huge}/bookmarks").status_code == 404
    assert client.post(f"/bookmarks/{huge}/delete").status_code == 404
    assert client.get("/bookmarks", {"page": "x"}).status_code == 400
    assert client.get("/bookmarks", {"page": "99"}).status_code == 404
    odd = client.get("/bookmarks", {"include_bookmark_search[tag_ids][]": ["²", "x", "-1"]})
    assert odd.status_code == 200
    nul = client.get("/bookmarks", {"bookmark_search[other_bookmark_tag_names]": "a\x00b"})
    assert nul.status_code == 200
    assert "No tag called" in nul.content.decode()
    too_many = {"include_bookmark_search[tag_ids][]": [str(n) for n in range(1, 60)]}
    response = client.get("/bookmarks", too_many)
    assert response.status_code == 400
    assert "at most 50 tags" in response.content.decode()


def test_editing_keeps_what_was_typed_when_refused() -> None:
    work = make_work(make_user())
    owner = make_user()
    client = logged_in(owner)
    post_bookmark(client, work, notes="original", tag_string="one")
    bookmark = Bookmark.objects.get()
    form = client.get(f"/bookmarks/{bookmark.pk}/edit").content.decode()
    assert "original" in form and 'value="one"' in form
    before = snapshot()
    response = client.post(
        f"/bookmarks/{bookmark.pk}/edit",
        {"bookmark[notes]": "changed", "bookmark[tag_string]": "x" * 200},
    )
    assert response.status_code == 400
    assert "changed" in response.content.decode()
    assert snapshot() == before


def test_bookmarker_tags_reuse_existing_tags_of_any_type() -> None:
    work = make_work(make_user(), freeforms=["Hurt/Comfort"])
    client = logged_in(make_user())
    post_bookmark(client, work, tag_string="hurt/comfort, Tidewater Chronicles, brand new")
    tags = {tag.name: tag.type for tag in Bookmark.objects.get().tags.all()}
    assert tags == {
        "Hurt/Comfort": TagType.FREEFORM,
        "Tidewater Chronicles": TagType.FANDOM,
        "brand new": TagType.UNSORTED,
    }


def test_guests_are_sent_to_log_in_and_get_only_is_a_listing() -> None:
    work = make_work(make_user())
    before = snapshot()
    response = post_bookmark(Client(), work, notes="x")
    assert response.status_code == 302 and response["Location"].startswith("/users/login")
    for url in (f"/works/{work.pk}/bookmarks/new", "/external_works/new"):
        assert Client().get(url)["Location"].startswith("/users/login")
    assert snapshot() == before
    assert Client().get(f"/works/{work.pk}/bookmarks").status_code == 200


# ---------------------------------------------------------------------------------------------
# External works


EXTERNAL_FIELDS = {"url", "title", "creator", "summary", "fandoms", "rating"}


def post_external(client: Client, **fields: str):
    data = {}
    for key, value in fields.items():
        prefix = (
            "external_work"
            if key in {"url", "title", "creator", "summary", "fandoms", "rating"}
            else "bookmark"
        )
        data[f"{prefix}[{key}]"] = value
    return client.post("/external_works/new", data)


def test_a_reader_bookmarks_an_external_work_and_it_gets_its_own_page() -> None:
    client = logged_in(make_user("ext"))
    response = post_external(
        client,
        url="HTTPS://Example.ORG/story/1",
        title="Far Away",
        creator="someone",
        summary="A <i>summary</i>",
        fandoms="Elsewhere",
        rating="Mature",
        notes="worth it",
        tag_string="offsite",
        rec="1",
    )
    assert response.status_code == 302
    external = ExternalWork.objects.get()
    assert external.url == "https://example.org/story/1"
    assert external.summary_html == "<p>A <i>summary</i></p>"
    bookmark = Bookmark.objects.get()
    assert bookmark.external_work == external and bookmark.work is None
    page = Client().get(f"/external_works/{external.pk}").content.decode()
    assert "Far Away" in page and "someone" in page and "worth it" in page
    assert 'href="https://example.org/story/1"' in page
    listing = Client().get("/users/ext/bookmarks").content.decode()
    assert "[external work]" in listing and "1 - 1 of 1 Bookmarks by ext" in listing

    # Another reader bookmarking the same address shares the external work.
    post_external(
        logged_in(make_user()), url="https://example.org/story/1", title="Other", creator="x"
    )
    assert ExternalWork.objects.count() == 1 and Bookmark.objects.count() == 2


def test_bad_external_works_are_refused_with_everything_kept() -> None:
    client = logged_in(make_user())
    before = snapshot()
    ok = {"url": "https://example.org/ok", "title": "T", "creator": "C"}
    cases = [
        ({**ok, "url": "javascript:alert(1)"}, "starting with http"),
        ({**ok, "url": "ftp://example.org/x"}, "starting with http"),
        ({**ok, "url": "https://"}, "starting with http"),
        ({**ok, "url": "https://example.org/" + "a" * 2000}, "at most 2,000"),
        ({**ok, "title": ""}, "Please enter a title."),
        ({**ok, "creator": ""}, "Please enter the creator"),
        ({**ok, "rating": "Bad"}, "Please choose a rating"),
        ({**ok, "title": "t" * 256}, "at most 255 characters"),
        ({**ok, "notes": "n" * 5001}, "Notes must be at most"),
    ]
    for fields, expected in cases:
        response = post_external(client, **{"notes": "my typed notes", **fields})
        assert response.status_code == 400, fields
        page = response.content.decode()
        assert expected in page, expected
        if len(fields.get("notes", "")) < 100:
            assert "my typed notes" in page
    assert snapshot() == before


def test_actions_on_a_bookmark_deleted_meanwhile_change_nothing() -> None:
    from fanworks.engagement.actions import bookmark_delete, bookmark_update

    work = make_work(make_user())
    reader = make_user()
    bookmark = bookmark_save(
        user=reader, pseud=reader.pseuds.get(), data=BookmarkData(notes="x"), work=work
    )
    assert bookmark_delete(bookmark=bookmark) is True
    before = snapshot()
    assert bookmark_delete(bookmark=bookmark) is False
    with pytest.raises(Bookmark.DoesNotExist):
        bookmark_update(bookmark=bookmark, pseud=reader.pseuds.get(), data=BookmarkData())
    assert snapshot() == before
    assert count(work) == 0


def test_an_external_bookmark_is_edited_like_any_other() -> None:
    reader = make_user("editor")
    client = logged_in(reader)
    post_external(client, url="https://example.org/e", title="Away", creator="C", notes="old")
    bookmark = Bookmark.objects.get()
    form = client.get(f"/bookmarks/{bookmark.pk}/edit").content.decode()
    assert "Edit Bookmark for" in form and "Away" in form and "old" in form
    response = client.post(
        f"/bookmarks/{bookmark.pk}/edit", {"bookmark[notes]": "new", "bookmark[rec]": "1"}
    )
    assert response.status_code == 302
    bookmark.refresh_from_db()
    assert bookmark.notes == "new" and bookmark.rec
    assert client.get(f"/bookmarks/{bookmark.pk}/delete").status_code == 200
    assert client.post(f"/bookmarks/{bookmark.pk}/delete")["Location"] == "/users/editor/bookmarks"
    assert not Bookmark.objects.exists() and ExternalWork.objects.count() == 1


def test_a_private_bookmarks_new_tag_names_are_not_published_until_it_is_public() -> None:
    work = make_work(make_user(), freeforms=["Known Tag"])
    owner = make_user("keeper")
    client = logged_in(owner)
    post_bookmark(client, work, tag_string="Known Tag, zzsecretzz", private="1")
    bookmark = Bookmark.objects.get()
    assert list(bookmark.tags.values_list("name", flat=True)) == ["Known Tag"]
    assert bookmark.private_tag_names == "zzsecretzz"
    assert not Tag.objects.filter(name="zzsecretzz").exists()
    assert Client().get("/tags/zzsecretzz").status_code == 404
    for url, params in (
        ("/autocomplete/tags", {"type": "unsorted", "term": "zzsec"}),
        ("/users/keeper/bookmarks", {}),
    ):
        assert "zzsecretzz" not in Client().get(url, params).content.decode(), url
    assert "zzsecretzz" in client.get("/users/keeper/bookmarks").content.decode()
    edit = client.get(f"/bookmarks/{bookmark.pk}/edit").content.decode()
    assert 'value="Known Tag, zzsecretzz"' in edit
    # Made public, the names become tags like any bookmark's.
    client.post(f"/bookmarks/{bookmark.pk}/edit", {"bookmark[tag_string]": "Known Tag, zzsecretzz"})
    bookmark.refresh_from_db()
    assert bookmark.private_tag_names == ""
    assert sorted(bookmark.tags.values_list("name", flat=True)) == ["Known Tag", "zzsecretzz"]
    assert count(work) == 1


def test_an_external_work_bookmarked_only_privately_is_not_shown_to_others() -> None:
    owner = make_user()
    client = logged_in(owner)
    post_external(client, url="https://example.org/quiet", title="Quiet", creator="C", private="1")
    external = ExternalWork.objects.get()
    assert client.get(f"/external_works/{external.pk}").status_code == 200
    for other in (Client(), logged_in(make_user())):
        assert other.get(f"/external_works/{external.pk}").status_code == 404
    post_external(logged_in(make_user()), url="https://example.org/quiet", title="Q", creator="C")
    assert Client().get(f"/external_works/{external.pk}").status_code == 200


def test_part_numbers_in_bookmark_listings_count_what_the_reader_may_see() -> None:
    writer, reader = make_user("tidewriter"), make_user("tidereader")
    hidden_first = make_work(writer, title="Members Only Part", restricted=True)
    second = make_work(writer, title="Open Part")
    series_of(writer, hidden_first, second)
    bookmark_save(
        user=reader, pseud=reader.pseuds.get(is_default=True), work=second, data=BookmarkData()
    )
    guest_page = Client().get("/bookmarks").content.decode()
    member = Client()
    member.force_login(reader)
    member_page = member.get("/bookmarks").content.decode()
    # A guest cannot see the restricted first part, so the open one is their part 1.
    assert "Part <strong>1</strong>" in guest_page
    assert "Part <strong>2</strong>" in member_page
