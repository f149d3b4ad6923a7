"""Every persona tries every kudos, reading and account-relation action on every kind of work.

The expected outcome of each cell is written out in a table, so a change in who may do what
shows up as a failing cell. A refused action must leave the database as it was.
"""

import pytest

from fanworks.engagement.models import Kudos, Reading
from fanworks.engagement.tests.matrix import PERSONAS, WORK_KINDS, build_world, snapshot

pytestmark = pytest.mark.django_db

# What happens when each persona presses "Kudos" on each kind of work:
# "ok" leaves kudos, "refused" comes back to the work with a reason and writes nothing,
# "404" does not admit the work exists.
KUDOS = {
    "public": {
        "guest": "ok",
        "reader": "ok",
        "creator": "refused",
        "blocked": "refused",
        "muted": "ok",
        "admin": "ok",
    },
    "restricted": {
        "guest": "404",
        "reader": "ok",
        "creator": "refused",
        "blocked": "refused",
        "muted": "ok",
        "admin": "ok",
    },
    "draft": {
        "guest": "404",
        "reader": "404",
        "creator": "refused",
        "blocked": "404",
        "muted": "404",
        "admin": "404",
    },
}


@pytest.mark.parametrize("work_kind", WORK_KINDS)
@pytest.mark.parametrize("persona", PERSONAS)
def test_kudos(persona: str, work_kind: str) -> None:
    world = build_world()
    work = world.works[work_kind]
    client = world.client_for(persona)
    before = snapshot()

    response = client.post(f"/works/{work.pk}/kudos")

    expected = KUDOS[work_kind][persona]
    if expected == "404":
        assert response.status_code == 404
        assert snapshot() == before
        return
    assert response.status_code == 302
    after = snapshot()
    page = client.get(response["Location"]).content.decode()
    if expected == "refused":
        assert after == before
        assert "Thank you for leaving kudos!" not in page
    else:
        assert Kudos.objects.filter(work=work).count() == 1
        assert "Thank you for leaving kudos!" in page


# "Mark for Later" / "Mark as Read": any registered reader who can see a posted work; guests are
# asked to log in.
MARK = {
    "public": {"guest": "login", **dict.fromkeys(PERSONAS[1:], "ok")},
    "restricted": {"guest": "login", **dict.fromkeys(PERSONAS[1:], "ok")},
    "draft": {"guest": "login", **dict.fromkeys(PERSONAS[1:], "404")},
}


@pytest.mark.parametrize("action", ["mark_for_later", "mark_as_read"])
@pytest.mark.parametrize("work_kind", WORK_KINDS)
@pytest.mark.parametrize("persona", PERSONAS)
def test_marks(persona: str, work_kind: str, action: str) -> None:
    world = build_world()
    work = world.works[work_kind]
    client = world.client_for(persona)
    before = snapshot()

    response = client.post(f"/works/{work.pk}/{action}")

    expected = MARK[work_kind][persona]
    if expected == "login":
        assert response.status_code == 302
        assert response["Location"].startswith("/users/login")
        assert snapshot() == before
    elif expected == "404":
        assert response.status_code == 404
        assert snapshot() == before
    else:
        assert response.status_code == 302
        reading = Reading.objects.get(user=world.user(persona), work=work)
        assert reading.marked_for_later is (action == "mark_for_later")


# The creator's own pages: history, its changes, stats, the block and mute lists. Only the
# creator gets in; guests are asked to log in; everyone else, admins included, gets 404 (an
# admin reads accounts through the admin site, not by becoming the user).
OWNER_PAGES = [
    ("get", "/users/maker/readings", {}),
    ("post", "/users/maker/readings/change", {"change": "clear"}),
    ("post", "/users/maker/readings/change", {"change": "off"}),
    ("get", "/users/maker/stats", {}),
    ("get", "/users/maker/blocked", {}),
    ("post", "/users/maker/blocked", {"username": "plainreader"}),
    ("post", "/users/maker/blocked", {"username": "blockedreader", "change": "unblock"}),
    ("get", "/users/maker/muted", {}),
    ("post", "/users/maker/muted", {"username": "plainreader"}),
    ("post", "/users/maker/muted", {"username": "mutedreader", "change": "unmute"}),
]


@pytest.mark.parametrize(("method", "path", "data"), OWNER_PAGES)
@pytest.mark.parametrize("persona", PERSONAS)
def test_a_creators_own_pages(persona: str, method: str, path: str, data: dict[str, str]) -> None:
    world = build_world()
    client = world.client_for(persona)
    before = snapshot()

    response = getattr(client, method)(path, data)

    if persona == "creator":
        assert response.status_code in (200, 302)
        return
    if persona == "guest":
        assert response.status_code == 302
        assert response["Location"].startswith("/users/login")
    else:
        assert response.status_code == 404
    assert snapshot() == before


@pytest.mark.parametrize("persona", ["reader", "blocked", "muted", "admin"])
def test_nobody_blocks_or_mutes_themselves(persona: str) -> None:
    world = build_world()
    user = world.user(persona)
    assert user is not None
    client = world.client_for(persona)
    before = snapshot()
    for relation in ("blocked", "muted"):
        response = client.post(f"/users/{user.username}/{relation}", {"username": user.username})
        assert response.status_code == 302
    assert snapshot() == before
