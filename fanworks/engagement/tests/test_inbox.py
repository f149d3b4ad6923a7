"""The inbox page: owner only, newest first, unread filter and count, mark read/unread and
delete (one or selected), and server-side filtering of muted users and unseeable works."""

from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from fanworks.accounts.actions import mute_user, unmute_user
from fanworks.accounts.models import User
from fanworks.core.testing import make_user, make_work
from fanworks.engagement.models import Notification, NotificationKind
from fanworks.engagement.queries import inbox_notifications, inbox_unread_count
from fanworks.works.models import Work

pytestmark = pytest.mark.django_db


def logged_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def note(recipient: User, work: Work, text: str, *, actor: User | None = None, **extra: Any):
    return Notification.objects.create(
        recipient=recipient,
        kind=NotificationKind.CHAPTER,
        event_key=f"test:{text}",
        actor=actor,
        work=work,
        text=text,
        **extra,
    )


def state() -> list[tuple[Any, ...]]:
    return list(Notification.objects.order_by("pk").values_list("pk", "recipient", "read"))


@pytest.fixture
def setting() -> dict[str, Any]:
    writer = make_user("writer")
    reader = make_user("reader")
    work = make_work(writer, title="Harbour Lights")
    older = note(reader, work, "First update", actor=writer)
    newer = note(reader, work, "Second <b>update</b>", actor=writer)
    return {"writer": writer, "reader": reader, "work": work, "older": older, "newer": newer}


def test_the_inbox_lists_newest_first_with_unread_marked_and_counted(setting) -> None:
    client = logged_in(setting["reader"])
    setting["older"].read = True
    setting["older"].save()
    page = client.get("/users/reader/inbox").content.decode()
    assert page.index("Second &lt;b&gt;update&lt;/b&gt;") < page.index("First update")
    assert f'id="notification_{setting["newer"].pk}"' in page
    assert 'class="notification chapter unread"' in page
    assert 'class="notification chapter read"' in page
    assert 'class="inbox-link">Inbox <span class="unread-count">(1' in page
    unread = client.get("/users/reader/inbox?filter=unread").content.decode()
    assert "Second &lt;b&gt;update&lt;/b&gt;" in unread and "First update" not in unread


def test_marking_read_unread_and_deleting_one_or_several(setting) -> None:
    client = logged_in(setting["reader"])
    older, newer = setting["older"], setting["newer"]
    response = client.post("/users/reader/inbox/update", {"one": f"read:{newer.pk}"})
    assert response.status_code == 302
    assert response["Location"] == "/users/reader/inbox"
    assert Notification.objects.get(pk=newer.pk).read is True
    client.post("/users/reader/inbox/update", {"one": f"unread:{newer.pk}"})
    assert Notification.objects.get(pk=newer.pk).read is False
    client.post("/users/reader/inbox/update", {"change": "read", "ids": [older.pk, newer.pk]})
    assert inbox_unread_count(setting["reader"]) == 0
    client.post("/users/reader/inbox/update", {"change": "delete", "ids": [older.pk]})
    assert list(Notification.objects.values_list("pk", flat=True)) == [newer.pk]
    client.post("/users/reader/inbox/update", {"one": f"delete:{newer.pk}"})
    assert not Notification.objects.exists()


def test_nothing_selected_changes_nothing(setting) -> None:
    client = logged_in(setting["reader"])
    before = state()
    response = client.post("/users/reader/inbox/update", {"change": "read"})
    assert response.status_code == 302
    assert state() == before


@pytest.mark.parametrize(
    "data",
    [
        {"change": "read", "ids": ["abc"]},
        {"change": "delete", "ids": ["-1"]},
        {"change": "delete", "ids": ["9" * 30]},
        {"one": "delete:abc"},
        {"one": "read:"},
    ],
)
def test_malformed_ids_answer_404_and_change_nothing(setting, data) -> None:
    client = logged_in(setting["reader"])
    before = state()
    assert client.post("/users/reader/inbox/update", data).status_code == 404
    assert state() == before


@pytest.mark.parametrize(
    "data", [{"change": "explode", "ids": ["1"]}, {"one": "explode:1"}, {"change": ""}]
)
def test_unknown_changes_answer_400(setting, data) -> None:
    before = state()
    assert logged_in(setting["reader"]).post("/users/reader/inbox/update", data).status_code == 400
    assert state() == before


def test_too_many_selected_answers_400(setting) -> None:
    before = state()
    data = {"change": "delete", "ids": [str(setting["older"].pk)] * 201}
    assert logged_in(setting["reader"]).post("/users/reader/inbox/update", data).status_code == 400
    assert state() == before


def test_other_users_notifications_are_404_and_untouched(setting) -> None:
    stranger = make_user("stranger")
    theirs = note(stranger, setting["work"], "Not yours")
    client = logged_in(setting["reader"])
    before = state()
    for data in (
        {"one": f"delete:{theirs.pk}"},
        {"change": "read", "ids": [theirs.pk]},
        # One of one's own with one of theirs: all or nothing.
        {"change": "delete", "ids": [setting["older"].pk, theirs.pk]},
    ):
        assert client.post("/users/reader/inbox/update", data).status_code == 404
    assert (
        client.post("/users/stranger/inbox/update", {"one": f"delete:{theirs.pk}"}).status_code
        == 404
    )
    assert state() == before


def test_only_the_owner_sees_the_inbox(setting) -> None:
    guest = Client().get("/users/reader/inbox")
    assert guest.status_code == 302
    assert guest["Location"].startswith("/users/login?")
    before = state()
    assert Client().post("/users/reader/inbox/update", {"one": "delete:1"}).status_code == 302
    admin = make_user("archivist")
    User.objects.filter(pk=admin.pk).update(is_staff=True, is_superuser=True)
    assert logged_in(admin).get("/users/reader/inbox").status_code == 404
    assert logged_in(setting["writer"]).get("/users/reader/inbox").status_code == 404
    assert state() == before


def test_muted_actors_and_unseeable_works_are_left_out_on_the_server(setting) -> None:
    reader, writer = setting["reader"], setting["writer"]
    other_work = make_work(make_user("other"), title="Other Tide")
    kept = note(reader, other_work, "From someone else")
    mute_user(muter=reader, muted=writer)
    assert list(inbox_notifications(reader)) == [kept]
    page = logged_in(reader).get("/users/reader/inbox").content.decode()
    assert "First update" not in page and "From someone else" in page
    assert inbox_unread_count(reader) == 1
    unmute_user(muter=reader, muted=writer)
    assert len(inbox_notifications(reader)) == 3

    Work.objects.filter(pk=other_work.pk).update(hidden_by_admin=True)
    assert kept not in list(inbox_notifications(reader))
    Work.objects.filter(pk=other_work.pk).update(hidden_by_admin=False, posted=False)
    assert kept not in list(inbox_notifications(reader))


def test_the_inbox_is_paginated(setting) -> None:
    for n in range(25):
        note(setting["reader"], setting["work"], f"Update number {n}")
    client = logged_in(setting["reader"])
    first = client.get("/users/reader/inbox").content.decode()
    assert "Update number 24" in first and "Update number 4" not in first
    second = client.get("/users/reader/inbox?page=2").content.decode()
    assert "Update number 4" in second and "First update" in second
    unread = client.get("/users/reader/inbox?filter=unread").content.decode()
    assert 'href="?filter=unread&amp;page=2"' in unread
    assert client.get("/users/reader/inbox?page=9").status_code == 404
    assert client.get("/users/reader/inbox?page=x").status_code == 404


def test_guests_have_no_inbox_link_and_readers_have_one() -> None:
    assert "/inbox" not in Client().get("/").content.decode()
    reader = make_user("reader")
    page = logged_in(reader).get("/").content.decode()
    assert '<a href="/users/reader/inbox" class="inbox-link">Inbox</a>' in page


def test_the_inbox_costs_the_same_queries_for_one_entry_or_a_full_page(
    setting, django_assert_max_num_queries
) -> None:
    client = logged_in(setting["reader"])
    with CaptureQueriesContext(connection) as few:
        client.get("/users/reader/inbox")
    for n in range(20):
        note(setting["reader"], make_work(make_user(f"author{n}")), f"Update {n}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get("/users/reader/inbox")
