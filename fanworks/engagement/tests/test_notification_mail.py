"""Notification e-mails: comments at once, subscription updates hourly, kudos daily; each kind
switchable; never sent twice; scheduled by the job runner. Only the clock is mocked."""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any
from unittest import mock

import pytest
from django.core import mail
from django.core.mail import EmailMultiAlternatives
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from fanworks.accounts.actions import block_user, mute_user, preferences_update
from fanworks.accounts.models import User
from fanworks.core import jobs
from fanworks.core.models import Job
from fanworks.core.testing import PROSE, make_user, make_work
from fanworks.engagement.actions import kudos_leave, subscription_create
from fanworks.engagement.models import Kudos, MailStatus, Notification, NotificationKind
from fanworks.engagement.notifications import (
    KUDOS_DIGEST_JOB,
    SUBSCRIPTION_DIGEST_JOB,
    kudos_digest,
    notify_comment,
    subscription_digest,
)
from fanworks.works.actions import ChapterData, chapter_create
from fanworks.works.models import Work

pytestmark = pytest.mark.django_db

NOON = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)


@contextmanager
def clock(moment: datetime) -> Iterator[None]:
    with mock.patch("django.utils.timezone.now", return_value=moment):
        yield


@pytest.fixture
def committed(django_capture_on_commit_callbacks) -> Callable[..., Any]:
    def run(action: Callable[..., Any], **kwargs: Any) -> Any:
        with django_capture_on_commit_callbacks(execute=True):
            return action(**kwargs)

    return run


def comment(committed, **overrides: Any) -> Notification | None:
    values: dict[str, Any] = {"chapter": None, "is_reply": False, "comment_id": 41}
    values.update(overrides)
    return committed(notify_comment, **values)


# ---------------------------------------------------------------------------------------------
# Comments: at once


def test_a_comment_notification_is_e_mailed_at_once_escaped(committed) -> None:
    writer, fan = make_user("writer"), make_user("fan")
    work = make_work(writer, title="Harbour <Lights>")
    chapter = work.chapters.get()
    made = comment(
        committed,
        recipient=writer,
        actor=fan,
        work=work,
        chapter=chapter,
        text="<p>Loved it! <script>alert(1)</script></p>",
    )
    assert made is not None and made.kind == NotificationKind.COMMENT
    assert made.text == "fan commented on “Harbour <Lights>”: Loved it! alert(1)"
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["writer@example.org"]
    assert "fan commented on" in message.subject
    link = f"/works/{work.pk}/chapters/{chapter.pk}#comment_41"
    assert link in message.body
    assert isinstance(message, EmailMultiAlternatives)
    html, kind = message.alternatives[0]
    assert isinstance(html, str)
    assert kind == "text/html"
    assert "Harbour &lt;Lights&gt;" in html and "<Lights>" not in html
    assert Notification.objects.get(pk=made.pk).mail_status == MailStatus.SENT

    again = comment(committed, recipient=writer, actor=fan, work=work, text="Loved it!")
    assert again == made and len(mail.outbox) == 1  # same comment: nothing new


def test_replies_are_their_own_kind_and_guests_are_named(committed) -> None:
    writer = make_user("writer")
    work = make_work(writer)
    made = comment(
        committed,
        recipient=writer,
        actor=None,
        actor_name="Passer-by",
        work=work,
        comment_id=7,
        is_reply=True,
        text="Thanks!",
    )
    assert made is not None and made.kind == NotificationKind.REPLY
    assert made.text.startswith("Passer-by replied to your comment on")


def test_no_comment_notification_for_oneself_muted_blocked_or_unseeable(committed) -> None:
    writer, fan = make_user("writer"), make_user("fan")
    work = make_work(writer)
    assert comment(committed, recipient=writer, actor=writer, work=work, text="Hi") is None
    mute_user(muter=writer, muted=fan)
    assert comment(committed, recipient=writer, actor=fan, work=work, text="Hi") is None
    troll = make_user("troll")
    block_user(blocker=writer, blocked=troll)
    assert comment(committed, recipient=writer, actor=troll, work=work, text="Hi") is None
    # A reply on a work the recipient can no longer see (someone else's, now hidden).
    other = make_work(make_user("other"))
    Work.objects.filter(pk=other.pk).update(hidden_by_admin=True)
    assert comment(committed, recipient=writer, actor=troll, work=other, text="Hi") is None
    assert not Notification.objects.exists() and mail.outbox == []


def test_comment_e_mails_switched_off_reach_the_inbox_only_and_never_later(committed) -> None:
    writer, fan = make_user("writer"), make_user("fan")
    work = make_work(writer)
    preferences_update(user=writer, switches={"comment_emails": False})
    made = comment(committed, recipient=writer, actor=fan, work=work, text="Hi")
    assert made is not None and mail.outbox == []
    assert Notification.objects.get(pk=made.pk).mail_status == MailStatus.SKIPPED
    preferences_update(user=writer, switches={"comment_emails": True})
    subscription_digest()
    call_command("send_digests", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert mail.outbox == []


def test_a_failed_send_is_retried_and_sent_once(committed, settings) -> None:
    writer, fan = make_user("writer"), make_user("fan")
    work = make_work(writer)
    with mock.patch(
        "django.core.mail.backends.locmem.EmailBackend.send_messages",
        side_effect=OSError("mail server down"),
    ):
        made = comment(committed, recipient=writer, actor=fan, work=work, text="Hi")
    assert made is not None and mail.outbox == []
    assert Notification.objects.get(pk=made.pk).mail_status == MailStatus.PENDING
    job = Job.objects.get(kind="engagement.comment_mail")
    assert job.status == Job.Status.PENDING and "mail server down" in job.error
    jobs.run_pending()
    jobs.run_pending()
    assert len(mail.outbox) == 1
    assert Notification.objects.get(pk=made.pk).mail_status == MailStatus.SENT


# ---------------------------------------------------------------------------------------------
# Subscriptions: hourly


def test_subscription_updates_wait_for_the_hourly_digest_one_e_mail_each(committed) -> None:
    writer = make_user("writer")
    first, second = make_work(writer, title="One"), make_work(writer, title="Two")
    reader, other = make_user("reader"), make_user("other")
    for work in (first, second):
        subscription_create(user=reader, work=work)
    subscription_create(user=other, work=first)
    for work in (first, second):
        committed(chapter_create, work=work, data=ChapterData(content=PROSE), post=True)
    assert mail.outbox == []  # in the inbox at once, by e-mail later

    assert subscription_digest() == 2
    by_recipient = {message.to[0]: message for message in mail.outbox}
    assert set(by_recipient) == {"reader@example.org", "other@example.org"}
    assert by_recipient["reader@example.org"].subject == "[Fanworks] 2 subscription updates"
    assert "“One” has a new chapter" in by_recipient["reader@example.org"].body
    assert "“Two” has a new chapter" in by_recipient["reader@example.org"].body
    assert (
        by_recipient["other@example.org"].subject == "[Fanworks] “One” has a new chapter: Chapter 2"
    )

    assert subscription_digest() == 0  # run again: nothing twice
    assert len(mail.outbox) == 2


def test_subscription_e_mails_respect_preferences_and_visibility_at_send_time(committed) -> None:
    writer = make_user("writer")
    work = make_work(writer)
    quiet, reader = make_user("quiet"), make_user("reader")
    for user in (quiet, reader):
        subscription_create(user=user, work=work)
    committed(chapter_create, work=work, data=ChapterData(content=PROSE), post=True)
    preferences_update(user=quiet, switches={"subscription_emails": False})
    Work.objects.filter(pk=work.pk).update(hidden_by_admin=True)
    assert subscription_digest() == 0
    assert mail.outbox == []
    assert set(Notification.objects.values_list("mail_status", flat=True)) == {MailStatus.SKIPPED}


# ---------------------------------------------------------------------------------------------
# Kudos: daily


def kudos_at(work: Work, moment: datetime, user: User | None = None, guest: str = "") -> None:
    kudos = kudos_leave(work=work, user=user, visitor_hash=guest)
    assert kudos is not None
    Kudos.objects.filter(pk=kudos.pk).update(created_at=moment)


def test_the_daily_kudos_digest_counts_people_and_guests_since_the_last_one() -> None:
    writer = make_user("writer")
    work = make_work(writer, title="Harbour Lights")
    muted = make_user("muted")
    mute_user(muter=writer, muted=muted)
    kudos_at(work, NOON - timedelta(hours=5), make_user("ann"))
    kudos_at(work, NOON - timedelta(hours=4), make_user("bob"))
    kudos_at(work, NOON - timedelta(hours=3), guest="a" * 64)
    kudos_at(work, NOON - timedelta(hours=2), muted)  # left out of writer's count
    kudos_at(work, NOON - timedelta(seconds=10), make_user("late"))  # still settling

    with clock(NOON):
        assert kudos_digest() == 1
    notification = Notification.objects.get(recipient=writer)
    assert notification.kind == NotificationKind.KUDOS
    assert notification.text == "2 people and 1 guest left kudos on “Harbour Lights”"
    assert len(mail.outbox) == 1
    assert "2 people and 1 guest left kudos" in mail.outbox[0].body

    with clock(NOON + timedelta(minutes=5)):
        kudos_digest()  # the next one counts only what came since: the late kudos
    texts = list(Notification.objects.order_by("pk").values_list("text", flat=True))
    assert texts[1] == "1 person left kudos on “Harbour Lights”"
    with clock(NOON + timedelta(minutes=5)):
        assert kudos_digest() == 0  # twice at the same moment: nothing new
    assert Notification.objects.count() == 2 and len(mail.outbox) == 2


def test_kudos_e_mails_switched_off_still_reach_the_inbox() -> None:
    writer = make_user("writer")
    work = make_work(writer)
    preferences_update(user=writer, switches={"kudos_emails": False})
    kudos_at(work, NOON - timedelta(hours=1), guest="b" * 64)
    with clock(NOON):
        kudos_digest()
    assert Notification.objects.get(recipient=writer).text.startswith("1 guest left kudos")
    assert mail.outbox == []


# ---------------------------------------------------------------------------------------------
# Scheduling


def test_digests_are_scheduled_once_per_period_and_run_at_its_end(committed) -> None:
    writer = make_user("writer")
    work = make_work(writer)
    reader = make_user("reader")
    subscription_create(user=reader, work=work)
    committed(chapter_create, work=work, data=ChapterData(content=PROSE), post=True)
    Notification.objects.update(created_at=NOON)  # posted at noon by the mocked clock

    with clock(NOON + timedelta(minutes=10)):
        first = jobs.schedule_periodic()
        again = jobs.schedule_periodic()  # another server process, the same minute
    assert [job.pk for job in first] == [job.pk for job in again]
    hourly = Job.objects.get(kind=SUBSCRIPTION_DIGEST_JOB)
    daily = Job.objects.get(kind=KUDOS_DIGEST_JOB)
    assert hourly.run_after == NOON + timedelta(hours=1)
    assert daily.run_after == datetime(2026, 3, 11, tzinfo=UTC)

    with clock(NOON + timedelta(minutes=59)):
        assert jobs.run_pending() == 0  # not yet
    assert mail.outbox == []
    with clock(NOON + timedelta(hours=1, seconds=5)):
        ran = jobs.run_pending()
        jobs.schedule_periodic()  # the next hour's job
    # The hour's jobs ran: the digest, and other hourly jobs (the downloads sweep).
    assert ran == Job.objects.filter(run_after=NOON + timedelta(hours=1)).count() > 1
    assert len(mail.outbox) == 1
    assert Job.objects.filter(kind=SUBSCRIPTION_DIGEST_JOB).count() == 2
    assert Job.objects.get(pk=hourly.pk).status == Job.Status.DONE


def test_send_digests_sends_what_is_waiting_now(committed) -> None:
    writer = make_user("writer")
    work = make_work(writer)
    subscription_create(user=make_user("reader"), work=work)
    committed(chapter_create, work=work, data=ChapterData(content=PROSE), post=True)
    Notification.objects.update(created_at=NOON - timedelta(minutes=20))
    kudos_at(work, NOON - timedelta(hours=2), guest="c" * 64)
    with clock(NOON):
        call_command("send_digests", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert sorted(message.to[0] for message in mail.outbox) == [
        "reader@example.org",
        "writer@example.org",
    ]


# ---------------------------------------------------------------------------------------------
# Preferences page


def logged_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_preferences_page_switches_each_kind_off_and_on() -> None:
    reader = make_user("reader")
    client = logged_in(reader)
    page = client.get("/users/reader/preferences").content.decode()
    # the five e-mail kinds, and co-creator invitations
    assert page.count("checked") == 6
    response = client.post("/users/reader/preferences", {"comment_emails": "on"})
    assert response.status_code == 302
    reader.refresh_from_db()
    assert (reader.comment_emails, reader.subscription_emails, reader.kudos_emails) == (
        True,
        False,
        False,
    )
    assert not reader.related_work_emails
    client.post("/users/reader/preferences", {"related_work_emails": "on"})
    reader.refresh_from_db()
    assert reader.related_work_emails and not reader.comment_emails
    client.post("/users/reader/preferences", {"kudos_emails": "1", "comment_emails": "0"})
    reader.refresh_from_db()
    assert (reader.comment_emails, reader.subscription_emails, reader.kudos_emails) == (
        False,
        False,
        True,
    )


def test_only_the_owner_changes_preferences() -> None:
    reader = make_user("reader")
    other = logged_in(make_user("other"))
    assert other.get("/users/reader/preferences").status_code == 404
    assert other.post("/users/reader/preferences", {}).status_code == 404
    guest = Client().post("/users/reader/preferences", {})
    assert guest.status_code == 302 and guest["Location"].startswith("/users/login?")
    reader.refresh_from_db()
    assert reader.comment_emails and reader.subscription_emails and reader.kudos_emails


def test_a_flood_of_comments_makes_one_e_mail_per_gap(committed) -> None:
    writer, fan = make_user("writer"), make_user("fan")
    work = make_work(writer)
    # Rows are stamped by the real clock; the mocked one runs a minute ahead of it.
    start = timezone.now() + timedelta(minutes=1)
    with clock(start):
        for n in range(1, 4):
            comment(committed, recipient=writer, actor=fan, work=work, comment_id=n, text=f"c{n}")
    assert len(mail.outbox) == 1  # the first at once; the others wait for the gap
    assert Job.objects.filter(kind="engagement.comment_mail", run_after__isnull=False).count() == 1
    with clock(start + timedelta(minutes=4)):
        assert jobs.run_pending() == 0
    with clock(start + timedelta(minutes=5, seconds=1)):
        assert jobs.run_pending() == 1
    assert len(mail.outbox) == 2
    assert mail.outbox[1].subject == "[Fanworks] 2 new comments and replies"
    assert "c2" in mail.outbox[1].body and "c3" in mail.outbox[1].body
