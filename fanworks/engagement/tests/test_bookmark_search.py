"""Filtering bookmarks by the work's tags (through the filter table: synonyms and subtags
count) and by the bookmarker's tags (canonical, synonym and subtag aware), recs, notes and
sort; private and muted bookmarks never show up in results, counts or facets."""

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from fanworks.accounts.actions import mute_user
from fanworks.core.testing import make_user, make_work
from fanworks.engagement.actions import BookmarkData, bookmark_save
from fanworks.engagement.bookmark_search import BookmarkSearch, matching, search
from fanworks.engagement.models import Bookmark
from fanworks.tags import wrangling
from fanworks.tags.actions import tags_find_or_create
from fanworks.tags.models import Tag, TagType

pytestmark = pytest.mark.django_db


def canonical(admin, tag_type, name):
    (tag,) = tags_find_or_create(names=[name], tag_type=tag_type)
    return wrangling.tag_make_canonical(actor=admin, tag=tag)


def synonym(admin, tag_type, name, of):
    (tag,) = tags_find_or_create(names=[name], tag_type=tag_type)
    return wrangling.tag_make_synonym(actor=admin, tag=tag, canonical=of)


def mark(user, work, *, notes="", tags=(), rec=False, private=False, days_ago=0) -> Bookmark:
    bookmark = bookmark_save(
        user=user,
        pseud=user.pseuds.get(),
        data=BookmarkData(notes=notes, tag_names=list(tags), rec=rec, private=private),
        work=work,
    )
    when = timezone.now() - timedelta(days=days_ago)
    Bookmark.objects.filter(pk=bookmark.pk).update(created_at=when)
    return bookmark


def wrangled_tags() -> dict[str, Any]:
    """A canonical character with a synonym and a subtag ("Kira Vale", "Kira V.", "Young Kira
    Vale") and the same for a bookmarker tag ("Favourites", "Faves", "Comfort Faves"), made
    by an admin (also returned)."""
    admin = make_user("wrangler")
    admin.is_superuser = True
    admin.save()
    kira = canonical(admin, TagType.CHARACTER, "Kira Vale")
    synonym(admin, TagType.CHARACTER, "Kira V.", kira)
    young = canonical(admin, TagType.CHARACTER, "Young Kira Vale")
    wrangling.tag_add_metatag(actor=admin, sub=young, meta=kira)
    fave = canonical(admin, TagType.FREEFORM, "Favourites")
    synonym(admin, TagType.FREEFORM, "Faves", fave)
    comfort = canonical(admin, TagType.FREEFORM, "Comfort Faves")
    wrangling.tag_add_metatag(actor=admin, sub=comfort, meta=fave)
    return {"admin": admin, "kira": kira, "young": young, "fave": fave, "comfort": comfort}


@pytest.fixture
def archive():
    """Works tagged with a canonical character, its synonym and its subtag; bookmarks tagged
    with a canonical bookmarker tag, its synonym and its subtag."""
    creator = make_user("writer")
    tags = wrangled_tags()
    kira, young, fave = tags["kira"], tags["young"], tags["fave"]
    works = {
        "direct": make_work(creator, title="Direct", characters=["Kira Vale"]),
        "synonym": make_work(creator, title="Synonym", characters=["Kira V."]),
        "sub": make_work(creator, title="Sub", characters=["Young Kira Vale"]),
        "other": make_work(creator, title="Other", characters=["Someone Else"]),
    }
    reader = make_user("reader")
    bookmarks = {
        "direct": mark(reader, works["direct"], tags=["Favourites"], notes="n", days_ago=4),
        "synonym": mark(reader, works["synonym"], tags=["Faves"], rec=True, days_ago=3),
        "sub": mark(reader, works["sub"], tags=["Comfort Faves"], days_ago=2),
        "other": mark(reader, works["other"], tags=["meh"], notes="x", rec=True, days_ago=1),
    }
    return {"kira": kira, "young": young, "fave": fave, "works": works, "bookmarks": bookmarks}


def names(archive, viewer, **request) -> list[str]:
    found = search(viewer, BookmarkSearch(**request), faceted=False)
    by_pk = {b.pk: key for key, b in archive["bookmarks"].items()}
    return [by_pk[pk] for pk in found.bookmark_ids]


def tag_id(name: str) -> int:
    return Tag.objects.get(name=name).pk


def test_work_tags_include_synonyms_and_subtags(archive) -> None:
    guest = Client().get("/").wsgi_request.user
    kira = archive["kira"].pk
    assert names(archive, guest, include_work_tag_ids=[kira]) == ["sub", "synonym", "direct"]
    # A synonym's id filters as its canonical tag.
    assert names(archive, guest, include_work_tag_ids=[tag_id("Kira V.")]) == [
        "sub",
        "synonym",
        "direct",
    ]
    assert names(archive, guest, include_work_tag_ids=[archive["young"].pk]) == ["sub"]
    assert names(archive, guest, exclude_work_tag_ids=[kira]) == ["other"]
    assert names(archive, guest, exclude_work_tag_ids=[archive["young"].pk]) == [
        "other",
        "synonym",
        "direct",
    ]


def test_bookmarker_tags_include_synonyms_and_subtags(archive) -> None:
    guest = Client().get("/").wsgi_request.user
    fave = archive["fave"].pk
    assert names(archive, guest, include_bookmark_tag_ids=[fave]) == ["sub", "synonym", "direct"]
    assert names(archive, guest, include_bookmark_tag_ids=[tag_id("Faves")]) == [
        "sub",
        "synonym",
        "direct",
    ]
    assert names(archive, guest, include_bookmark_tag_ids=[tag_id("Comfort Faves")]) == ["sub"]
    assert names(archive, guest, exclude_bookmark_tag_ids=[fave]) == ["other"]
    # Unwrangled bookmarker tags match themselves.
    assert names(archive, guest, include_bookmark_tag_ids=[tag_id("meh")]) == ["other"]


def test_recs_notes_and_sorts(archive) -> None:
    guest = Client().get("/").wsgi_request.user
    assert names(archive, guest, rec_only=True) == ["other", "synonym"]
    assert names(archive, guest, with_notes=True) == ["other", "direct"]
    assert names(archive, guest, rec_only=True, with_notes=True) == ["other"]
    assert names(archive, guest) == ["other", "sub", "synonym", "direct"]
    # By the work's date: all four works were posted in order, newest last.
    assert names(archive, guest, sort="updated") == ["other", "sub", "synonym", "direct"]


def test_the_pages_read_ao3_parameters_and_show_facets(archive) -> None:
    client = Client()
    kira = archive["kira"].pk
    page = client.get(
        "/bookmarks",
        {
            "include_bookmark_search[character_ids][]": str(kira),
            "bookmark_search[other_bookmark_tag_names]": "Faves",
            "bookmark_search[rec]": "1",
        },
    ).content.decode()
    assert "1 - 1 of 1 Bookmarks" in page
    assert ">Synonym</a>" in page and ">Direct</a>" not in page
    # The sidebar offers the bookmarker's tags and the work tags found, with counts.
    assert "Bookmarker&#x27;s Tags" in page or "Bookmarker's Tags" in page
    assert 'name="include_bookmark_search[character_ids][]"' in page
    assert f'value="{kira}" checked' in page
    user_page = client.get(
        "/users/reader/bookmarks",
        {"bookmark_search[excluded_tag_names]": "Kira Vale"},
    ).content.decode()
    assert "1 - 1 of 1 Bookmarks by reader" in user_page and ">Other</a>" in user_page
    unknown = client.get(
        "/bookmarks", {"bookmark_search[other_tag_names]": "No Such Tag"}
    ).content.decode()
    assert "No tag called: No Such Tag" in unknown
    bad_sort = client.get("/bookmarks", {"bookmark_search[sort_column]": "nope"})
    assert bad_sort.status_code == 200
    assert "That is not a way to sort bookmarks." in bad_sort.content.decode()
    work_page = client.get(
        f"/works/{archive['works']['direct'].pk}/bookmarks",
        {"include_bookmark_search[tag_ids][]": str(archive["fave"].pk)},
    ).content.decode()
    assert "1 - 1 of 1 Bookmarks for Direct" in work_page


def test_facets_and_counts_leave_out_private_and_muted_bookmarks(archive) -> None:
    viewer = make_user("viewer")
    sneaky = make_user("sneaky")
    noisy = make_user("noisy")
    work = archive["works"]["other"]
    mark(sneaky, work, tags=["secret tag"], private=True)
    mark(noisy, work, tags=["noisy tag"])
    mute_user(muter=viewer, muted=noisy)
    result = search(viewer, BookmarkSearch(work_id=work.pk), faceted=True)
    assert result.total == 1
    assert {tag_id for tag_id, _ in result.facets["bookmarker"]} == {tag_id("meh")}
    client = Client()
    client.force_login(viewer)
    page = client.get(f"/works/{work.pk}/bookmarks").content.decode()
    assert "1 - 1 of 1 Bookmarks for Other" in page
    assert "secret tag" not in page and "noisy tag" not in page
    # Others who don't mute noisy see both public bookmarks; nobody but sneaky the private one.
    assert search(make_user(), BookmarkSearch(work_id=work.pk), faceted=False).total == 2
    assert search(sneaky, BookmarkSearch(work_id=work.pk), faceted=False).total == 3


def test_muting_a_creator_hides_bookmarks_of_their_works_everywhere(archive) -> None:
    viewer = make_user("viewer")
    mute_user(muter=viewer, muted=archive["works"]["direct"].creatorships.get().pseud.user)
    client = Client()
    client.force_login(viewer)
    for url in ("/bookmarks", "/users/reader/bookmarks"):
        page = client.get(url).content.decode()
        assert "No bookmarks yet" in page, url
    assert matching(viewer, BookmarkSearch()).count() == 0
    assert matching(Client().get("/").wsgi_request.user, BookmarkSearch()).count() == 4


def test_a_listing_page_costs_a_fixed_number_of_queries(
    archive, django_assert_max_num_queries
) -> None:
    client = Client()
    client.get("/users/reader/bookmarks")  # warm caches (sessions, content types)
    # One of them loads the series of the page's works for the blurbs' "Part N of", one
    # their gift recipients ("for X").
    with django_assert_max_num_queries(13):
        response = client.get("/users/reader/bookmarks")
    assert response.status_code == 200
    reader = archive["bookmarks"]["direct"].user
    for n in range(6):
        mark(reader, make_work(make_user(), title=f"More {n}"), tags=[f"x{n}", "y"], notes="z")
    with django_assert_max_num_queries(13):
        assert "1 - 10 of 10" in client.get("/users/reader/bookmarks").content.decode()


def test_the_work_page_count_leaves_out_muted_users_bookmarks(archive) -> None:
    work = archive["works"]["other"]
    noisy = make_user("noisy")
    mark(noisy, work)
    viewer = make_user("viewer")
    mute_user(muter=viewer, muted=noisy)
    client = Client()
    client.force_login(viewer)
    page = client.get(f"/works/{work.pk}").content.decode()
    assert f'<a href="/works/{work.pk}/bookmarks">1</a>' in page
    page = Client().get(f"/works/{work.pk}").content.decode()
    assert f'<a href="/works/{work.pk}/bookmarks">2</a>' in page


def test_large_results_skip_counting_tags_but_still_filter(archive, monkeypatch) -> None:
    from fanworks.engagement import bookmark_search

    monkeypatch.setattr(bookmark_search, "MAX_FACETED", 2)
    page = Client().get("/users/reader/bookmarks").content.decode()
    assert "Tags are counted here once fewer than 2 bookmarks match" in page
    assert "1 - 4 of 4 Bookmarks by reader" in page
    narrowed = (
        Client()
        .get("/users/reader/bookmarks", {"include_bookmark_search[tag_ids][]": archive["fave"].pk})
        .content.decode()
    )
    assert "1 - 3 of 3 Bookmarks by reader" in narrowed
    monkeypatch.setattr(bookmark_search, "MAX_FACETED", 3)
    counted = search(
        Client().get("/").wsgi_request.user,
        BookmarkSearch(include_bookmark_tag_ids=[archive["fave"].pk]),
        faceted=True,
    )
    assert not counted.facets_skipped
    # Work tags count bookmarks (one per work here) by their direct filters.
    assert dict(counted.facets["character"]) == {archive["kira"].pk: 2, archive["young"].pk: 1}


def test_external_bookmarks_have_no_work_tags_to_include_but_survive_exclusion(archive) -> None:
    from fanworks.engagement.actions import ExternalWorkData, external_bookmark_save

    reader = archive["bookmarks"]["direct"].user
    external = external_bookmark_save(
        user=reader,
        pseud=reader.pseuds.get(),
        external=ExternalWorkData(url="https://example.org/far", title="Far", creator="C"),
        data=BookmarkData(tag_names=["Favourites"]),
    )
    guest = Client().get("/").wsgi_request.user
    kira = archive["kira"].pk
    included = search(guest, BookmarkSearch(include_work_tag_ids=[kira]), faceted=True)
    assert external.pk not in included.bookmark_ids
    excluded = search(guest, BookmarkSearch(exclude_work_tag_ids=[kira]), faceted=True)
    assert external.pk in excluded.bookmark_ids and excluded.total == 2
    by_tag = search(
        guest, BookmarkSearch(include_bookmark_tag_ids=[archive["fave"].pk]), faceted=False
    )
    assert external.pk in by_tag.bookmark_ids and by_tag.total == 4
    # Sorted by the work's date, the external work comes last.
    assert (
        search(guest, BookmarkSearch(sort="updated"), faceted=False).bookmark_ids[-1] == external.pk
    )


def test_counting_stops_at_the_cap(archive, monkeypatch) -> None:
    from fanworks.engagement import bookmark_search

    monkeypatch.setattr(bookmark_search, "MAX_COUNTED", 3)
    result = search(Client().get("/").wsgi_request.user, BookmarkSearch(), faceted=False)
    assert result.total == 3 and result.total_capped
    assert len(result.bookmark_ids) == 4  # the first page is whole
    page = Client().get("/bookmarks").content.decode()
    assert "1 - 4 of 3+ Bookmarks" in page


def test_a_muter_bookmarking_a_muted_creators_work_lands_on_their_bookmark(archive) -> None:
    viewer = make_user("viewer")
    work = archive["works"]["direct"]
    mute_user(muter=viewer, muted=work.creatorships.get().pseud.user)
    client = Client()
    client.force_login(viewer)
    response = client.post(f"/works/{work.pk}/bookmarks", {"bookmark[notes]": "by link"})
    assert client.get(response["Location"]).status_code == 200
    assert "by link" not in client.get("/users/viewer/bookmarks").content.decode()
    assert client.get(f"/bookmarks/{archive['bookmarks']['direct'].pk}").status_code == 200
