"""Gift e-mails: a recipient on the archive is e-mailed at once (after the posting commits,
through the "gifts" mail group and its job) unless they switched gift e-mails off, the work
is a draft or hidden, or they mute or block its creator. Django's locmem backend catches the
messages; jobs run eagerly in tests, so a job queued after commit sends at once."""

from collections.abc import Callable
from typing import Any

import pytest
from django.core import mail
from django.core.mail import EmailMultiAlternatives

from fanworks.accounts.actions import block_user, mute_user, preferences_update
from fanworks.accounts.models import User
from fanworks.core.models import Job
from fanworks.core.testing import make_user, make_work
from fanworks.engagement.models import MailStatus, Notification, NotificationKind
from fanworks.engagement.notifications import GIFT_MAIL_JOB
from fanworks.works.actions import work_post
from fanworks.works.gift_actions import gifts_set
from fanworks.works.models import Gift, Work
from fanworks.works.tests.cocreator_helpers import accept_all, invite
from fanworks.works.tests.gift_helpers import logged_in, snapshot
from fanworks.works.tests.series_helpers import form_post

pytestmark = pytest.mark.django_db

Committed = Callable[..., Any]


@pytest.fixture
def committed(django_capture_on_commit_callbacks: Any) -> Committed:
    """Run an action and then what it left for after its commit (the mail job)."""

    def run(action: Callable[..., Any], **kwargs: Any) -> Any:
        with django_capture_on_commit_callbacks(execute=True):
            return action(**kwargs)

    return run


def gift_mail_status(user: User) -> list[str]:
    return list(
        Notification.objects.filter(recipient=user, kind=NotificationKind.GIFT)
        .order_by("pk")
        .values_list("mail_status", flat=True)
    )


def sent_to(user: User) -> list[Any]:
    return [message for message in mail.outbox if message.to == [user.email]]


def test_a_gift_from_the_posting_form_is_e_mailed_once_after_commit(
    django_capture_on_commit_callbacks: Any,
) -> None:
    writer = make_user("writer")
    friend = make_user("friend")
    client = logged_in(writer)
    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post("/works/new", form_post(writer, gift_recipients="friend, My Sister"))
        assert response.status_code == 302
        # The inbox entry is written with the work; the e-mail waits for the commit.
        assert gift_mail_status(friend) == [MailStatus.PENDING]
        assert mail.outbox == []
    for callback in callbacks:
        callback()
    work = Work.objects.get()
    (message,) = mail.outbox
    assert message.to == ["friend@example.org"]
    assert message.subject == "[Fanworks] “Harbour Lights” by writer was given to you as a gift."
    assert f"/works/{work.pk}" in message.body
    assert isinstance(message, EmailMultiAlternatives)
    html, _ = message.alternatives[0]
    assert isinstance(html, str)
    assert f'/works/{work.pk}">“Harbour Lights” by writer was given to you as a gift.</a>' in html
    assert gift_mail_status(friend) == [MailStatus.SENT]
    assert Job.objects.filter(kind=GIFT_MAIL_JOB).count() == 1

    # Editing the work and keeping the gift e-mails nobody again.
    with django_capture_on_commit_callbacks(execute=True):
        gifts_set(work=work, names=["friend", "My Sister"])
    assert len(mail.outbox) == 1
    assert Job.objects.filter(kind=GIFT_MAIL_JOB).count() == 1


def test_gift_emails_switched_off_reach_the_inbox_only(committed: Committed) -> None:
    writer = make_user("writer")
    friend = make_user("friend")
    other = make_user("other")
    preferences_update(user=friend, switches={"gift_emails": False})
    committed(make_work, user=writer, gift_recipients=["friend", "other"])
    assert [m.to for m in mail.outbox] == [[other.email]]
    assert gift_mail_status(friend) == [MailStatus.SKIPPED]


def test_the_preference_sits_with_the_other_e_mail_switches_and_defaults_on() -> None:
    reader = make_user("reader")
    assert reader.gift_emails
    client = logged_in(reader)
    page = client.get("/users/reader/preferences").content.decode()
    fieldset = page.split("<legend>E-mail notifications</legend>")[1].split("</fieldset>")[0]
    assert fieldset.index('name="related_work_emails"') < fieldset.index('name="gift_emails"')
    assert '<label for="id_gift_emails">' in fieldset
    response = client.post("/users/reader/preferences", {"comment_emails": "on"})
    assert response.status_code == 302
    reader.refresh_from_db()
    assert not reader.gift_emails and reader.comment_emails
    client.post("/users/reader/preferences", {"gift_emails": "on"})
    reader.refresh_from_db()
    assert reader.gift_emails and not reader.comment_emails


def test_a_draft_gift_is_e_mailed_when_posted_not_before(committed: Committed) -> None:
    writer = make_user("writer")
    friend = make_user("friend")
    draft = committed(make_work, user=writer, post=False, gift_recipients=["friend"])
    assert mail.outbox == [] and gift_mail_status(friend) == []
    assert not Job.objects.filter(kind=GIFT_MAIL_JOB).exists()
    committed(work_post, work=draft)
    assert [m.to for m in mail.outbox] == [["friend@example.org"]]
    committed(work_post, work=draft)  # posting twice e-mails nobody twice
    assert len(mail.outbox) == 1


def test_a_hidden_work_gift_is_never_e_mailed(
    committed: Committed, django_capture_on_commit_callbacks: Any
) -> None:
    writer = make_user("writer")
    friend = make_user("friend")
    draft = make_work(writer, post=False, gift_recipients=["friend"])
    Work.objects.filter(pk=draft.pk).update(hidden_by_admin=True)
    draft.refresh_from_db()
    committed(work_post, work=draft)
    assert mail.outbox == [] and gift_mail_status(friend) == []

    # Hidden between the gift and its e-mail: the e-mail is dropped, and never sent later.
    pal = make_user("pal")
    work = make_work(writer, title="Second")
    with django_capture_on_commit_callbacks() as callbacks:
        gifts_set(work=work, names=["pal"])
    Work.objects.filter(pk=work.pk).update(hidden_by_admin=True)
    for callback in callbacks:
        callback()
    assert mail.outbox == []
    assert gift_mail_status(pal) == [MailStatus.SKIPPED]


def test_no_gift_e_mail_from_a_creator_the_recipient_mutes_or_blocks(
    committed: Committed, django_capture_on_commit_callbacks: Any
) -> None:
    writer = make_user("writer")
    muter = make_user("muter")
    mute_user(muter=muter, muted=writer)
    friend = make_user("friend")
    committed(make_work, user=writer, gift_recipients=["muter", "friend"])
    assert [m.to for m in mail.outbox] == [[friend.email]]
    assert gift_mail_status(muter) == []

    # A block made after a draft's gift was given: posting tells the blocker nothing.
    blocker = make_user("blocker")
    draft = make_work(writer, post=False, title="Draft", gift_recipients=["blocker"])
    block_user(blocker=blocker, blocked=writer)
    committed(work_post, work=draft)
    assert gift_mail_status(blocker) == [] and sent_to(blocker) == []

    # Muted or blocked between the gift and its e-mail: nothing goes out.
    late_muter, late_blocker = make_user("late_muter"), make_user("late_blocker")
    work = make_work(writer, title="Third")
    with django_capture_on_commit_callbacks() as callbacks:
        gifts_set(work=work, names=["late_muter", "late_blocker"])
    mute_user(muter=late_muter, muted=writer)
    block_user(blocker=late_blocker, blocked=writer)
    for callback in callbacks:
        callback()
    assert sent_to(late_muter) == [] and sent_to(late_blocker) == []
    assert gift_mail_status(late_muter) == gift_mail_status(late_blocker) == [MailStatus.SKIPPED]


def test_a_recipient_who_blocks_any_creator_of_a_shared_work_hears_nothing(
    committed: Committed,
) -> None:
    writer = make_user("writer")
    cowriter = make_user("cowriter")
    reader = make_user("reader")
    draft = make_work(writer, post=False, gift_recipients=["reader"])
    invite(writer, draft, "cowriter")
    accept_all(cowriter)
    block_user(blocker=reader, blocked=cowriter)  # the second-credited creator
    committed(work_post, work=draft)
    assert gift_mail_status(reader) == [] and mail.outbox == []


def test_a_refused_gift_sends_nothing_and_changes_nothing(committed: Committed) -> None:
    writer = make_user("writer")
    blocker = make_user("blocker")
    block_user(blocker=blocker, blocked=writer)
    client = logged_in(writer)
    before = snapshot()
    jobs_before = Job.objects.count()
    response = committed(
        client.post, path="/works/new", data=form_post(writer, gift_recipients="blocker")
    )
    assert response.status_code == 400
    assert snapshot() == before
    assert Job.objects.count() == jobs_before
    assert mail.outbox == []
    assert not Gift.objects.exists()
