"""Who may invite co-creators, leave a work, and answer invitations: seven kinds of visitor
(a guest, a reader, the creator, an accepted co-creator, an invitee who has not answered, a
reader the creator blocked, an admin) on public, restricted and draft works. Every refusal
leaves every creatorship, invitation, notification and outbox row as it was."""

from dataclasses import dataclass

import pytest
from django.test import Client

from fanworks.accounts.actions import block_user
from fanworks.accounts.models import User
from fanworks.core.testing import make_user, make_work
from fanworks.works.cocreator_models import CreatorInvitation
from fanworks.works.models import Creatorship, Work
from fanworks.works.tests.cocreator_helpers import accept_all, invite, snapshot
from fanworks.works.tests.series_helpers import form_post, new_series

pytestmark = pytest.mark.django_db

PERSONAS = ("guest", "reader", "creator", "cocreator", "invitee", "blocked", "admin")
WORK_KINDS = ("public", "restricted", "draft")
# Who may invite others to, and leave, a work: its credited creators only.
CREDITED = {"creator", "cocreator"}


@dataclass
class World:
    users: dict[str, User]
    works: dict[str, Work]

    def client(self, persona: str) -> Client:
        client = Client()
        if persona != "guest":
            client.force_login(self.users[persona])
        return client


@pytest.fixture
def world() -> World:
    users = {
        name: make_user(f"{name}1")  # "admin" itself is a reserved username
        for name in ("creator", "cocreator", "invitee", "reader", "blocked", "admin", "newcomer")
    }
    User.objects.filter(pk=users["admin"].pk).update(is_staff=True, is_superuser=True)
    block_user(blocker=users["creator"], blocked=users["blocked"])
    works = {
        "public": make_work(users["creator"], title="Open Harbour"),
        "restricted": make_work(users["creator"], title="Locked Harbour", restricted=True),
        "draft": make_work(users["creator"], title="Unfinished Harbour", post=False),
    }
    for work in works.values():
        invite(users["creator"], work, "cocreator1")
    accept_all(users["cocreator"])
    for work in works.values():
        invite(users["creator"], work, "invitee1")
    return World(users, works)


def refused(response: object, persona: str) -> None:
    status = getattr(response, "status_code", None)
    if persona == "guest":
        assert status == 302 and "/users/login" in response["Location"]  # type: ignore[index]
    else:
        assert status == 404


@pytest.mark.parametrize("kind", WORK_KINDS)
@pytest.mark.parametrize("persona", PERSONAS)
def test_inviting_from_the_edit_form(world: World, persona: str, kind: str) -> None:
    work = world.works[kind]
    data = form_post(
        world.users["creator" if persona == "guest" else persona],
        title=work.title,
        version=str(work.version),
        invite_cocreators="newcomer1",
    )
    before = snapshot()
    response = world.client(persona).post(f"/works/{work.pk}/edit", data)
    if persona in CREDITED:
        assert response.status_code == 302
        assert CreatorInvitation.objects.filter(
            work=work, pseud__user=world.users["newcomer"]
        ).exists()
    else:
        refused(response, persona)
        assert snapshot() == before


@pytest.mark.parametrize("kind", WORK_KINDS)
@pytest.mark.parametrize("persona", PERSONAS)
def test_edit_page_and_credit_follow_acceptance_only(world: World, persona: str, kind: str) -> None:
    work = world.works[kind]
    response = world.client(persona).get(f"/works/{work.pk}/edit")
    if persona in CREDITED:
        assert response.status_code == 200
    else:
        refused(response, persona)
    credited = set(
        Creatorship.objects.filter(work=work).values_list("pseud__user__username", flat=True)
    )
    assert credited == {"creator1", "cocreator1"}  # the unanswered invitee is not credited


@pytest.mark.parametrize("kind", WORK_KINDS)
@pytest.mark.parametrize("persona", PERSONAS)
def test_removing_oneself(world: World, persona: str, kind: str) -> None:
    work = world.works[kind]
    before = snapshot()
    response = world.client(persona).post(f"/works/{work.pk}/remove_me")
    if persona in CREDITED:
        assert response.status_code == 302
        remaining = set(
            Creatorship.objects.filter(work=work).values_list("pseud__user__username", flat=True)
        )
        assert remaining == {f"{name}1" for name in CREDITED - {persona}}
    else:
        refused(response, persona)
        assert snapshot() == before


@pytest.mark.parametrize("persona", PERSONAS)
def test_answering_the_invitees_requests(world: World, persona: str) -> None:
    ids = list(CreatorInvitation.objects.values_list("pk", flat=True))
    client = world.client(persona)
    before = snapshot()
    page = client.get("/users/invitee1/creatorships")
    response = client.post("/users/invitee1/creatorships", {"invitation_ids": ids, "accept": "1"})
    if persona == "invitee":
        assert page.status_code == 200 and "Unfinished Harbour" in page.content.decode()
        assert response.status_code == 302
        assert not CreatorInvitation.objects.exists()
        assert all(
            Creatorship.objects.filter(work=work, pseud__user__username="invitee1").exists()
            for work in world.works.values()
        )
    else:
        refused(page, persona)
        refused(response, persona)
        assert snapshot() == before


@pytest.mark.parametrize("persona", PERSONAS)
def test_series_invitations_and_leaving(world: World, persona: str) -> None:
    series = new_series(world.users["creator"])
    invite(world.users["creator"], series, "cocreator1")
    accept_all(world.users["cocreator"])
    client = world.client(persona)
    before = snapshot()
    response = client.post(
        f"/series/{series.pk}/edit", {"title": series.title, "invite_cocreators": "newcomer1"}
    )
    if persona in CREDITED:
        assert response.status_code == 302
        assert CreatorInvitation.objects.filter(series=series).exists()
    else:
        refused(response, persona)
        assert snapshot() == before
    before = snapshot()
    response = client.post(f"/series/{series.pk}/remove_me")
    if persona in CREDITED:
        assert response.status_code == 302
    else:
        refused(response, persona)
        assert snapshot() == before
