"""Subscriptions: who may subscribe, the buttons and list, and the fan-out of new chapters and
works into subscribers' inboxes (restricted, draft, hidden, muted, blocked, self)."""

from collections.abc import Callable
from typing import Any

import pytest
from django.db import IntegrityError, transaction
from django.test import Client

from fanworks.accounts.actions import block_user, mute_user
from fanworks.accounts.models import User
from fanworks.core import jobs
from fanworks.core.models import Job
from fanworks.core.testing import PROSE, make_user, make_work
from fanworks.engagement.actions import subscription_create
from fanworks.engagement.models import Notification, NotificationKind, Subscription
from fanworks.engagement.notifications import FANOUT_JOB
from fanworks.engagement.stats import work_stats
from fanworks.works.actions import ChapterData, chapter_create, chapter_post, work_post
from fanworks.works.models import Chapter, Work

pytestmark = pytest.mark.django_db


def logged_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def subscribe(client: Client, owner: str, kind: str, target_id: Any, **extra: str):
    data = {
        "subscription[subscribable_type]": kind,
        "subscription[subscribable_id]": str(target_id),
        **extra,
    }
    return client.post(f"/users/{owner}/subscriptions", data)


def snapshot() -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    """Every subscription and notification, to assert that a refused action changed nothing."""
    return (
        list(Subscription.objects.order_by("pk").values_list("pk", "user", "work", "target_user")),
        list(Notification.objects.order_by("pk").values_list("pk", "read", "recipient")),
    )


@pytest.fixture
def committed(django_capture_on_commit_callbacks) -> Callable[..., Any]:
    """Run `action(**kwargs)` and then what it queued for after commit (the fan-out job)."""

    def run(action: Callable[..., Any], **kwargs: Any) -> Any:
        with django_capture_on_commit_callbacks(execute=True):
            return action(**kwargs)

    return run


def new_chapter(committed: Callable[..., Any], work: Work, *, post: bool = True) -> Chapter:
    return committed(chapter_create, work=work, data=ChapterData(content=PROSE), post=post)


def inbox_of(user: User) -> list[tuple[str, str]]:
    return list(
        Notification.objects.filter(recipient=user).order_by("pk").values_list("kind", "event_key")
    )


# ---------------------------------------------------------------------------------------------
# Subscribing through the pages


def test_a_reader_subscribes_to_a_work_and_sees_the_unsubscribe_button() -> None:
    work = make_work(make_user("writer"), title="Harbour Lights")
    reader = make_user("reader")
    client = logged_in(reader)
    page = client.get(f"/works/{work.pk}").content.decode()
    assert 'action="/users/reader/subscriptions"' in page
    assert 'value="Subscribe"' in page

    response = subscribe(client, "reader", "Work", work.pk, return_to=f"/works/{work.pk}")
    assert response.status_code == 302
    assert response["Location"] == f"/works/{work.pk}"
    subscription = Subscription.objects.get(user=reader)
    assert subscription.work == work
    page = client.get(f"/works/{work.pk}").content.decode()
    assert 'value="Unsubscribe"' in page
    assert f'action="/users/reader/subscriptions/{subscription.pk}"' in page

    subscribe(client, "reader", "Work", work.pk)  # again: still one
    assert Subscription.objects.filter(user=reader).count() == 1


def test_a_reader_subscribes_to_a_user_from_the_profile_and_unsubscribes_from_the_list() -> None:
    writer = make_user("writer")
    reader = make_user("reader")
    client = logged_in(reader)
    profile = client.get("/users/writer").content.decode()
    assert 'name="subscription[subscribable_type]" value="User"' in profile
    subscribe(client, "reader", "User", writer.pk, return_to="/users/writer")
    subscription = Subscription.objects.get(user=reader, target_user=writer)

    listing = client.get("/users/reader/subscriptions").content.decode()
    assert '<a href="/users/writer">writer</a>' in listing
    assert 'value="Unsubscribe"' in listing
    response = client.post(f"/users/reader/subscriptions/{subscription.pk}", {"_method": "delete"})
    assert response.status_code == 302
    assert response["Location"] == "/users/reader/subscriptions"
    assert not Subscription.objects.exists()


def test_no_button_on_ones_own_work_or_profile_and_none_for_guests() -> None:
    writer = make_user("writer")
    work = make_work(writer)
    own = logged_in(writer)
    assert 'value="Subscribe"' not in own.get(f"/works/{work.pk}").content.decode()
    assert 'value="Subscribe"' not in own.get("/users/writer").content.decode()
    assert 'value="Subscribe"' not in Client().get(f"/works/{work.pk}").content.decode()
    assert 'value="Subscribe"' not in Client().get("/users/writer").content.decode()


def test_subscribing_oneself_or_ones_own_work_is_refused_and_writes_nothing() -> None:
    writer = make_user("writer")
    work = make_work(writer)
    client = logged_in(writer)
    before = snapshot()
    response = subscribe(client, "writer", "Work", work.pk)
    assert response.status_code == 302
    response = subscribe(client, "writer", "User", writer.pk)
    assert response.status_code == 302
    assert snapshot() == before
    page = client.get("/users/writer").content.decode()
    assert "You can&#x27;t subscribe to yourself." in page
    with pytest.raises(IntegrityError), transaction.atomic():
        Subscription.objects.create(user=writer, target_user=writer)


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"subscription[subscribable_type]": "Tag", "subscription[subscribable_id]": "1"},
        {"subscription[subscribable_type]": "Work", "subscription[subscribable_id]": "x1"},
        {"subscription[subscribable_type]": "Work", "subscription[subscribable_id]": "-4"},
        {"subscription[subscribable_type]": "Work", "subscription[subscribable_id]": "0"},
        {"subscription[subscribable_type]": "User", "subscription[subscribable_id]": "9" * 40},
    ],
)
def test_malformed_subscribe_requests_get_400_and_change_nothing(data: dict[str, str]) -> None:
    make_work(make_user("writer"))
    client = logged_in(make_user("reader"))
    before = snapshot()
    assert client.post("/users/reader/subscriptions", data).status_code == 400
    assert snapshot() == before


def test_missing_targets_and_other_peoples_subscriptions_are_404() -> None:
    work = make_work(make_user("writer"))
    reader = make_user("reader")
    other = make_user("other")
    theirs = subscription_create(user=other, work=work)
    client = logged_in(reader)
    before = snapshot()
    assert subscribe(client, "reader", "Work", 999_999).status_code == 404
    assert subscribe(client, "reader", "User", 999_999).status_code == 404
    # Someone else's subscription id, through one's own address or theirs.
    assert client.post(f"/users/reader/subscriptions/{theirs.pk}").status_code == 404
    assert client.post(f"/users/other/subscriptions/{theirs.pk}").status_code == 404
    # Someone else's list, and subscribing in their name.
    assert client.get("/users/other/subscriptions").status_code == 404
    assert subscribe(client, "other", "Work", work.pk).status_code == 404
    assert snapshot() == before


# The permission matrix: who may subscribe to which work. "hidden" is hidden by an admin.
ACTORS = ["guest", "reader", "creator", "blocked", "muted", "muter", "admin"]
STATES = ["public", "restricted", "draft", "hidden"]
# (actor, state) → the HTTP status of the subscribe POST and whether a subscription results.
EXPECTED: dict[tuple[str, str], tuple[int, bool]] = {}
for _state in STATES:
    _visible = _state in ("public", "restricted")
    EXPECTED[("guest", _state)] = (302, False)  # to the login page
    for _actor in ("reader", "muted", "muter", "admin"):
        EXPECTED[(_actor, _state)] = (302, True) if _visible else (404, False)
    EXPECTED[("blocked", _state)] = (302, False) if _visible else (404, False)
    # A creator may load their own draft and hidden work, and is refused on every one.
    EXPECTED[("creator", _state)] = (302, False)


@pytest.mark.parametrize("actor", ACTORS)
@pytest.mark.parametrize("state", STATES)
def test_subscribe_permission_matrix(actor: str, state: str) -> None:
    creator = make_user("creator")
    work = make_work(creator, post=state != "draft", restricted=state == "restricted")
    if state == "hidden":
        Work.objects.filter(pk=work.pk).update(hidden_by_admin=True)
    users = {
        "creator": creator,
        "reader": make_user("reader"),
        "blocked": make_user("blocked"),
        "muted": make_user("muted"),
        "muter": make_user("muter"),
        "admin": make_user("archivist"),
    }
    User.objects.filter(pk=users["admin"].pk).update(is_staff=True, is_superuser=True)
    block_user(blocker=creator, blocked=users["blocked"])
    mute_user(muter=creator, muted=users["muted"])
    mute_user(muter=users["muter"], muted=creator)
    before = snapshot()
    if actor == "guest":
        client, owner = Client(), "reader"
    else:
        client, owner = logged_in(users[actor]), users[actor].username

    response = subscribe(client, owner, "Work", work.pk)
    status, subscribed = EXPECTED[(actor, state)]
    assert response.status_code == status
    if actor == "guest":
        assert response["Location"].startswith("/users/login?")
    if subscribed:
        assert Subscription.objects.filter(user=users[actor], work=work).count() == 1
    else:
        assert snapshot() == before
    # Unsubscribing someone else's (the reader's) subscription is never possible.
    if actor not in ("guest", "reader"):
        theirs = subscription_create(user=users["reader"], target_user=creator)
        before = snapshot()
        assert client.post(f"/users/{owner}/subscriptions/{theirs.pk}").status_code == 404
        assert snapshot() == before


def test_a_blocked_user_cannot_subscribe_to_the_blocker() -> None:
    writer = make_user("writer")
    blocked = make_user("blocked")
    block_user(blocker=writer, blocked=blocked)
    client = logged_in(blocked)
    before = snapshot()
    subscribe(client, "blocked", "User", writer.pk)
    assert snapshot() == before
    assert 'value="Subscribe"' not in client.get("/users/writer").content.decode()


# ---------------------------------------------------------------------------------------------
# Fan-out


def test_a_posted_chapter_reaches_each_work_subscriber_once(committed) -> None:
    writer = make_user("writer")
    work = make_work(writer, title="Harbour Lights")
    readers = [make_user(f"reader{n}") for n in range(3)]
    for reader in readers:
        subscription_create(user=reader, work=work)
    chapter = new_chapter(committed, work)

    for reader in readers:
        assert inbox_of(reader) == [(NotificationKind.CHAPTER, f"chapter:{chapter.pk}")]
    note = Notification.objects.get(recipient=readers[0])
    assert note.text == "“Harbour Lights” has a new chapter: Chapter 2"
    assert note.actor == writer and note.work == work and note.chapter == chapter
    assert not Notification.objects.filter(recipient=writer).exists()
    # One job for the whole fan-out, and running it again writes nothing new.
    job = Job.objects.get(kind=FANOUT_JOB)
    assert job.status == Job.Status.DONE
    Job.objects.filter(pk=job.pk).update(status=Job.Status.PENDING, cursor={})
    jobs.run_job_by_id(job.pk)
    assert Notification.objects.count() == 3


def test_a_draft_chapter_counts_when_it_is_posted(committed) -> None:
    work = make_work(make_user("writer"))
    reader = make_user("reader")
    subscription_create(user=reader, work=work)
    draft = new_chapter(committed, work, post=False)
    assert inbox_of(reader) == []
    committed(chapter_post, chapter=draft)
    assert inbox_of(reader) == [(NotificationKind.CHAPTER, f"chapter:{draft.pk}")]


def test_a_new_work_reaches_the_creators_subscribers_and_drafts_count_when_posted(
    committed,
) -> None:
    writer = make_user("writer")
    reader = make_user("reader")
    subscription_create(user=reader, target_user=writer)
    posted = committed(make_work, user=writer, title="Tide Tables")
    assert inbox_of(reader) == [(NotificationKind.WORK, f"work:{posted.pk}")]
    assert Notification.objects.get(recipient=reader).text == (
        "writer posted a new work: “Tide Tables”"
    )

    draft = committed(make_work, user=writer, post=False)
    assert len(inbox_of(reader)) == 1  # saving a draft tells no one
    committed(work_post, work=draft)
    assert inbox_of(reader)[-1] == (NotificationKind.WORK, f"work:{draft.pk}")


def test_restricted_works_reach_subscribers_but_hidden_ones_do_not(committed) -> None:
    writer = make_user("writer")
    reader = make_user("reader")
    subscription_create(user=reader, target_user=writer)
    restricted = committed(make_work, user=writer, restricted=True)
    assert inbox_of(reader) == [(NotificationKind.WORK, f"work:{restricted.pk}")]

    subscription_create(user=reader, work=restricted)
    Work.objects.filter(pk=restricted.pk).update(hidden_by_admin=True)
    new_chapter(committed, restricted)
    assert len(inbox_of(reader)) == 1


def test_subscribers_who_mute_or_are_blocked_by_the_creator_hear_nothing(committed) -> None:
    writer = make_user("writer")
    muter, blocked, plain = make_user("muter"), make_user("blocked"), make_user("plain")
    for user in (muter, blocked, plain):
        subscription_create(user=user, target_user=writer)
    mute_user(muter=muter, muted=writer)
    block_user(blocker=writer, blocked=blocked)
    work = committed(make_work, user=writer)
    assert inbox_of(plain) == [(NotificationKind.WORK, f"work:{work.pk}")]
    assert inbox_of(muter) == [] and inbox_of(blocked) == []


def test_the_creator_is_not_notified_of_their_own_posting(committed) -> None:
    writer = make_user("writer")
    work = make_work(writer)
    # A subscription that predates the creatorship (made directly in the database).
    Subscription.objects.create(user=writer, work=work)
    new_chapter(committed, work)
    assert inbox_of(writer) == []


def test_one_subscription_per_user_and_target_is_held_by_the_database() -> None:
    work = make_work(make_user("writer"))
    reader = make_user("reader")
    Subscription.objects.create(user=reader, work=work)
    with pytest.raises(IntegrityError), transaction.atomic():
        Subscription.objects.create(user=reader, work=work)
    with pytest.raises(IntegrityError), transaction.atomic():
        Subscription.objects.create(user=reader)  # no target
    with pytest.raises(IntegrityError), transaction.atomic():
        Subscription.objects.create(user=reader, work=work, target_user=make_user("both"))


def test_stats_count_subscriptions_per_work_and_in_total() -> None:
    writer = make_user("writer")
    first, second = make_work(writer, title="One"), make_work(writer, title="Two")
    for n in range(3):
        subscription_create(user=make_user(f"fan{n}"), work=first)
    subscription_create(user=make_user("fan9"), work=second)
    works, totals = work_stats(writer, "subscriptions")
    assert [(w.title, w.values["subscriptions"]) for w in works] == [("One", 3), ("Two", 1)]
    assert totals["subscriptions"] == 4
    page = logged_in(writer).get("/users/writer/stats").content.decode()
    assert "Subscriptions" in page
    assert '<td class="number subscriptions">4</td>' in page


def test_the_list_leaves_out_works_one_may_no_longer_see() -> None:
    work = make_work(make_user("writer"), title="Secret Harbour")
    reader = make_user("reader")
    subscription_create(user=reader, work=work)
    client = logged_in(reader)
    assert "Secret Harbour" in client.get("/users/reader/subscriptions").content.decode()
    Work.objects.filter(pk=work.pk).update(hidden_by_admin=True)
    page = client.get("/users/reader/subscriptions").content.decode()
    assert "Secret Harbour" not in page
    assert (
        "Secret Harbour"
        not in client.get("/users/reader/subscriptions?type=works").content.decode()
    )
