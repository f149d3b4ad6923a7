"""Notification e-mails: one message per recipient and batch, through Django's mail backends.

Batches: comments and replies, related works and gifts at once, subscription updates hourly,
kudos daily (see engagement.notifications for the jobs). Each notification is e-mailed at most
once: a sender claims the pending ones with a single conditional UPDATE (so two senders never
claim the same row), sends, then marks them sent. A failed send puts them back for the job's
retry. Only a sender that dies between sending and marking leaves rows "sending"; after
CLAIM_TIMEOUT they are claimed again, the one case where a message can go out twice.

Preferences and visibility are checked when the e-mail is built, not when the event
happened: a reader who turned the e-mails off, muted or blocked the actor, or can no longer
see the work gets nothing, and those notifications are marked skipped so they never go out
later.
"""

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db.models import Q
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.text import Truncator

from fanworks.accounts.models import User
from fanworks.accounts.queries import blocks_between, muted_user_ids
from fanworks.engagement.models import MailStatus, Notification, NotificationKind
from fanworks.works.queries import visible_works

CLAIM_TIMEOUT = timedelta(minutes=15)
# An e-mail lists at most this many notifications; the inbox has the rest.
MAIL_LIST_LIMIT = 50


@dataclass(frozen=True)
class MailGroup:
    kinds: tuple[str, ...]
    preference: str  # the User field that switches this e-mail on or off
    subject: str  # for a message listing several; {n} is how many


GROUPS: dict[str, MailGroup] = {
    "comments": MailGroup(
        (NotificationKind.COMMENT, NotificationKind.REPLY),
        "comment_emails",
        "{n} new comments and replies",
    ),
    "subscriptions": MailGroup(
        (NotificationKind.CHAPTER, NotificationKind.WORK),
        "subscription_emails",
        "{n} subscription updates",
    ),
    "kudos": MailGroup((NotificationKind.KUDOS,), "kudos_emails", "Kudos on {n} of your works"),
    "related": MailGroup(
        (NotificationKind.RELATED,), "related_work_emails", "{n} works linked to yours"
    ),
    "gifts": MailGroup((NotificationKind.GIFT,), "gift_emails", "{n} works given to you as gifts"),
}


def _claimable(group: MailGroup, now: datetime) -> Q:
    """Notifications of `group` waiting for their e-mail, or whose sender died mid-send."""
    return Q(kind__in=group.kinds, created_at__lte=now) & (
        Q(mail_status=MailStatus.PENDING)
        | Q(mail_status=MailStatus.SENDING, mail_claimed_at__lt=now - CLAIM_TIMEOUT)
    )


def mail_pending(*, recipient_id: int, group: str, now: datetime | None = None) -> int:
    """E-mail `recipient_id` their waiting notifications of `group` in one message.
    Returns 1 when a message went out, else 0."""
    now = now or timezone.now()
    batch = GROUPS[group]
    claimable = Notification.objects.filter(_claimable(batch, now), recipient_id=recipient_id)
    user = User.objects.filter(pk=recipient_id).first()
    if user is None or not user.is_active or not user.email or not getattr(user, batch.preference):
        claimable.update(mail_status=MailStatus.SKIPPED, mail_claim=None)
        return 0
    token = uuid.uuid4()
    if not claimable.update(mail_status=MailStatus.SENDING, mail_claim=token, mail_claimed_at=now):
        return 0
    claimed = list(
        Notification.objects.filter(mail_claim=token, mail_status=MailStatus.SENDING)
        .select_related("work", "chapter")
        .order_by("created_at", "pk")
    )
    work_ids = {row.work_id for row in claimed if row.work_id}
    visible = set(
        visible_works(user, include_own_drafts=True)
        .filter(pk__in=work_ids)
        .values_list("pk", flat=True)
    )
    actors = {row.actor_id for row in claimed if row.actor_id is not None}
    # Blocking someone stops what they cause reaching you, as muting them does.
    _, blocked = blocks_between(user, actors)
    refused = set(muted_user_ids(user)) | blocked
    keep = [
        row
        for row in claimed
        if (row.work_id is None or row.work_id in visible) and row.actor_id not in refused
    ]
    kept_ids = {row.pk for row in keep}
    dropped = [row.pk for row in claimed if row.pk not in kept_ids]
    if dropped:
        Notification.objects.filter(pk__in=dropped, mail_claim=token).update(
            mail_status=MailStatus.SKIPPED
        )
    if not keep:
        return 0
    kept = Notification.objects.filter(pk__in=kept_ids, mail_claim=token)
    try:
        _message(user, batch, keep).send()
    except Exception:
        kept.update(mail_status=MailStatus.PENDING, mail_claim=None, mail_claimed_at=None)
        raise
    kept.update(mail_status=MailStatus.SENT, emailed_at=now)
    return 1


def mail_all_pending(*, group: str, now: datetime | None = None) -> int:
    """Send every recipient with waiting notifications of `group` their e-mail. Returns the
    number of e-mails sent."""
    now = now or timezone.now()
    batch = GROUPS[group]
    recipients = (
        Notification.objects.filter(_claimable(batch, now))
        .values_list("recipient_id", flat=True)
        .distinct()
        .order_by("recipient_id")
    )
    return sum(
        mail_pending(recipient_id=recipient_id, group=group, now=now)
        for recipient_id in list(recipients)
    )


def notification_link(row: Notification) -> str:
    """Where a notification points: the chapter, the comment on its page, or the work; a
    related-work request, the recipient's page to approve it on; a co-creator invitation, the
    reader's Co-Creator Requests page."""
    if row.kind == NotificationKind.RELATED:
        return "/related_works"
    if row.kind == NotificationKind.COCREATOR:
        return "/creatorships"
    if row.work_id is None:
        return "/"
    if row.chapter_id is not None:
        base = f"/works/{row.work_id}/chapters/{row.chapter_id}"
    else:
        base = f"/works/{row.work_id}"
    if row.comment_id is not None:
        return f"{base}#comment_{row.comment_id}"
    return base


def _message(user: User, group: MailGroup, rows: list[Notification]) -> EmailMultiAlternatives:
    """Plain text and an HTML alternative; user content is escaped in the HTML."""
    site, base = settings.SITE_NAME, settings.SITE_URL
    shown, more = rows[:MAIL_LIST_LIMIT], max(0, len(rows) - MAIL_LIST_LIMIT)
    # One notification: its own sentence is the subject (texts never hold line breaks).
    if len(rows) == 1:
        topic = Truncator(rows[0].text).chars(120)
    else:
        topic = group.subject.format(n=len(rows))
    subject = f"[{site}] {topic}"
    inbox = f"{base}/users/{user.username}/inbox"
    preferences = f"{base}/users/{user.username}/preferences"
    lines = [f"Hi {user.username},", ""]
    for row in shown:
        lines += [f"* {row.text}", f"  {base}{notification_link(row)}"]
    if more:
        lines.append(f"…and {more} more in your inbox: {inbox}")
    lines += [
        "",
        f"Your inbox: {inbox}",
        f"You can turn these e-mails off in your preferences: {preferences}",
    ]
    items = format_html_join(
        "",
        '<li><a href="{}{}">{}</a></li>',
        ((base, notification_link(row), row.text) for row in shown),
    )
    html = format_html(
        '<p>Hi {},</p><ul>{}</ul>{}<p><a href="{}">Your inbox</a> · '
        '<a href="{}">Turn these e-mails off</a></p>',
        user.username,
        items,
        format_html('<p>…and {} more in <a href="{}">your inbox</a>.</p>', more, inbox)
        if more
        else "",
        inbox,
        preferences,
    )
    message = EmailMultiAlternatives(subject=subject, body="\n".join(lines), to=[user.email])
    message.attach_alternative(str(html), "text/html")
    return message
