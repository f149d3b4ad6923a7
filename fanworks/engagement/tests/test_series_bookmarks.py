"""Bookmarks of series: made from the series page's form at AO3's URLs, one per reader and
series, shown as a series blurb with what the viewer may see of it; a series none of whose
works the viewer may see never shows (nor counts), private ones only to their owner, muted
users' bookmarks and muted creators' series left out for the muter; filtering by work tags
reaches series through their visible parts. Refused requests change nothing."""

from dataclasses import dataclass

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import IntegrityError, transaction
from django.test import Client

from fanworks.accounts.actions import block_user, mute_user
from fanworks.accounts.models import User
from fanworks.core.testing import make_user, make_work, run_together
from fanworks.engagement.actions import BookmarkData, bookmark_delete, bookmark_save
from fanworks.engagement.bookmark_search import BookmarkSearch, search
from fanworks.engagement.models import MAX_BOOKMARK_NOTES_LENGTH, Bookmark, BookmarkTag
from fanworks.engagement.queries import series_bookmark_count, visible_bookmarks
from fanworks.tags import wrangling
from fanworks.tags.actions import tags_find_or_create
from fanworks.tags.models import Tag, TagType
from fanworks.works.models import Series, Work
from fanworks.works.series_actions import SeriesData, series_add_work, series_create

pytestmark = pytest.mark.django_db


def logged_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def make_series(creator: User, *works: Work, title: str = "Tidewater Cycle") -> Series:
    series = series_create(
        user=creator, data=SeriesData(title=title, summary="Ships <i>and</i> storms.")
    )
    for work in works:
        series_add_work(user=creator, series=series, work=work)
    return series


def post_bookmark(client: Client, series: Series | int, **fields: str):
    series_id = series if isinstance(series, int) else series.pk
    data = {f"bookmark[{key}]": value for key, value in fields.items()}
    return client.post(f"/series/{series_id}/bookmarks", data)


def snapshot() -> tuple:
    """Everything a refused request must leave as it was."""
    return (
        list(Bookmark.objects.order_by("pk").values()),
        list(BookmarkTag.objects.order_by("pk").values_list("bookmark_id", "tag_id")),
        list(Work.objects.order_by("pk").values_list("pk", "bookmark_count")),
        Tag.objects.count(),
    )


def mark(user: User, series: Series, **data) -> Bookmark:
    return bookmark_save(
        user=user, pseud=user.pseuds.get(is_default=True), data=BookmarkData(**data), series=series
    )


# ---------------------------------------------------------------------------------------------
# Making, editing, deleting


def test_a_reader_bookmarks_a_series_from_its_page() -> None:
    creator = make_user("writer")
    first = make_work(creator, title="First Tide", content="one two three four five six")
    make_work(creator, title="Second Tide")
    series = make_series(creator, first, make_work(creator, title="Draft Tide", post=False))
    counts = list(Work.objects.values_list("pk", "bookmark_count"))
    client = logged_in(make_user("bea"))

    page = client.get(f"/series/{series.pk}").content.decode()
    assert f'action="/series/{series.pk}/bookmarks"' in page and "Bookmark Series" in page

    response = post_bookmark(
        client,
        series,
        notes="So <b>good</b><script>alert(1)</script>",
        tag_string="comfort read, sea",
        rec="1",
    )
    bookmark = Bookmark.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/bookmarks/{bookmark.pk}"
    assert bookmark.series_id == series.pk and bookmark.work_id is None
    assert bookmark.notes_html == "<p>So <b>good</b></p>"
    assert bookmark.rec and not bookmark.private
    assert sorted(bookmark.tags.values_list("name", flat=True)) == ["comfort read", "sea"]
    # Series keep no counter, and no work's count moved.
    assert list(Work.objects.values_list("pk", "bookmark_count")) == counts

    shown = Client().get(f"/bookmarks/{bookmark.pk}").content.decode()
    assert "Tidewater Cycle" in shown and "writer" in shown and "[series]" in shown
    assert "Ships <i>and</i> storms." in shown
    # The draft part is neither counted nor named.
    assert '<dd class="works">1</dd>' in shown and "Draft Tide" not in shown
    assert '<dd class="words">6</dd>' in shown
    assert "So <b>good</b>" in shown and "alert(1)" not in shown
    assert f'href="/series/{series.pk}/bookmarks"' in shown
    for url in ("/users/bea/bookmarks", "/bookmarks", f"/series/{series.pk}/bookmarks"):
        listing = Client().get(url)
        assert listing.status_code == 200
        assert f'id="bookmark_{bookmark.pk}"' in listing.content.decode(), url
    assert '<dd class="bookmarks">' in Client().get(f"/series/{series.pk}").content.decode()
    assert series_bookmark_count(AnonymousUser(), series) == 1


def test_the_form_page_and_the_edit_form() -> None:
    creator = make_user()
    series = make_series(creator, make_work(creator))
    reader = make_user()
    client = logged_in(reader)
    new = client.get(f"/series/{series.pk}/bookmarks/new")
    assert new.status_code == 200
    assert f'action="/series/{series.pk}/bookmarks"' in new.content.decode()
    bookmark = mark(reader, series, notes="first", tag_names=["a"])
    # With a bookmark, "new" leads to editing it, and the series page offers the edit form.
    again = client.get(f"/series/{series.pk}/bookmarks/new")
    assert again["Location"] == f"/bookmarks/{bookmark.pk}/edit"
    assert f"edit_bookmark_{bookmark.pk}" in client.get(f"/series/{series.pk}").content.decode()
    edit = client.get(f"/bookmarks/{bookmark.pk}/edit").content.decode()
    assert series.title in edit and "first" in edit
    response = client.post(
        f"/bookmarks/{bookmark.pk}/edit",
        {"bookmark[notes]": "second", "bookmark[tag_string]": "b", "bookmark[private]": "1"},
    )
    assert response.status_code == 302
    bookmark.refresh_from_db()
    assert bookmark.notes == "second" and bookmark.private
    assert list(bookmark.tags.values_list("name", flat=True)) == []  # private: kept unpublished
    assert bookmark.private_tag_names == "b"
    delete_page = client.get(f"/bookmarks/{bookmark.pk}/delete").content.decode()
    assert series.title in delete_page
    assert client.post(f"/bookmarks/{bookmark.pk}/delete").status_code == 302
    assert not Bookmark.objects.exists()


def test_a_double_submit_makes_one_bookmark_holding_the_last_values() -> None:
    creator = make_user()
    series = make_series(creator, make_work(creator))
    client = logged_in(make_user())
    post_bookmark(client, series, notes="one", tag_string="x")
    post_bookmark(client, series, notes="two", tag_string="y")
    bookmark = Bookmark.objects.get()
    assert bookmark.notes == "two"
    assert list(bookmark.tags.values_list("name", flat=True)) == ["y"]


def test_a_bookmark_has_exactly_one_target_and_one_per_reader_and_series() -> None:
    creator = make_user()
    work = make_work(creator)
    series = make_series(creator, work)
    reader = make_user()
    pseud = reader.pseuds.get()
    with pytest.raises(ValueError):
        bookmark_save(user=reader, pseud=pseud, data=BookmarkData(), work=work, series=series)
    with pytest.raises(IntegrityError), transaction.atomic():
        Bookmark.objects.create(user=reader, pseud=pseud, work=work, series=series)
    Bookmark.objects.create(user=reader, pseud=pseud, series=series)
    with pytest.raises(IntegrityError), transaction.atomic():
        Bookmark.objects.create(user=reader, pseud=pseud, series=series)
    # A bookmark of the series and one of its work are two things.
    bookmark_save(user=reader, pseud=pseud, data=BookmarkData(), work=work)
    assert Bookmark.objects.count() == 2


def test_deleting_the_series_deletes_its_bookmarks() -> None:
    creator = make_user()
    series = make_series(creator, make_work(creator))
    mark(make_user(), series)
    series.delete()
    assert not Bookmark.objects.exists()


# ---------------------------------------------------------------------------------------------
# Bad input


def test_bad_input_comes_back_beside_its_field_and_changes_nothing() -> None:
    creator = make_user()
    series = make_series(creator, make_work(creator))
    client = logged_in(make_user())
    before = snapshot()
    long_notes = "x" * (MAX_BOOKMARK_NOTES_LENGTH + 1)
    response = post_bookmark(client, series, notes=long_notes, tag_string="kept tag")
    assert response.status_code == 400
    page = response.content.decode()
    assert "Notes must be at most" in page and "kept tag" in page and long_notes in page
    response = post_bookmark(client, series, notes="kept", pseud_id="999999")
    assert response.status_code == 400 and "kept" in response.content.decode()
    response = post_bookmark(client, series, tag_string=",".join(f"t{n}" for n in range(80)))
    assert response.status_code == 400
    assert snapshot() == before


@pytest.mark.parametrize("series_id", ["0", "99999999", str(2**63), str(2**70), "-1", "abc"])
def test_ids_that_are_not_series_are_missing_not_errors(series_id: str) -> None:
    client = logged_in(make_user())
    before = snapshot()
    for url in (f"/series/{series_id}/bookmarks", f"/series/{series_id}/bookmarks/new"):
        assert client.get(url).status_code == 404
    response = client.post(f"/series/{series_id}/bookmarks", {"bookmark[notes]": "x"})
    assert response.status_code == 404
    assert snapshot() == before


def test_only_get_and_post() -> None:
    creator = make_user()
    series = make_series(creator, make_work(creator))
    client = logged_in(make_user())
    assert client.put(f"/series/{series.pk}/bookmarks").status_code == 405
    assert client.post(f"/series/{series.pk}/bookmarks/new").status_code == 405


# ---------------------------------------------------------------------------------------------
# Privacy and visibility


def test_private_series_bookmarks_are_seen_by_their_owner_only() -> None:
    creator = make_user()
    series = make_series(creator, make_work(creator))
    owner = make_user("owner")
    bookmark = mark(owner, series, private=True, notes="secret")
    other = logged_in(make_user())
    for client in (Client(), other, logged_in(creator)):
        assert client.get(f"/bookmarks/{bookmark.pk}").status_code == 404
        for url in ("/users/owner/bookmarks", "/bookmarks", f"/series/{series.pk}/bookmarks"):
            assert "secret" not in client.get(url).content.decode()
    assert series_bookmark_count(make_user(), series) == 0
    mine = logged_in(owner)
    assert "secret" in mine.get(f"/bookmarks/{bookmark.pk}").content.decode()
    assert "secret" in mine.get("/users/owner/bookmarks").content.decode()
    assert series_bookmark_count(owner, series) == 1


@pytest.mark.parametrize("state", ["draft", "hidden", "restricted"])
def test_a_series_of_works_the_viewer_may_not_see_never_shows(state: str) -> None:
    creator = make_user("writer")
    work = make_work(creator, title="Only Part")
    series = make_series(creator, work, title="Invisible Cycle")
    reader = make_user("fan")
    bookmark = mark(reader, series, notes="seen once")
    if state == "draft":
        Work.objects.filter(pk=work.pk).update(posted=False)
    elif state == "hidden":
        Work.objects.filter(pk=work.pk).update(hidden_by_admin=True)
    else:
        Work.objects.filter(pk=work.pk).update(restricted=True)
    viewers = [Client()] if state == "restricted" else [Client(), logged_in(make_user())]
    if state != "restricted":
        viewers.append(logged_in(reader))  # even its bookmarker no longer sees it
    for client in viewers:
        assert client.get(f"/bookmarks/{bookmark.pk}").status_code == 404
        assert client.get(f"/series/{series.pk}/bookmarks").status_code == 404
        for url in ("/users/fan/bookmarks", "/bookmarks"):
            page = client.get(url).content.decode()
            assert "Invisible Cycle" not in page and "seen once" not in page
            assert "1 Bookmark" not in page
    guest_search = search(AnonymousUser(), BookmarkSearch(owner_id=reader.pk), faceted=True)
    assert guest_search.total == 0 and guest_search.bookmark_ids == []
    if state == "restricted":
        # Registered readers see restricted works, so the bookmark too.
        assert logged_in(make_user()).get(f"/bookmarks/{bookmark.pk}").status_code == 200


def test_a_series_of_drafts_is_shown_to_its_creator_but_cannot_be_bookmarked() -> None:
    creator = make_user()
    series = make_series(creator, make_work(creator, post=False))
    client = logged_in(creator)
    assert client.get(f"/series/{series.pk}").status_code == 200
    assert "Bookmark Series" not in client.get(f"/series/{series.pk}").content.decode()
    before = snapshot()
    response = post_bookmark(client, series, notes="x")
    assert response.status_code == 302 and response["Location"] == f"/series/{series.pk}"
    assert client.get(f"/series/{series.pk}/bookmarks/new").status_code == 302
    assert snapshot() == before
    # Nobody else may even post to it.
    assert post_bookmark(logged_in(make_user()), series, notes="x").status_code == 404
    assert snapshot() == before


def test_blurb_counts_only_the_parts_the_viewer_may_see() -> None:
    creator = make_user()
    public = make_work(creator, title="Open", content="one two three four five six seven")
    restricted = make_work(
        creator, title="Members", content="eight nine ten eleven", restricted=True
    )
    series = make_series(creator, public, restricted)
    bookmark = mark(make_user("fan"), series)
    guest = Client().get(f"/bookmarks/{bookmark.pk}").content.decode()
    assert '<dd class="works">1</dd>' in guest and '<dd class="words">7</dd>' in guest
    member = logged_in(make_user()).get(f"/bookmarks/{bookmark.pk}").content.decode()
    assert '<dd class="works">2</dd>' in member and '<dd class="words">11</dd>' in member


def test_muting_hides_bookmarks_by_muted_users_and_series_of_muted_creators() -> None:
    creator = make_user("writer")
    series = make_series(creator, make_work(creator), title="Muted Cycle")
    other = make_user("other_writer")
    mixed = make_series(other, make_work(other), title="Mixed Cycle")
    noisy = make_user("noisy")
    by_noisy = mark(noisy, mixed, notes="noisy notes")
    fan = make_user("fan")
    of_muted = mark(fan, series, notes="fan notes")

    muter = make_user("muter")
    mute_user(muter=muter, muted=noisy)
    mute_user(muter=muter, muted=creator)
    client = logged_in(muter)
    for url in ("/bookmarks", "/users/noisy/bookmarks", f"/series/{mixed.pk}/bookmarks"):
        assert "noisy notes" not in client.get(url).content.decode()
    for url in ("/bookmarks", "/users/fan/bookmarks"):
        assert "Muted Cycle" not in client.get(url).content.decode()
    assert series_bookmark_count(muter, mixed) == 0
    # Others still see both; a link followed on purpose still opens, as for works.
    assert "noisy notes" in Client().get("/bookmarks").content.decode()
    assert "Muted Cycle" in Client().get("/bookmarks").content.decode()
    assert client.get(f"/bookmarks/{by_noisy.pk}").status_code == 200
    assert client.get(f"/bookmarks/{of_muted.pk}").status_code == 200
    assert set(visible_bookmarks(muter).values_list("pk", flat=True)) == set()


# ---------------------------------------------------------------------------------------------
# Who may do what


@dataclass
class World:
    creator: User
    users: dict[str, User]
    series: Series

    def client(self, actor: str) -> Client:
        client = Client()
        if actor != "guest":
            client.force_login(self.users[actor])
        return client


@pytest.fixture
def world() -> World:
    creator = make_user("creator")
    users = {name: make_user(f"the_{name}") for name in ("reader", "blocked", "muted", "admin")}
    users["creator"] = creator
    User.objects.filter(pk=users["admin"].pk).update(is_superuser=True)
    users["admin"].refresh_from_db()
    block_user(blocker=creator, blocked=users["blocked"])
    mute_user(muter=creator, muted=users["muted"])
    series = make_series(creator, make_work(creator))
    return World(creator, users, series)


@pytest.mark.parametrize("actor", ["reader", "creator", "blocked", "muted", "admin"])
def test_registered_actors_may_bookmark_a_series(world: World, actor: str) -> None:
    # Blocking refuses what reaches the blocker; a bookmark is the reader's own list.
    response = post_bookmark(world.client(actor), world.series, notes=f"by {actor}")
    assert response.status_code == 302
    assert Bookmark.objects.get().user_id == world.users[actor].pk


def test_guests_are_sent_to_log_in_and_change_nothing(world: World) -> None:
    before = snapshot()
    response = post_bookmark(Client(), world.series, notes="x")
    assert response.status_code == 302 and "/login" in response["Location"]
    new = Client().get(f"/series/{world.series.pk}/bookmarks/new")
    assert new.status_code == 302 and "/login" in new["Location"]
    assert snapshot() == before
    assert "Bookmark Series" not in Client().get(f"/series/{world.series.pk}").content.decode()


SERIES_KINDS = ["public", "restricted", "draft", "hidden"]
ACTORS = ["guest", "reader", "creator", "blocked", "muted", "admin"]


def expected_outcome(actor: str, kind: str) -> str:
    """What POST /series/ID/bookmarks does for `actor` on a series of one `kind` of work."""
    if actor == "creator":
        # Creators open their series whatever its works; one with nothing posted is refused.
        return "made" if kind in ("public", "restricted") else "refused"
    if kind == "public":
        return "login" if actor == "guest" else "made"
    if kind == "restricted" and actor != "guest":
        return "made"
    return "missing"  # the series is not there for them


@pytest.mark.parametrize("kind", SERIES_KINDS)
@pytest.mark.parametrize("actor", ACTORS)
def test_the_permission_matrix_for_bookmarking_a_series(
    world: World, actor: str, kind: str
) -> None:
    creator = world.creator
    work = make_work(creator, title=f"{kind} part", restricted=kind == "restricted")
    series = make_series(creator, work, title=f"{kind} series")
    if kind == "draft":
        Work.objects.filter(pk=work.pk).update(posted=False)
    elif kind == "hidden":
        Work.objects.filter(pk=work.pk).update(hidden_by_admin=True)
    before = snapshot()
    response = post_bookmark(world.client(actor), series, notes="n", tag_string="t")
    outcome = expected_outcome(actor, kind)
    if outcome == "made":
        assert response.status_code == 302
        bookmark = Bookmark.objects.get()
        assert response["Location"] == f"/bookmarks/{bookmark.pk}"
        assert bookmark.user_id == world.users[actor].pk and bookmark.series_id == series.pk
        return
    if outcome == "missing":
        assert response.status_code == 404
    elif outcome == "login":
        assert response.status_code == 302 and "/login" in response["Location"]
    else:
        assert response.status_code == 302 and response["Location"] == f"/series/{series.pk}"
    assert snapshot() == before


@pytest.mark.parametrize("actor", ["guest", "creator", "blocked", "muted", "admin"])
def test_only_the_bookmarker_edits(world: World, actor: str) -> None:
    bookmark = mark(world.users["reader"], world.series, notes="mine")
    before = snapshot()
    client = world.client(actor)
    response = client.post(f"/bookmarks/{bookmark.pk}/edit", {"bookmark[notes]": "theirs"})
    assert response.status_code in (302, 404)
    if response.status_code == 302:
        assert "/login" in response["Location"]
    assert snapshot() == before


@pytest.mark.parametrize("actor", ["guest", "creator", "blocked", "muted"])
def test_others_may_not_delete(world: World, actor: str) -> None:
    bookmark = mark(world.users["reader"], world.series)
    before = snapshot()
    response = world.client(actor).post(f"/bookmarks/{bookmark.pk}/delete")
    assert response.status_code in (302, 404)
    if response.status_code == 302:
        assert "/login" in response["Location"]
    assert snapshot() == before


def test_an_admin_deletes_a_public_series_bookmark_but_never_sees_a_private_one(
    world: World,
) -> None:
    public = mark(world.users["reader"], world.series)
    private = mark(world.users["blocked"], world.series, private=True)
    admin = world.client("admin")
    before = snapshot()
    assert admin.post(f"/bookmarks/{private.pk}/delete").status_code == 404
    assert snapshot() == before
    assert admin.post(f"/bookmarks/{public.pk}/delete").status_code == 302
    assert list(Bookmark.objects.values_list("pk", flat=True)) == [private.pk]
    assert bookmark_delete(bookmark=public) is False  # a second click finds it gone


# ---------------------------------------------------------------------------------------------
# Filtering


def test_work_tags_reach_series_through_their_visible_parts() -> None:
    wrangler = make_user("wrangler")
    User.objects.filter(pk=wrangler.pk).update(is_superuser=True)
    wrangler.refresh_from_db()
    for name in ("Kira Vale", "Secret Person"):
        (tag,) = tags_find_or_create(names=[name], tag_type=TagType.CHARACTER)
        wrangling.tag_make_canonical(actor=wrangler, tag=tag)
    (kira_v,) = tags_find_or_create(names=["Kira V."], tag_type=TagType.CHARACTER)
    wrangling.tag_make_synonym(
        actor=wrangler, tag=kira_v, canonical=Tag.objects.get(name="Kira Vale")
    )
    creator = make_user()
    kira = make_work(creator, title="Kira", characters=["Kira Vale"])
    draft = make_work(creator, title="Secret", characters=["Secret Person"], post=False)
    series = make_series(creator, kira, draft, title="Kira Cycle")
    # Tagged with the synonym: the filter table finds it under the canonical tag.
    both = make_work(creator, title="Both", characters=["Kira V."])
    twice = make_series(creator, kira, both, title="Twice Cycle")
    plain = make_work(creator, title="Plain")
    reader = make_user("reader")
    on_series = mark(reader, series, tag_names=["fave"])
    on_twice = mark(reader, twice)
    on_plain = bookmark_save(
        user=reader, pseud=reader.pseuds.get(), data=BookmarkData(), work=plain
    )
    kira_tag = Tag.objects.get(name="Kira Vale")
    secret = Tag.objects.get(name="Secret Person")
    fave = Tag.objects.get(name="fave")

    def found(**request) -> set[int]:
        result = search(
            AnonymousUser(), BookmarkSearch(owner_id=reader.pk, **request), faceted=True
        )
        return set(result.bookmark_ids)

    assert found(include_work_tag_ids=[kira_tag.pk]) == {on_series.pk, on_twice.pk}
    assert found(exclude_work_tag_ids=[kira_tag.pk]) == {on_plain.pk}
    # A draft part's tags are not the series' tags (that would tell that the draft exists).
    assert found(include_work_tag_ids=[secret.pk]) == set()
    assert found(exclude_work_tag_ids=[secret.pk]) == {on_series.pk, on_twice.pk, on_plain.pk}
    assert found(include_bookmark_tag_ids=[fave.pk]) == {on_series.pk}
    assert found(exclude_bookmark_tag_ids=[fave.pk]) == {on_twice.pk, on_plain.pk}
    # Facets: each series bookmark counts once per tag, however many parts carry it.
    facets = search(AnonymousUser(), BookmarkSearch(owner_id=reader.pk), faceted=True).facets
    assert dict(facets[TagType.CHARACTER])[kira_tag.pk] == 2
    assert secret.pk not in dict(facets[TagType.CHARACTER])
    # Through the page, with AO3's parameters.
    page = Client().get(
        "/users/reader/bookmarks", {"include_bookmark_search[character_ids][]": str(kira_tag.pk)}
    )
    assert page.status_code == 200
    text = page.content.decode()
    assert "Kira Cycle" in text and "Twice Cycle" in text and "Plain" not in text


def test_a_series_listing_page_costs_a_fixed_number_of_queries(
    django_assert_max_num_queries,
) -> None:
    creator = make_user()
    reader = make_user("reader")
    for n in range(3):
        mark(reader, make_series(creator, make_work(creator), title=f"S{n}"))
    client = Client()
    client.get("/users/reader/bookmarks")
    with django_assert_max_num_queries(14) as few:
        client.get("/users/reader/bookmarks")
    for n in range(3, 9):
        mark(reader, make_series(creator, make_work(creator), title=f"S{n}"))
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert "1 - 9 of 9" in client.get("/users/reader/bookmarks").content.decode()


# ---------------------------------------------------------------------------------------------
# Parallel submits


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_parallel_form_posts_make_one_series_bookmark() -> None:
    creator = make_user()
    series = make_series(creator, make_work(creator))
    reader = make_user()

    def submit(n: int) -> int:
        client = Client()
        client.force_login(reader)
        return post_bookmark(client, series, notes=f"n{n}", tag_string=f"t{n}").status_code

    results, errors = run_together(4, submit)
    assert errors == []
    assert results == [302] * 4
    bookmark = Bookmark.objects.get()
    n = bookmark.notes.removeprefix("n")
    assert list(bookmark.tags.values_list("name", flat=True)) == [f"t{n}"]
