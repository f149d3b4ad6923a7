"""Who hears of what: the inbox notifications and the jobs that write and e-mail them.

- A chapter posted on a work: its subscribers (kind "chapter"), written by one fan-out job.
- A work posted (created posted, or a draft posted later): the subscribers of its creators
  (kind "work"), the same way. Drafts count when they are posted, not when saved.
- A comment or a reply: `notify_comment`, called by the comment action; e-mailed at once.
- Kudos: the daily digest writes one notification per creator and work ("3 people and 2
  guests left kudos on …") and e-mails them together.
- A work linked to yours (`notify_related_work`) or given to you (works.gift_actions writes
  the entry, `queue_gift_mail` its e-mail): e-mailed at once.

Subscription updates are e-mailed hourly. Every notification is unique per recipient and
event, so each job is safe to run twice. Recipients who may not see the work (drafts, hidden
works), the creators themselves, and subscribers who mute or are blocked by a creator get
nothing. (Anonymous and unrevealed works do not exist yet; when they do, a user
subscription must not announce them, or it reveals the creator.)
"""

from collections import Counter, defaultdict
from datetime import datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.html import strip_tags
from django.utils.text import Truncator

from fanworks.accounts.models import Block, Mute, User
from fanworks.accounts.queries import blocks_and_mutes
from fanworks.core import jobs
from fanworks.core.models import Job
from fanworks.engagement.mail import mail_all_pending, mail_pending
from fanworks.engagement.models import (
    DigestCursor,
    Kudos,
    MailStatus,
    Notification,
    NotificationKind,
    Subscription,
)
from fanworks.works.models import Chapter, Creatorship, Series, SeriesWork, Work
from fanworks.works.queries import creator_ids, is_visible_with_creators, visible_works

FANOUT_JOB = "engagement.fanout"
COMMENT_MAIL_JOB = "engagement.comment_mail"
SUBSCRIPTION_DIGEST_JOB = "digest.subscriptions"
KUDOS_DIGEST_JOB = "digest.kudos"
SUBSCRIPTION_DIGEST_EVERY = timedelta(hours=1)
KUDOS_DIGEST_EVERY = timedelta(days=1)
FANOUT_BATCH = 1000
# Comment e-mails go out at once, but at most one per recipient in this long.
COMMENT_MAIL_GAP = timedelta(minutes=5)
# Kudos younger than this wait for the next digest: a kudos row is stamped just before its
# transaction commits, and a digest must not pass it by while it is still invisible.
KUDOS_SETTLE = timedelta(minutes=1)
TITLE_CHARS = 120


def _title(work: Work | str) -> str:
    title = work.title if isinstance(work, Work) else work
    return "“" + Truncator(" ".join(title.split())).chars(TITLE_CHARS) + "”"


# ---------------------------------------------------------------------------------------------
# Subscriptions: events from works.actions, fanned out by a job


def announce_chapter(*, chapter: Chapter) -> None:
    """A chapter was just posted: once the caller's transaction commits, queue one job that
    tells the work's subscribers."""
    payload = {"event": "chapter", "work_id": chapter.work_id, "chapter_id": chapter.pk}
    transaction.on_commit(lambda: jobs.enqueue(FANOUT_JOB, payload))


def announce_work(*, work: Work) -> None:
    """A work was just posted: once committed, queue one job that tells its creators'
    subscribers."""
    payload = {"event": "work", "work_id": work.pk}
    transaction.on_commit(lambda: jobs.enqueue(FANOUT_JOB, payload))


def _creators(work: Work) -> tuple[list[int], str]:
    """The creators' user ids, first-credited first, and the byline ("Someone" when none),
    from one query."""
    ids: list[int] = []
    names: list[str] = []
    for ship in (
        Creatorship.objects.filter(work=work)
        .select_related("pseud__user")
        .order_by("position", "pk")
    ):
        names.append(ship.pseud.byline)
        if ship.pseud.user_id not in ids:
            ids.append(ship.pseud.user_id)
    return ids, ", ".join(names) or "Someone"


@jobs.handler(FANOUT_JOB)
def run_fanout(job: Job) -> None:
    """Write the event's notification for every subscriber who should get one, in batches
    (the cursor remembers the last recipient done, so an interrupted job carries on)."""
    work = Work.objects.filter(pk=job.payload["work_id"]).first()
    if work is None or not work.posted or work.hidden_by_admin:
        return
    creators, byline = _creators(work)
    chapter: Chapter | None = None
    if job.payload["event"] == "chapter":
        chapter = Chapter.objects.filter(
            pk=job.payload["chapter_id"], work=work, posted=True
        ).first()
        if chapter is None:
            return
        subscriptions = Subscription.objects.filter(work=work)
        kind, key = NotificationKind.CHAPTER, f"chapter:{chapter.pk}"
        label = f"Chapter {chapter.position}" + (f": {chapter.title}" if chapter.title else "")
        text = f"{_title(work)} has a new chapter: {Truncator(label).chars(TITLE_CHARS)}"
    else:
        subscriptions = Subscription.objects.filter(target_user_id__in=creators)
        kind, key = NotificationKind.WORK, f"work:{work.pk}"
        text = f"{Truncator(byline).chars(80)} posted a new work: {_title(work)}"
    recipients = _subscribers_to_tell(subscriptions, creators)
    if kind == NotificationKind.WORK:
        recipients = recipients.exclude(user_id__in=_told_of_work(work))
    _write_in_batches(
        job,
        recipients,
        Notification(
            kind=kind,
            event_key=key,
            actor_id=creators[0] if creators else None,
            work=work,
            chapter=chapter,
            text=text,
            created_at=timezone.now(),
        ),
    )


def _subscribers_to_tell(subscriptions: Any, creators: list[int]) -> Any:
    """The users of these subscriptions who hear of a creator's news: active, not one of the
    creators, not muting a creator and not blocked by one. Distinct user ids, in id order
    (the fan-out's cursor walks them)."""
    return (
        subscriptions.filter(user__is_active=True)
        .exclude(user_id__in=creators)
        .exclude(user_id__in=Mute.objects.filter(muted_id__in=creators).values("muter_id"))
        .exclude(user_id__in=Block.objects.filter(blocker_id__in=creators).values("blocked_id"))
        .values_list("user_id", flat=True)
        .distinct()
        .order_by("user_id")
    )


def _told_of_work(work: Work) -> Any:
    """Who already has a "new work" entry for `work`: a reader who follows both its creator
    and its series hears of it once, from whichever fan-out ran first."""
    return Notification.objects.filter(work=work, kind=NotificationKind.WORK).values("recipient_id")


def _write_in_batches(job: Job, recipients: Any, template: Notification) -> None:
    """A copy of `template` for each recipient id, FANOUT_BATCH per transaction. The job's
    cursor remembers the last recipient done, so an interrupted job carries on; the unique
    (recipient, event) key makes a second run write nothing new."""
    fields = {
        name: getattr(template, name)
        for name in ("kind", "event_key", "actor_id", "work_id", "chapter_id", "text", "created_at")
    }
    while True:
        after = int(job.cursor.get("after", 0))
        batch = list(recipients.filter(user_id__gt=after)[:FANOUT_BATCH])
        if not batch:
            return
        with transaction.atomic():
            Notification.objects.bulk_create(
                [Notification(recipient_id=user_id, **fields) for user_id in batch],
                ignore_conflicts=True,
            )
            job.cursor = {"after": batch[-1]}
            job.done += len(batch)
            jobs.save_progress(job)


# ---------------------------------------------------------------------------------------------
# Comments (called by the comment action)


def notify_comment(
    *,
    recipient: User,
    actor: User | None,
    work: Work,
    chapter: Chapter | None,
    comment_id: int,
    is_reply: bool,
    text: str,
    actor_name: str = "",
) -> Notification | None:
    """Put a comment on `recipient`'s work, or a reply to their comment, in their inbox, and
    queue its e-mail (sent at once, if they want comment e-mails) after the caller commits.

    `actor` is the commenter (None for a guest, named by `actor_name`); `text` is the
    comment as plain text or HTML (tags are stripped, and it is shortened). Call it inside
    the comment's transaction. Returns None, writing nothing, when the recipient wrote the
    comment, mutes or blocks its writer, or may not see the work; calling it twice for the
    same comment and recipient returns the first notification.
    """
    if actor is not None and actor.pk == recipient.pk:
        return None
    if not _may_hear_of_comment(recipient, actor, work):
        return None
    who = actor.username if actor is not None else (actor_name.strip() or "A guest")
    snippet = Truncator(" ".join(strip_tags(text).split())).chars(120)
    if is_reply:
        what = f"{Truncator(who).chars(40)} replied to your comment on {_title(work)}"
    else:
        what = f"{Truncator(who).chars(40)} commented on {_title(work)}"
    kind = NotificationKind.REPLY if is_reply else NotificationKind.COMMENT
    # Usually the first entry for this comment and recipient: insert, and only when the
    # unique (recipient, event_key) says there was one already, read it (one query fewer
    # than get_or_create's read-then-insert on the busy path).
    try:
        with transaction.atomic():
            notification = Notification.objects.create(
                recipient=recipient,
                event_key=f"comment:{comment_id}",
                kind=kind,
                actor=actor,
                work=work,
                chapter=chapter,
                comment_id=comment_id,
                text=f"{what}: {snippet}" if snippet else what,
            )
    except IntegrityError:
        return Notification.objects.get(recipient=recipient, event_key=f"comment:{comment_id}")
    jobs.enqueue_after_commit(COMMENT_MAIL_JOB, {"recipient_id": recipient.pk})
    return notification


def _may_hear_of_comment(recipient: User, actor: User | None, work: Work) -> bool:
    """May `recipient` see the work (as `visible_works` decides, muted creators included),
    and do they neither block nor mute the commenter?

    Decided from the creators' ids (loaded with the work by the comment view) and one query
    for mutes and blocks: building the visibility query's subqueries for one row cost a
    quarter of a comment request's CPU."""
    creators = creator_ids(work)
    if not is_visible_with_creators(recipient, work, creators):
        return False
    # visible_works hides works by muted creators; a muted or blocked commenter is refused
    # as well. One query for both.
    muted = set(creators) if actor is None else {*creators, actor.pk}
    refusals = Mute.objects.filter(muter=recipient, muted_id__in=muted).values_list("muter_id")
    if actor is not None:
        blocked = Block.objects.filter(blocker=recipient, blocked=actor)
        refusals = refusals.union(blocked.values_list("blocker_id"))
    return not refusals[:1]


@jobs.handler(COMMENT_MAIL_JOB)
def run_comment_mail(job: Job) -> None:
    """E-mail the recipient's waiting comment notifications, all in one message.

    At once, unless they had a comment e-mail less than COMMENT_MAIL_GAP ago: then one job
    (its unique key names the recipient and the time) sends what gathered at the end of the
    gap, so a flood of comments makes one e-mail per gap, not one per comment."""
    recipient_id = job.payload["recipient_id"]
    now = timezone.now()
    last = Notification.objects.filter(
        recipient_id=recipient_id,
        kind__in=(NotificationKind.COMMENT, NotificationKind.REPLY),
        mail_status=MailStatus.SENT,
    ).aggregate(last=Max("emailed_at"))["last"]
    if last is not None and now - last < COMMENT_MAIL_GAP:
        due = last + COMMENT_MAIL_GAP
        jobs.enqueue(
            COMMENT_MAIL_JOB,
            {"recipient_id": recipient_id},
            run_after=due,
            unique_key=f"{COMMENT_MAIL_JOB}:{recipient_id}@{due.isoformat()}",
        )
        return
    mail_pending(recipient_id=recipient_id, group="comments", now=now)


# ---------------------------------------------------------------------------------------------
# Digests


def _kudos_sentence(people: int, guests: int, title: str) -> str:
    parts = []
    if people:
        parts.append(f"{people} {'person' if people == 1 else 'people'}")
    if guests:
        parts.append(f"{guests} guest{'s' * (guests != 1)}")
    return f"{' and '.join(parts)} left kudos on {_title(title)}"


def kudos_digest(*, now: datetime | None = None) -> int:
    """Turn the kudos left since the last digest into one inbox notification per creator
    and work, then e-mail each creator theirs. Returns the notifications written.

    A cursor row remembers up to when kudos were counted; it moves in the same transaction
    as the notifications are written, so a digest that runs twice (or on two servers at
    once: the row is locked) counts each kudos once. Kudos from users a creator mutes are
    left out of that creator's count.
    """
    now = now or timezone.now()
    until = now - KUDOS_SETTLE
    written = 0
    with transaction.atomic():
        cursor, _ = DigestCursor.objects.select_for_update().get_or_create(
            name="kudos", defaults={"until": until - KUDOS_DIGEST_EVERY}
        )
        if until > cursor.until:
            written = _write_kudos_notifications(cursor.until, until)
            cursor.until = until
            cursor.save(update_fields=["until"])
    mail_all_pending(group="kudos", now=now)
    return written


def _write_kudos_notifications(since: datetime, until: datetime) -> int:
    left = list(
        Kudos.objects.filter(created_at__gte=since, created_at__lt=until).values_list(
            "work_id", "user_id"
        )
    )
    if not left:
        return 0
    work_ids = {work_id for work_id, _ in left}
    creators: dict[int, set[int]] = defaultdict(set)
    for work_id, user_id in Creatorship.objects.filter(work_id__in=work_ids).values_list(
        "work_id", "pseud__user_id"
    ):
        creators[work_id].add(user_id)
    all_creators = {user_id for ids in creators.values() for user_id in ids}
    mutes: dict[int, set[int]] = defaultdict(set)
    for muter, muted in Mute.objects.filter(muter_id__in=all_creators).values_list(
        "muter_id", "muted_id"
    ):
        mutes[muter].add(muted)
    titles = dict(Work.objects.filter(pk__in=work_ids).values_list("pk", "title"))
    people: Counter[tuple[int, int]] = Counter()
    guests: Counter[tuple[int, int]] = Counter()
    for work_id, user_id in left:
        for creator in creators[work_id]:
            if user_id is None:
                guests[(creator, work_id)] += 1
            elif user_id not in mutes[creator]:
                people[(creator, work_id)] += 1
    rows = [
        Notification(
            recipient_id=creator,
            kind=NotificationKind.KUDOS,
            event_key=f"kudos:{work_id}:{until.isoformat()}",
            work_id=work_id,
            text=_kudos_sentence(people[key], guests[key], titles[work_id]),
            created_at=until,
        )
        for key in sorted(set(people) | set(guests))
        for creator, work_id in [key]
    ]
    Notification.objects.bulk_create(rows, ignore_conflicts=True, batch_size=1000)
    return len(rows)


def subscription_digest(*, now: datetime | None = None) -> int:
    """E-mail each subscriber the updates of the past hour, one message each. Returns the
    e-mails sent."""
    return mail_all_pending(group="subscriptions", now=now)


@jobs.handler(SUBSCRIPTION_DIGEST_JOB)
def run_subscription_digest(job: Job) -> None:
    subscription_digest()


@jobs.handler(KUDOS_DIGEST_JOB)
def run_kudos_digest(job: Job) -> None:
    kudos_digest()


jobs.periodic(SUBSCRIPTION_DIGEST_JOB, SUBSCRIPTION_DIGEST_EVERY)
jobs.periodic(KUDOS_DIGEST_JOB, KUDOS_DIGEST_EVERY)


def send_due_digests(*, now: datetime | None = None) -> dict[str, Any]:
    """Everything waiting, now: the kudos digest, subscription updates and any comment
    e-mails a failed job left behind (the `fanworks send_digests` command)."""
    now = now or timezone.now()
    kudos = kudos_digest(now=now)
    return {
        "kudos_notifications": kudos,
        "subscription_emails": subscription_digest(now=now),
        "comment_emails": mail_all_pending(group="comments", now=now),
    }


# ---------------------------------------------------------------------------------------------
# Series subscriptions (called by works.series_actions)

SERIES_FANOUT_JOB = "engagement.series_fanout"


def announce_series_work(*, series_id: int, work_id: int) -> None:
    """A posted work joined a series (or a work in a series was posted): once committed,
    queue one job that tells the series' subscribers. The job's unique key makes it once per
    work and series, however often the work is added, removed and added again."""
    payload = {"series_id": series_id, "work_id": work_id}
    key = f"{SERIES_FANOUT_JOB}:{series_id}:{work_id}"
    transaction.on_commit(lambda: jobs.enqueue(SERIES_FANOUT_JOB, payload, unique_key=key))


@jobs.handler(SERIES_FANOUT_JOB)
def run_series_fanout(job: Job) -> None:
    """A "new work in series" notification for every subscriber of the series who may see the
    work: never for a draft or hidden work, never to guests-only readers of a restricted work
    (subscribers are registered, so that is every reader), and never to the work's creators,
    to subscribers who mute a creator or whom a creator blocks."""
    series = Series.objects.filter(pk=job.payload["series_id"]).first()
    work = Work.objects.filter(pk=job.payload["work_id"]).first()
    if series is None or work is None or not work.posted or work.hidden_by_admin:
        return
    if not SeriesWork.objects.filter(series=series, work=work).exists():
        return  # taken out again before the job ran
    creators, byline = _creators(work)
    recipients = _subscribers_to_tell(Subscription.objects.filter(series=series), creators)
    text = Truncator(
        f"{Truncator(byline).chars(80)} added {_title(work)} to the series {_title(series.title)}"
    ).chars(300)
    _write_in_batches(
        job,
        recipients.exclude(user_id__in=_told_of_work(work)),
        Notification(
            kind=NotificationKind.WORK,
            event_key=f"series:{series.pk}:work:{work.pk}",
            actor_id=creators[0] if creators else None,
            work=work,
            text=text,
            created_at=timezone.now(),
        ),
    )


# ---------------------------------------------------------------------------------------------
# Related works (called by works.related_actions)

RELATED_MAIL_JOB = "engagement.related_mail"


def notify_related_work(
    *, recipient_ids: list[int], actor: User | None, child: Work, event_key: str, text: str
) -> int:
    """Put "a work was linked to yours" in each recipient's inbox and queue its e-mail (at
    once, if they want these) after the caller commits. Call it inside the link's transaction,
    only for a posted child. Recipients who wrote the child, mute or block its linker, or may
    not see the child get nothing; a second call for the same event writes nothing new.
    Returns the notifications written."""
    written = 0
    for recipient in User.objects.filter(pk__in=recipient_ids, is_active=True).order_by("pk"):
        if actor is not None and (
            actor.pk == recipient.pk or any(blocks_and_mutes(recipient, actor))
        ):
            continue
        if not visible_works(recipient).filter(pk=child.pk).exists():
            continue
        _, created = Notification.objects.get_or_create(
            recipient=recipient,
            event_key=event_key,
            defaults={
                "kind": NotificationKind.RELATED,
                "actor": actor,
                "work": child,
                "text": Truncator(text).chars(300),
            },
        )
        if created:
            written += 1
            _queue_mail(RELATED_MAIL_JOB, recipient.pk)
    return written


def _queue_mail(kind: str, recipient_id: int, unique_key: str | None = None) -> None:
    """Once the caller's transaction commits, queue the job that e-mails `recipient_id`."""
    payload = {"recipient_id": recipient_id}
    transaction.on_commit(lambda: jobs.enqueue(kind, payload, unique_key=unique_key))


@jobs.handler(RELATED_MAIL_JOB)
def run_related_mail(job: Job) -> None:
    mail_pending(recipient_id=job.payload["recipient_id"], group="related")


# ---------------------------------------------------------------------------------------------
# Gifts (called by works.gift_actions)

GIFT_MAIL_JOB = "engagement.gift_mail"


def queue_gift_mail(*, recipient_id: int, gift_id: int) -> None:
    """E-mail the recipient their gift notifications (at once, if they want these) after the
    caller commits. Once per gift: announcing a gift again queues nothing new."""
    _queue_mail(GIFT_MAIL_JOB, recipient_id, unique_key=f"{GIFT_MAIL_JOB}:{gift_id}")


@jobs.handler(GIFT_MAIL_JOB)
def run_gift_mail(job: Job) -> None:
    mail_pending(recipient_id=job.payload["recipient_id"], group="gifts")
