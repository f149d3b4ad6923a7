"""Subscriptions and notification e-mails under parallel requests: the database decides."""

import pytest
from django.core import mail

from fanworks.core.testing import make_user, make_work, run_together
from fanworks.engagement.actions import subscription_create
from fanworks.engagement.mail import mail_pending
from fanworks.engagement.models import MailStatus, Notification, NotificationKind, Subscription

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_parallel_subscribe_clicks_make_one_subscription() -> None:
    work = make_work(make_user("writer"))
    reader = make_user("reader")
    results, errors = run_together(4, lambda _: subscription_create(user=reader, work=work).pk)
    assert errors == []
    assert len(set(results)) == 1
    assert Subscription.objects.filter(user=reader).count() == 1


def test_parallel_senders_send_each_notification_once() -> None:
    writer = make_user("writer")
    work = make_work(writer)
    for n in range(5):
        Notification.objects.create(
            recipient=writer,
            kind=NotificationKind.COMMENT,
            event_key=f"comment:{n}",
            work=work,
            text=f"Comment {n}",
        )
    sent, errors = run_together(3, lambda _: mail_pending(recipient_id=writer.pk, group="comments"))
    assert errors == [] and sum(sent) >= 1
    listed = [
        line
        for message in mail.outbox
        for line in message.body.splitlines()
        if line.startswith("* ")
    ]
    assert sorted(listed) == [f"* Comment {n}" for n in range(5)]
    assert set(Notification.objects.values_list("mail_status", flat=True)) == {MailStatus.SENT}
