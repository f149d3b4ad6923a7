"""Related works: who may approve, decline and remove (and that a refusal changes nothing),
and which children and parents each kind of viewer sees on the work page, for public,
restricted, draft and hidden works."""

from dataclasses import dataclass

import pytest
from django.test import Client

from fanworks.accounts.actions import block_user, mute_user
from fanworks.accounts.models import User
from fanworks.core.testing import make_user, make_work
from fanworks.engagement.models import Notification
from fanworks.works.models import RelatedWork, RelationState, Work
from fanworks.works.tests.related_helpers import link, parent_row, snapshot
from fanworks.works.tests.series_helpers import form_post

pytestmark = pytest.mark.django_db

PERSONAS = ("guest", "reader", "parent_creator", "child_creator", "blocked", "admin")
KINDS = ("public", "restricted", "draft", "hidden")


@dataclass
class World:
    parent_creator: User
    child_creator: User
    reader: User
    blocked: User
    admin: User
    parent: Work

    def client_for(self, persona: str) -> Client:
        client = Client()
        if persona != "guest":
            client.force_login(getattr(self, persona))
        return client


@pytest.fixture
def world() -> World:
    parent_creator, child_creator = make_user("inkwell"), make_user("fanling")
    reader, blocked, admin = make_user("plainreader"), make_user("blockedone"), make_user("boss")
    User.objects.filter(pk=admin.pk).update(is_staff=True, is_superuser=True)
    admin.refresh_from_db()
    block_user(blocker=parent_creator, blocked=blocked)
    parent = make_work(parent_creator, title="Salt and Lanterns")
    return World(parent_creator, child_creator, reader, blocked, admin, parent)


def child_of(world: World, kind: str, *, state: str = RelationState.PENDING) -> RelatedWork:
    """A child work of `kind` linked to the parent, in `state`."""
    child = make_work(
        world.child_creator,
        title=f"Child ({kind})",
        post=kind != "draft",
        restricted=kind == "restricted",
    )
    made = link(world.child_creator, child, world.parent, relation="podfic")
    if kind == "hidden":
        Work.objects.filter(pk=child.pk).update(hidden_by_admin=True)
    if state != made.state:
        RelatedWork.objects.filter(pk=made.pk).update(state=state)
        made.refresh_from_db()
    return made


# ---------------------------------------------------------------------------------------------
# Approve, decline, remove: only the right creator, only for a child they may see


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("verb", ["approve", "decline", "remove"])
def test_only_the_right_creator_may_act(world: World, persona: str, verb: str) -> None:
    made = child_of(world, "public")
    allowed = (verb in {"approve", "decline"} and persona == "parent_creator") or (
        verb == "remove" and persona == "child_creator"
    )
    before = snapshot()
    response = world.client_for(persona).post(f"/related_works/{made.pk}/{verb}")
    if allowed:
        assert response.status_code == 302
        assert snapshot() != before
        return
    if persona == "guest":
        assert response.status_code == 302 and "/users/login" in response["Location"]
    else:
        assert response.status_code == 404
    assert snapshot() == before


@pytest.mark.parametrize("kind", ["draft", "hidden"])
@pytest.mark.parametrize("verb", ["approve", "decline"])
def test_the_parent_creator_cannot_decide_on_a_child_they_cannot_see(
    world: World, kind: str, verb: str
) -> None:
    made = child_of(world, kind)
    before = snapshot()
    response = world.client_for("parent_creator").post(f"/related_works/{made.pk}/{verb}")
    assert response.status_code == 404
    assert snapshot() == before
    page = world.client_for("parent_creator").get("/users/inkwell/related_works")
    assert made.child.title not in page.content.decode()


def test_unknown_and_malformed_links_answer_404(world: World) -> None:
    client = world.client_for("parent_creator")
    assert client.post("/related_works/999999/approve").status_code == 404
    assert client.post("/related_works/99999999999999999999999/approve").status_code == 404
    assert client.get(f"/related_works/{child_of(world, 'public').pk}/approve").status_code == 405


@pytest.mark.parametrize("persona", ["guest", "reader", "child_creator", "admin"])
def test_only_the_owner_sees_the_related_works_page(world: World, persona: str) -> None:
    child_of(world, "public")
    response = world.client_for(persona).get("/users/inkwell/related_works")
    assert response.status_code in {302, 404}
    assert b"Child (public)" not in response.content


# ---------------------------------------------------------------------------------------------
# The parent lists only approved children the viewer may see


SEES = {
    # viewer: the kinds of approved child they see on the parent
    "guest": {"public"},
    "reader": {"public", "restricted"},
    "parent_creator": {"public", "restricted"},
    "child_creator": {"public", "restricted"},
    "blocked": {"public", "restricted"},
    "admin": {"public", "restricted"},
}


@pytest.mark.parametrize("persona", PERSONAS)
def test_children_on_the_parent_for_each_viewer(world: World, persona: str) -> None:
    for kind in KINDS:
        child_of(world, kind, state=RelationState.APPROVED)
    pending = make_work(world.child_creator, title="Child (pending)")
    link(world.child_creator, pending, world.parent)
    html = world.client_for(persona).get(f"/works/{world.parent.pk}").content.decode()
    shown = {kind for kind in KINDS if f"Child ({kind})" in html}
    assert shown == SEES[persona]
    assert "Child (pending)" not in html


def test_a_muted_childs_creator_is_left_out_for_the_muter(world: World) -> None:
    child_of(world, "public", state=RelationState.APPROVED)
    mute_user(muter=world.reader, muted=world.child_creator)
    html = world.client_for("reader").get(f"/works/{world.parent.pk}").content.decode()
    assert "Child (public)" not in html
    assert (
        "Child (public)"
        in world.client_for("guest").get(f"/works/{world.parent.pk}").content.decode()
    )


# ---------------------------------------------------------------------------------------------
# The child lists only parents the viewer may see


@pytest.mark.parametrize("persona", PERSONAS)
def test_parents_on_the_child_for_each_viewer(world: World, persona: str) -> None:
    parents = {}
    child = make_work(world.child_creator, title="The Child")
    for kind in ("public", "restricted", "hidden"):
        parents[kind] = make_work(world.parent_creator, title=f"Parent ({kind})")
        link(world.child_creator, child, parents[kind])
    # The child's creator may name a draft of their own.
    parents["draft"] = make_work(world.child_creator, title="Parent (draft)", post=False)
    link(world.child_creator, child, parents["draft"])
    Work.objects.filter(pk=parents["restricted"].pk).update(restricted=True)
    Work.objects.filter(pk=parents["hidden"].pk).update(hidden_by_admin=True)
    link(world.child_creator, child, None, url="https://e.example/1", title="Far Away", creator="Z")
    expected = {"public"} | ({"restricted"} if persona != "guest" else set())
    if persona == "child_creator":
        expected |= {"draft"}  # their own draft
    if persona == "parent_creator":
        expected |= {"hidden"}  # creators see their own hidden works, to know what happened
    html = world.client_for(persona).get(f"/works/{child.pk}").content.decode()
    shown = {kind for kind in KINDS if f"Parent ({kind})" in html}
    assert shown == expected
    assert '<a href="https://e.example/1" rel="nofollow">Far Away</a>' in html


# ---------------------------------------------------------------------------------------------
# Notifications never reveal what the parent's creator may not see


def test_no_notification_for_a_hidden_child_or_a_muted_linker(
    world: World, django_capture_on_commit_callbacks
) -> None:
    hidden = make_work(world.child_creator, title="Hidden Child")
    Work.objects.filter(pk=hidden.pk).update(hidden_by_admin=True)
    with django_capture_on_commit_callbacks(execute=True):
        link(world.child_creator, Work.objects.get(pk=hidden.pk), world.parent)
    assert not Notification.objects.exists()
    mute_user(muter=world.parent_creator, muted=world.reader)
    muted_child = make_work(world.reader, title="Muted Child")
    with django_capture_on_commit_callbacks(execute=True):
        link(world.reader, muted_child, world.parent)
    assert not Notification.objects.exists()
    # A restricted child is fine: the parent's creator is registered.
    restricted = make_work(world.child_creator, title="Members Child", restricted=True)
    with django_capture_on_commit_callbacks(execute=True):
        link(world.child_creator, restricted, world.parent)
    assert Notification.objects.filter(recipient=world.parent_creator).count() == 1


# ---------------------------------------------------------------------------------------------
# Naming a parent of each kind, as each persona


def parent_of_kind(world: World, kind: str) -> Work:
    work = make_work(
        world.parent_creator,
        title=f"Parent ({kind})",
        post=kind != "draft",
        restricted=kind == "restricted",
    )
    if kind == "hidden":
        Work.objects.filter(pk=work.pk).update(hidden_by_admin=True)
    return work


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("persona", PERSONAS)
def test_naming_a_parent_of_each_kind(world: World, persona: str, kind: str) -> None:
    parent = parent_of_kind(world, kind)
    user = None if persona == "guest" else getattr(world, persona)
    own = persona == "parent_creator"
    allowed = (
        user is not None and persona != "blocked" and (kind in {"public", "restricted"} or own)
    )
    before = snapshot()
    data = form_post(user or world.reader, title="New Child", **parent_row(1, work=str(parent.pk)))
    response = world.client_for(persona).post("/works/new", data)
    if allowed:
        assert response.status_code == 302
        made = RelatedWork.objects.get(parent_work=parent)
        # Linking one's own work needs nobody's approval; anyone else's waits for it.
        assert made.state == (RelationState.APPROVED if own else RelationState.PENDING)
        return
    assert snapshot() == before
    if user is None:
        assert response.status_code == 302 and "/users/login" in response["Location"]
        return
    assert response.status_code == 400
    html = response.content.decode()
    if persona == "blocked" and kind in {"public", "restricted"}:
        assert "has blocked you" in html
    else:
        assert "We couldn&#x27;t find that work on this archive." in html
        assert parent.title not in html
