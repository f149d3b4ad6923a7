"""Bookmark filtering from the search index answers exactly what SQL answers.

Every case runs engagement.bookmark_search.sql_search (the reference) and the index's
BookmarkEngine on the same data and compares ids, counts, facets and flags; then the data
changes through the real actions (bookmarks edited and deleted, works retagged, hidden,
restricted and deleted, series parts added and removed, tags wrangled) and, after one indexer
round, the two must agree again. The pages are checked on both backends too.
"""

import re
from dataclasses import asdict
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import Client

from fanworks.accounts.actions import mute_user
from fanworks.accounts.deletion_actions import account_delete
from fanworks.core import jobs
from fanworks.core.testing import make_user, make_work, work_data
from fanworks.engagement.actions import (
    BookmarkData,
    ExternalWorkData,
    bookmark_delete,
    bookmark_save,
    bookmark_update,
    external_bookmark_save,
)
from fanworks.engagement.bookmark_search import BookmarkSearch, search, sql_search
from fanworks.engagement.models import Bookmark
from fanworks.engagement.tests.test_bookmark_search import wrangled_tags
from fanworks.search.bookmark_documents import work_signatures
from fanworks.search.bookmark_index import BookmarkEngine
from fanworks.search.indexer import get_index, run_round
from fanworks.search.outbox import record_work_changes
from fanworks.tags import wrangling
from fanworks.tags.actions import tags_find_or_create
from fanworks.tags.models import Tag, TagType
from fanworks.works.actions import work_delete, work_update
from fanworks.works.models import Work
from fanworks.works.series_actions import (
    SeriesData,
    series_add_work,
    series_create,
    series_delete,
    series_remove_work,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def index_dir(settings: Any, tmp_path: Path) -> Path:
    settings.SEARCH_BACKEND = "tantivy"
    settings.SEARCH_INDEX_DIR = tmp_path / "index"
    return Path(settings.SEARCH_INDEX_DIR)


def mark(user: Any, target: Any, **data: Any) -> Bookmark:
    kind = "series" if target.__class__.__name__ == "Series" else "work"
    return bookmark_save(
        user=user, pseud=user.pseuds.get(), data=BookmarkData(**data), **{kind: target}
    )


def tag(name: str) -> int:
    return Tag.objects.get(name=name).pk


@pytest.fixture
def world(index_dir: Path) -> dict[str, Any]:
    """Two creators, three readers, works visible, restricted, hidden and draft, two series,
    an external work, wrangled work and bookmarker tags, private bookmarks and recs."""
    tags = wrangled_tags()
    admin, kira, young, fave = tags["admin"], tags["kira"], tags["young"], tags["fave"]
    comfort = tags["comfort"]
    alma, bruno = make_user("alma"), make_user("bruno")
    works = {
        "direct": make_work(alma, title="Direct", characters=["Kira Vale"], fandoms=["Fa"]),
        "synonym": make_work(alma, title="Synonym", characters=["Kira V."]),
        "sub": make_work(bruno, title="Sub", characters=["Young Kira Vale"], fandoms=["Fb"]),
        "other": make_work(bruno, title="Other", characters=["Someone Else"]),
        "locked": make_work(alma, title="Locked", characters=["Kira Vale"], restricted=True),
        "hidden": make_work(bruno, title="Hidden", characters=["Kira Vale"]),
        "draft": make_work(alma, title="Draft", characters=["Drafted Tag"], post=False),
    }
    Work.objects.filter(pk=works["hidden"].pk).update(hidden_by_admin=True)
    record_work_changes([works["hidden"].pk])
    cycle = series_create(user=alma, data=SeriesData(title="Cycle"))
    for key in ("locked", "draft", "synonym"):
        series_add_work(user=alma, series=cycle, work=works[key])
    gone = series_create(user=bruno, data=SeriesData(title="Gone"))
    series_add_work(user=bruno, series=gone, work=works["hidden"])
    ren, sol, tam = make_user("ren"), make_user("sol"), make_user("tam")
    marks = {
        "ren_direct": mark(ren, works["direct"], tag_names=["Favourites"], notes="n"),
        "ren_synonym": mark(ren, works["synonym"], tag_names=["Faves"], rec=True),
        "ren_sub": mark(ren, works["sub"], tag_names=["Comfort Faves", "meh"]),
        "ren_other": mark(ren, works["other"], tag_names=["meh"], notes="notes on Other", rec=True),
        "ren_locked": mark(ren, works["locked"], tag_names=["Favourites"]),
        "ren_cycle": mark(ren, cycle, tag_names=["Faves"], notes="all of it"),
        "sol_direct": mark(sol, works["direct"], tag_names=["secret"], private=True),
        "sol_sub": mark(sol, works["sub"], tag_names=["Favourites"], rec=True),
        "sol_cycle": mark(sol, cycle, rec=True, private=True),
        "tam_other": mark(tam, works["other"], tag_names=["Comfort Faves"]),
        "tam_locked": mark(tam, works["locked"], notes="locked notes"),
        "bruno_gone": mark(bruno, gone, tag_names=["mine"]),
    }
    marks["ren_external"] = external_bookmark_save(
        user=ren,
        pseud=ren.pseuds.get(),
        external=ExternalWorkData(url="https://example.org/far", title="Far", creator="C"),
        data=BookmarkData(tag_names=["Favourites"], rec=True),
    )
    return {
        "admin": admin,
        "alma": alma,
        "bruno": bruno,
        "ren": ren,
        "sol": sol,
        "tam": tam,
        "works": works,
        "cycle": cycle,
        "gone": gone,
        "marks": marks,
        "kira": kira,
        "young": young,
        "fave": fave,
        "comfort": comfort,
    }


def engine_search(
    viewer: Any, request: BookmarkSearch, *, faceted: bool, catch_up: bool = True
) -> Any:
    """The index's answer, after an indexer round (the outbox applied) unless `catch_up` is off."""
    index = get_index()
    if catch_up:
        run_round(index)
    assert index.ready
    return BookmarkEngine(index.index, index.schema).search(viewer, request, faceted=faceted)


def requests(w: dict[str, Any]) -> list[BookmarkSearch]:
    kira, young, fave, comfort = w["kira"].pk, w["young"].pk, w["fave"].pk, w["comfort"].pk
    cases: list[dict[str, Any]] = [
        {},
        {"sort": "updated"},
        {"include_work_tag_ids": [kira]},
        {"include_work_tag_ids": [tag("Kira V.")]},
        {"include_work_tag_ids": [young]},
        {"include_work_tag_ids": [tag("Someone Else")]},
        {"include_work_tag_ids": [tag("Drafted Tag")]},
        {"exclude_work_tag_ids": [kira]},
        {"exclude_work_tag_ids": [young], "sort": "updated"},
        {"include_work_tag_ids": [tag("Fa")], "exclude_work_tag_ids": [young]},
        {"include_bookmark_tag_ids": [fave]},
        {"include_bookmark_tag_ids": [tag("Faves")]},
        {"include_bookmark_tag_ids": [comfort]},
        {"include_bookmark_tag_ids": [tag("meh")]},
        {"exclude_bookmark_tag_ids": [fave]},
        {"exclude_bookmark_tag_ids": [tag("meh"), comfort]},
        {"include_bookmark_tag_ids": [fave], "include_work_tag_ids": [kira]},
        {"rec_only": True},
        {"with_notes": True},
        {"rec_only": True, "with_notes": True, "sort": "updated"},
        {"owner_id": w["ren"].pk},
        {"owner_id": w["sol"].pk, "include_bookmark_tag_ids": [fave]},
        {"owner_id": w["bruno"].pk},
        {"work_id": w["works"]["direct"].pk},
        {"work_id": w["works"]["locked"].pk},
        {"work_id": w["works"]["hidden"].pk},
        {"series_id": w["cycle"].pk},
        {"series_id": w["gone"].pk},
        {"external_work_id": w["marks"]["ren_external"].external_work_id},
        {"per_page": 2, "page": 2},
        {"per_page": 3, "page": 2, "sort": "updated"},
        {"per_page": 2, "page": 9},
    ]
    return [BookmarkSearch(**case) for case in cases]


def viewers(w: dict[str, Any]) -> dict[str, Any]:
    return {
        "guest": AnonymousUser(),
        "ren": w["ren"],
        "sol": w["sol"],
        "alma": w["alma"],
        "bruno": w["bruno"],
        "stranger": make_user("stranger"),
    }


def assert_same(w: dict[str, Any], who: dict[str, Any] | None = None) -> int:
    """Both backends agree for every viewer and request. Returns the cases compared."""
    compared = 0
    run_round(get_index())
    for name, viewer in (who or viewers(w)).items():
        for request in requests(w):
            for faceted in (True, False):
                expected = sql_search(viewer, request, faceted=faceted)
                found = engine_search(viewer, request, faceted=faceted, catch_up=False)
                assert found is not None, (name, request)
                assert asdict(found) == asdict(expected), (name, request, faceted)
                compared += 1
    return compared


def test_both_backends_agree_on_every_viewer_and_filter(world: dict[str, Any]) -> None:
    assert assert_same(world) == 6 * 32 * 2
    # The cases are not vacuous: private, restricted, hidden and tag filters all bite.
    guest, ren = AnonymousUser(), world["ren"]
    marks = world["marks"]
    every = engine_search(guest, BookmarkSearch(per_page=50), faceted=True)
    assert every is not None
    assert marks["sol_direct"].pk not in every.bookmark_ids  # private
    assert marks["ren_locked"].pk not in every.bookmark_ids  # restricted, for guests
    assert marks["bruno_gone"].pk not in every.bookmark_ids  # a series of a hidden work
    assert (
        marks["ren_cycle"].pk in every.bookmark_ids
        and marks["ren_external"].pk in every.bookmark_ids
    )
    mine = engine_search(world["sol"], BookmarkSearch(owner_id=world["sol"].pk), faceted=True)
    assert mine is not None and marks["sol_direct"].pk in mine.bookmark_ids
    # The series counts the tags of the parts the viewer may see: a guest sees Synonym only.
    for_guest = engine_search(guest, BookmarkSearch(series_id=world["cycle"].pk), faceted=True)
    for_ren = engine_search(ren, BookmarkSearch(series_id=world["cycle"].pk), faceted=True)
    assert for_guest is not None and for_ren is not None
    assert dict(for_ren.facets["character"]) == {world["kira"].pk: 1}
    assert for_guest.facets["character"] == [(world["kira"].pk, 1)]
    draft = engine_search(
        ren, BookmarkSearch(include_work_tag_ids=[tag("Drafted Tag")]), faceted=False
    )
    assert draft is not None and draft.total == 0
    # Bruno sees the bookmark of his own series although its only part is hidden.
    own = engine_search(world["bruno"], BookmarkSearch(series_id=world["gone"].pk), faceted=False)
    assert own is not None and own.bookmark_ids == [marks["bruno_gone"].pk]


def test_muted_bookmarkers_and_creators(world: dict[str, Any]) -> None:
    viewer = make_user("muter")
    mute_user(muter=viewer, muted=world["tam"])  # a bookmarker
    mute_user(muter=viewer, muted=world["bruno"])  # a creator, of no visible series part
    assert assert_same(world, {"muter": viewer}) == 32 * 2
    found = engine_search(viewer, BookmarkSearch(per_page=50), faceted=False)
    assert found is not None
    shown = set(found.bookmark_ids)
    assert world["marks"]["tam_other"].pk not in shown
    assert world["marks"]["ren_sub"].pk not in shown  # Sub is Bruno's
    assert world["marks"]["ren_direct"].pk in shown


def test_muting_a_series_creator_is_answered_by_sql(world: dict[str, Any]) -> None:
    """A series shows the parts by creators the viewer does not mute; documents hold all
    visible parts, so the index declines and the page's answer comes from SQL."""
    viewer = make_user("muter")
    mute_user(muter=viewer, muted=world["alma"])
    request = BookmarkSearch(include_work_tag_ids=[world["kira"].pk])
    assert engine_search(viewer, request, faceted=True) is None
    assert search(viewer, request, faceted=True) == sql_search(viewer, request, faceted=True)
    # In a scope without such a series the index answers.
    scoped = BookmarkSearch(owner_id=world["tam"].pk)
    found = engine_search(viewer, scoped, faceted=True)
    assert found == sql_search(viewer, scoped, faceted=True)


def test_changes_reach_the_index_through_the_outbox(world: dict[str, Any]) -> None:
    w = world
    marks, works = w["marks"], w["works"]
    assert_same(w, {"guest": AnonymousUser(), "ren": w["ren"]})
    # A bookmark edited (tags, rec, privacy) and another deleted.
    bookmark_update(
        bookmark=marks["ren_other"],
        pseud=w["ren"].pseuds.get(),
        data=BookmarkData(tag_names=["Faves"], rec=False, private=True),
    )
    bookmark_delete(bookmark=marks["tam_other"])
    # A work retagged, one restricted, one unhidden, one deleted.
    direct = Work.objects.get(pk=works["direct"].pk)
    work_update(
        user=w["alma"],
        work=direct,
        data=work_data(w["alma"], title="Direct", characters=["Young Kira Vale"]),
        expected_version=direct.version,
    )
    Work.objects.filter(pk=works["sub"].pk).update(restricted=True)
    Work.objects.filter(pk=works["hidden"].pk).update(hidden_by_admin=False)
    record_work_changes([works["sub"].pk, works["hidden"].pk])
    work_delete(work=Work.objects.get(pk=works["synonym"].pk))
    # A series gains a visible part; another loses its only one; one is deleted.
    series_add_work(user=w["alma"], series=w["cycle"], work=works["direct"])
    series_remove_work(user=w["bruno"], series=w["gone"], work=works["hidden"])
    assert_same(w, {"guest": AnonymousUser(), "sol": w["sol"], "bruno": w["bruno"]})
    found = engine_search(AnonymousUser(), BookmarkSearch(per_page=50), faceted=False)
    assert found is not None
    assert marks["tam_other"].pk not in found.bookmark_ids
    assert marks["ren_other"].pk not in found.bookmark_ids  # now private
    assert marks["ren_sub"].pk not in found.bookmark_ids  # now restricted
    series_delete(series=w["cycle"])
    assert_same(w, {"guest": AnonymousUser(), "ren": w["ren"]})
    found = engine_search(w["ren"], BookmarkSearch(per_page=50), faceted=False)
    assert found is not None and marks["ren_cycle"].pk not in found.bookmark_ids


def test_a_deleted_account_leaves_the_index(world: dict[str, Any]) -> None:
    """Account deletion removes the user's bookmarks (an external one too, which no work
    change would reach) and moves or deletes their series: the index follows through the
    outbox, so listings, counts and facets no longer include them."""
    w = world
    viewers = {"guest": AnonymousUser(), "sol": w["sol"], "tam": w["tam"]}
    ren_marks = {m.pk for key, m in w["marks"].items() if key.startswith("ren_")}
    assert_same(w, viewers)  # the index has caught up with the bookmarks' own outbox rows
    account_delete(user=w["ren"], choices={}, keep_names=False, keep_comments=True)
    assert_same(w, viewers)
    found = engine_search(AnonymousUser(), BookmarkSearch(per_page=50), faceted=True)
    assert found is not None and not ren_marks & set(found.bookmark_ids)

    bruno = w["bruno"]
    own = Work.objects.filter(creatorships__pseud__user=bruno).values_list("pk", flat=True)
    account_delete(
        user=bruno, choices=dict.fromkeys(own, "orphan"), keep_names=True, keep_comments=True
    )
    assert_same(w, viewers)
    found = engine_search(AnonymousUser(), BookmarkSearch(per_page=50), faceted=True)
    assert found is not None and w["marks"]["bruno_gone"].pk not in found.bookmark_ids


def test_wrangling_reaches_bookmarks(world: dict[str, Any]) -> None:
    w = world
    admin = w["admin"]
    # A work tag becomes a synonym; a bookmarker tag becomes a subtag; a canonical tag merges.
    (else_tag,) = tags_find_or_create(names=["Someone Else"], tag_type=TagType.CHARACTER)
    wrangling.tag_make_synonym(actor=admin, tag=else_tag, canonical=w["young"])
    # "meh" (unsorted, never wrangled) becomes a synonym of Favourites.
    meh = Tag.objects.get(name="meh")
    Tag.objects.filter(pk=meh.pk).update(type=TagType.FREEFORM)
    wrangling.tag_make_synonym(actor=admin, tag=Tag.objects.get(pk=meh.pk), canonical=w["fave"])
    wrangling.tag_make_synonym(actor=admin, tag=w["comfort"], canonical=w["fave"], allow_merge=True)
    jobs.run_pending()
    assert_same(w, {"guest": AnonymousUser(), "ren": w["ren"]})
    found = engine_search(
        AnonymousUser(), BookmarkSearch(include_work_tag_ids=[w["young"].pk]), faceted=True
    )
    assert found is not None
    assert w["marks"]["ren_other"].pk in found.bookmark_ids
    faves = engine_search(
        AnonymousUser(), BookmarkSearch(include_bookmark_tag_ids=[w["fave"].pk]), faceted=True
    )
    assert faves is not None
    assert w["marks"]["ren_other"].pk in faves.bookmark_ids  # tagged "meh"
    assert w["marks"]["tam_other"].pk in faves.bookmark_ids  # tagged "Comfort Faves", merged


def test_a_kudos_does_not_rewrite_a_works_bookmarks(world: dict[str, Any]) -> None:
    index = get_index()
    work = world["works"]["direct"]
    bookmarks = {world["marks"]["ren_direct"].pk, world["marks"]["sol_direct"].pk}
    # A build writes no signatures: the work's first outbox row rewrites its bookmarks once.
    run_round(index)
    assert index._signature(work.pk) == 0
    assert index._bookmarks_to_rewrite([work.pk], work_signatures([work.pk]), [], []) == bookmarks
    record_work_changes([work.pk])
    run_round(index)
    assert index._signature(work.pk) != 0
    # Counters change nothing a bookmark document holds: its bookmarks stay as they are.
    Work.objects.filter(pk=work.pk).update(kudos_count=5, hit_count=9)
    assert index._bookmarks_to_rewrite([work.pk], work_signatures([work.pk]), [], []) == set()
    # Its visibility does.
    Work.objects.filter(pk=work.pk).update(restricted=True)
    assert index._bookmarks_to_rewrite([work.pk], work_signatures([work.pk]), [], []) == bookmarks
    record_work_changes([work.pk])
    assert_same(world, {"guest": AnonymousUser()})


def test_a_rebuild_indexes_bookmarks(world: dict[str, Any], index_dir: Path) -> None:
    index = get_index()
    run_round(index)
    # Changed behind the outbox's back: only a rebuild brings it in.
    Bookmark.objects.filter(pk=world["marks"]["ren_direct"].pk).update(rec=True)
    index.rebuild()
    assert_same(world, {"guest": AnonymousUser(), "ren": world["ren"]})


def shown(page: str) -> int:
    """The count in the page's heading ("1 - 3 of 3 Bookmarks"), 0 when none."""
    match = re.search(r"\d+ - \d+ of (\d+)\+? Bookmark", page)
    return int(match.group(1)) if match else 0


@pytest.fixture(params=["sql", "tantivy"])
def backend(request: Any, settings: Any, tmp_path: Path) -> str:
    settings.SEARCH_BACKEND = request.param
    settings.SEARCH_INDEX_DIR = tmp_path / "pages-index"
    return str(request.param)


def test_the_pages_answer_alike_on_both_backends(world: dict[str, Any], backend: str) -> None:
    w = world
    if backend == "tantivy":
        run_round(get_index())
    guest, reader = Client(), Client()
    reader.force_login(w["sol"])
    pages = [
        (guest, "/bookmarks", {"include_bookmark_search[character_ids][]": w["kira"].pk}, 5),
        (guest, "/bookmarks", {"include_bookmark_search[tag_ids][]": w["fave"].pk}, 7),
        (reader, "/bookmarks", {"include_bookmark_search[tag_ids][]": w["fave"].pk}, 8),
        (guest, "/users/ren/bookmarks", {"exclude_bookmark_search[tag_ids][]": w["fave"].pk}, 1),
        (reader, f"/works/{w['works']['direct'].pk}/bookmarks", {}, 2),
        (guest, f"/series/{w['cycle'].pk}/bookmarks", {"bookmark_search[rec]": "1"}, 0),
        (reader, f"/series/{w['cycle'].pk}/bookmarks", {"bookmark_search[rec]": "1"}, 1),
    ]
    for client, url, params, count in pages:
        page = client.get(url, params).content.decode()
        assert shown(page) == count, (url, params)
    if backend == "tantivy":
        # The page really came from the index: a bookmark it lost is not counted.
        Bookmark.objects.filter(pk=w["marks"]["ren_other"].pk).update(rec=False)
        page = guest.get("/users/ren/bookmarks", {"bookmark_search[rec]": "1"}).content.decode()
        assert shown(page) == 3
        # A bookmark made private a moment ago, before the index heard of it, is still
        # counted there but never shown: the page loads through the visibility query.
        assert "notes on Other" in page
        Bookmark.objects.filter(pk=w["marks"]["ren_other"].pk).update(private=True)
        page = guest.get("/users/ren/bookmarks", {"bookmark_search[rec]": "1"}).content.decode()
        assert shown(page) == 3 and "notes on Other" not in page


def test_the_demos_bookmarks_reach_an_index_built_before(index_dir: Path) -> None:
    """`fanworks demo` writes bookmark rows in bulk; the outbox still brings them all in."""
    from io import StringIO

    from django.core.management import call_command

    index = get_index()
    run_round(index)  # builds an empty index first: what follows comes through the outbox
    assert index.ready
    call_command("demo", "--works", "60", stdout=StringIO())
    run_round(index)
    kinds = Bookmark.objects.values_list("work", "series", "external_work")
    assert all(any(column is not None for column in row) for row in kinds)
    # Works and external works always; a 60-work demo may plan no series bookmark, depending
    # on the ids the database hands out (PostgreSQL's sequences are not reset between tests).
    assert {0, 2} <= {i for i, row in enumerate(zip(*kinds, strict=True)) if any(row)}
    reader = Bookmark.objects.order_by("pk").first()
    assert reader is not None
    for viewer in (AnonymousUser(), reader.user):
        request = BookmarkSearch(per_page=500)
        found = engine_search(viewer, request, faceted=True, catch_up=False)
        assert found is not None
        assert asdict(found) == asdict(sql_search(viewer, request, faceted=True))
        assert found.total > 20
