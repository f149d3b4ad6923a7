"""Who may bookmark what, and edit or delete which bookmark: every actor against every kind of
work, through the real views. A refused request changes nothing in the database.

A reader blocked by the creator may still bookmark (AO3's block covers what reaches the
blocker: comments, kudos, gifts). Muting is the muter's own filter: either side may bookmark.
"""

from dataclasses import dataclass

import pytest
from django.test import Client

from fanworks.accounts.actions import block_user, mute_user
from fanworks.accounts.models import User
from fanworks.core.testing import make_user, make_work
from fanworks.engagement.actions import BookmarkData, bookmark_save
from fanworks.engagement.models import Bookmark, BookmarkTag
from fanworks.works.models import Work

pytestmark = pytest.mark.django_db

ACTORS = ["guest", "reader", "creator", "blocked", "muted", "muter", "admin"]
STATES = ["public", "restricted", "draft", "hidden"]


@dataclass
class World:
    creator: User
    users: dict[str, User]
    works: dict[str, Work]

    def client(self, actor: str) -> Client:
        client = Client()
        if actor != "guest":
            client.force_login(self.users[actor])
        return client


@pytest.fixture
def world() -> World:
    creator = make_user("creator")
    users = {
        name: make_user(f"the_{name}") for name in ("reader", "blocked", "muted", "muter", "admin")
    }
    users["creator"] = creator
    users["admin"].is_superuser = True
    users["admin"].save()
    block_user(blocker=creator, blocked=users["blocked"])
    mute_user(muter=creator, muted=users["muted"])
    mute_user(muter=users["muter"], muted=creator)
    works = {
        "public": make_work(creator, title="Public"),
        "restricted": make_work(creator, title="Restricted", restricted=True),
        "draft": make_work(creator, title="Draft", post=False),
        "hidden": make_work(creator, title="Hidden"),
    }
    Work.objects.filter(pk=works["hidden"].pk).update(hidden_by_admin=True)
    return World(creator, users, works)


def state() -> tuple:
    return (
        list(Bookmark.objects.order_by("pk").values()),
        list(BookmarkTag.objects.order_by("pk").values_list("bookmark_id", "tag_id")),
        list(Work.objects.order_by("pk").values_list("pk", "bookmark_count")),
    )


def expected_create(actor: str, work_state: str) -> str:
    """ "created", "login" (guests are asked to log in), "refused" (the work page says why)
    or "missing" (404: the actor may not see the work)."""
    if actor == "guest":
        return "login"
    if work_state in ("draft", "hidden"):
        return "refused" if actor == "creator" else "missing"
    return "created"


@pytest.mark.parametrize("work_state", STATES)
@pytest.mark.parametrize("actor", ACTORS)
def test_bookmarking(world: World, actor: str, work_state: str) -> None:
    work = world.works[work_state]
    before = state()
    response = world.client(actor).post(
        f"/works/{work.pk}/bookmarks",
        {"bookmark[notes]": "note", "bookmark[tag_string]": "mine"},
    )
    outcome = expected_create(actor, work_state)
    if outcome == "created":
        assert response.status_code == 302
        bookmark = Bookmark.objects.get()
        assert bookmark.user == world.users[actor] and bookmark.work_id == work.pk
        work.refresh_from_db()
        assert work.bookmark_count == 1
        return
    assert state() == before
    if outcome == "login":
        assert response.status_code == 302
        assert response["Location"].startswith("/users/login")
    elif outcome == "missing":
        assert response.status_code == 404
    else:
        assert response.status_code == 302 and response["Location"] == f"/works/{work.pk}"


@pytest.mark.parametrize("work_state", ["public", "restricted"])
@pytest.mark.parametrize("actor", ACTORS)
def test_editing_and_deleting_someone_elses_bookmark(
    world: World, actor: str, work_state: str
) -> None:
    """Only the bookmarker edits; the bookmarker or an admin deletes; others get 404 (guests
    are asked to log in) and nothing changes."""
    owner = make_user("owner")
    work = world.works[work_state]
    bookmark = bookmark_save(
        user=owner, pseud=owner.pseuds.get(), data=BookmarkData(notes="theirs"), work=work
    )
    client = world.client(actor)
    before = state()
    edit = client.post(f"/bookmarks/{bookmark.pk}/edit", {"bookmark[notes]": "mine now"})
    assert state() == before
    if actor == "guest":
        assert edit.status_code == 302 and edit["Location"].startswith("/users/login")
    else:
        assert edit.status_code == 404
        assert client.get(f"/bookmarks/{bookmark.pk}/edit").status_code == 404
    delete = client.post(f"/bookmarks/{bookmark.pk}/delete")
    if actor == "admin":
        assert delete.status_code == 302
        assert not Bookmark.objects.exists()
        work.refresh_from_db()
        assert work.bookmark_count == 0
        return
    assert state() == before
    assert delete.status_code == (302 if actor == "guest" else 404)


@pytest.mark.parametrize("actor", ACTORS)
def test_seeing_bookmarks_of_each_kind_of_work(world: World, actor: str) -> None:
    """A bookmark shows where the viewer may see its work; a guest never sees restricted
    works' bookmarks, nobody sees a draft's or a hidden work's, and a muter doesn't see
    bookmarks of the muted creator's works."""
    owner = make_user("owner")
    for work_state in ("public", "restricted"):
        bookmark_save(
            user=owner,
            pseud=owner.pseuds.get(),
            data=BookmarkData(notes=f"note on {work_state}"),
            work=world.works[work_state],
        )
    # Bookmarks made before the work became a draft or hidden.
    for work_state in ("draft", "hidden"):
        work = world.works[work_state]
        Work.objects.filter(pk=work.pk).update(posted=True, hidden_by_admin=False)
        bookmark_save(
            user=owner,
            pseud=owner.pseuds.get(),
            data=BookmarkData(notes=f"note on {work_state}"),
            work=work,
        )
    Work.objects.filter(pk=world.works["draft"].pk).update(posted=False)
    Work.objects.filter(pk=world.works["hidden"].pk).update(hidden_by_admin=True)
    client = world.client(actor)
    page = client.get("/users/owner/bookmarks").content.decode()
    sees = {s for s in STATES if f"note on {s}" in page}
    expected = {"public", "restricted"}
    if actor == "guest":
        expected = {"public"}
    elif actor == "muter":
        expected = set()
    assert sees == expected
    # One bookmark's page opens by link for a muter too, as the work page does.
    by_link = {"public", "restricted"} if actor == "muter" else expected
    for work_state in STATES:
        bookmark = Bookmark.objects.get(work=world.works[work_state])
        status = client.get(f"/bookmarks/{bookmark.pk}").status_code
        assert (status == 200) == (work_state in by_link), work_state
        listing = client.get(f"/works/{world.works[work_state].pk}/bookmarks")
        if work_state in ("draft", "hidden") or (actor == "guest" and work_state == "restricted"):
            assert listing.status_code == 404
