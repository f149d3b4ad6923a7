"""Every write of the engagement app."""

from datetime import UTC, datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from fanworks.accounts.models import User
from fanworks.engagement.models import (
    HitDay,
    HitVisit,
    Kudos,
    Notification,
    Reading,
    Subscription,
)
from fanworks.search.outbox import record_work_changes
from fanworks.works.models import Work


def kudos_leave(*, work: Work, user: User | None, visitor_hash: str = "") -> Kudos | None:
    """Leave kudos on `work` from `user`, or from the guest `visitor_hash` when there is no
    user. Returns the new kudos, or None when this reader had already left some.

    The unique constraints decide: of two requests racing, one inserts and the other gets an
    IntegrityError inside its savepoint and changes nothing. The work's kudos count moves in
    the same transaction and the search index hears of it through the outbox, so the kudos
    sort and range see it within seconds. The work's "updated" date does not move.
    """
    if user is None and not visitor_hash:
        raise ValueError("kudos need a user or a visitor hash")
    with transaction.atomic():
        try:
            with transaction.atomic():
                kudos = Kudos.objects.create(
                    work=work, user=user, visitor_hash="" if user is not None else visitor_hash
                )
        except IntegrityError:
            return None
        Work.objects.filter(pk=work.pk).update(kudos_count=F("kudos_count") + 1)
        record_work_changes([work.pk])
    return kudos


# A visitor's hits on one work count once in this window (AO3: once per address per 24 hours).
HIT_WINDOW = timedelta(hours=24)


def hit_record(*, work: Work, visitor: str, now: datetime | None = None) -> bool:
    """Count a visit of `visitor` to `work` unless their last counted one is within HIT_WINDOW.
    Returns True when the hit counted.

    A repeat visit costs one read and no write, so reading stays cheap. Two first visits at
    once insert one row (the unique constraint) and count once; two late visits at once both
    match the conditional update but only one changes the row, and only that one counts.
    """
    now = now or timezone.now()
    last = (
        HitVisit.objects.filter(work=work, visitor=visitor)
        .values_list("last_counted_at", flat=True)
        .first()
    )
    if last is not None and now - last < HIT_WINDOW:
        return False
    with transaction.atomic():
        if last is None:
            try:
                with transaction.atomic():
                    HitVisit.objects.create(work=work, visitor=visitor, last_counted_at=now)
            except IntegrityError:
                return False
        else:
            moved = HitVisit.objects.filter(
                work=work, visitor=visitor, last_counted_at=last
            ).update(last_counted_at=now)
            if not moved:
                return False
        Work.objects.filter(pk=work.pk).update(hit_count=F("hit_count") + 1)
        _count_hit_day(work, now)
        record_work_changes([work.pk])
    return True


def _count_hit_day(work: Work, now: datetime) -> None:
    """One more hit in the work's row for today (UTC); the first hit of the day makes the row."""
    day = now.astimezone(UTC).date()
    if HitDay.objects.filter(work=work, day=day).update(hits=F("hits") + 1):
        return
    try:
        with transaction.atomic():
            HitDay.objects.create(work=work, day=day, hits=1)
    except IntegrityError:  # another request made today's row a moment ago
        HitDay.objects.filter(work=work, day=day).update(hits=F("hits") + 1)


# Visits within this long of the last one are the same visit (reloads, chapter to chapter), so
# reading a work costs a write at most this often.
READING_VISIT_GAP = timedelta(minutes=30)


def reading_record(*, user: User, work: Work, now: datetime | None = None) -> bool:
    """Note a visit of `user` to `work` in their history (not when their history is off), and
    return whether they marked the work for later: the work page shows that mark, and one read
    answers both."""
    now = now or timezone.now()
    last, marked = (
        Reading.objects.filter(user=user, work=work)
        .values_list("last_viewed_at", "marked_for_later")
        .first()
    ) or (None, False)
    if not user.history_enabled or (last is not None and now - last < READING_VISIT_GAP):
        return marked
    updated = Reading.objects.filter(user=user, work=work).update(
        last_viewed_at=now, view_count=F("view_count") + 1
    )
    if updated:
        return marked
    try:
        with transaction.atomic():
            Reading.objects.create(
                user=user, work=work, first_viewed_at=now, last_viewed_at=now, view_count=1
            )
    except IntegrityError:
        pass  # the same reader's other request made it a moment ago
    return marked


def reading_mark(*, user: User, work: Work, for_later: bool) -> Reading:
    """Mark `work` to read later (AO3's "Mark for Later"), or as read."""
    reading, _ = Reading.objects.get_or_create(user=user, work=work)
    if reading.marked_for_later != for_later:
        reading.marked_for_later = for_later
        reading.save(update_fields=["marked_for_later"])
    return reading


def reading_delete(*, user: User, work_id: int) -> int:
    """Remove one work from `user`'s history. Returns the rows removed (0 or 1)."""
    deleted, _ = Reading.objects.filter(user=user, work_id=work_id).delete()
    return deleted


def history_clear(*, user: User) -> int:
    """Forget `user`'s visits; works marked for later stay marked. Returns the visits removed."""
    cleared, _ = Reading.objects.filter(user=user, marked_for_later=False).delete()
    Reading.objects.filter(user=user).update(
        first_viewed_at=None, last_viewed_at=None, view_count=0
    )
    return cleared


def history_set_enabled(*, user: User, enabled: bool) -> User:
    """Turn `user`'s reading history on or off; turning it off also clears it."""
    user.history_enabled = enabled
    user.save(update_fields=["history_enabled"])
    if not enabled:
        history_clear(user=user)
    return user


# ---------------------------------------------------------------------------------------------
# Subscriptions and the inbox


def subscription_create(
    *, user: User, work: Work | None = None, target_user: User | None = None
) -> Subscription:
    """Subscribe `user` to a work (new chapters) or a user (new works); the caller has checked
    `subscribe_refusal`. Subscribing twice returns the first subscription: the unique
    constraints decide between two clicks at once."""
    if (work is None) == (target_user is None):
        raise ValueError("subscribe to exactly one of a work or a user")
    target: dict[str, Work | User | None] = (
        {"work": work} if work is not None else {"target_user": target_user}
    )
    existing = Subscription.objects.filter(user=user, **target).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            return Subscription.objects.create(user=user, **target)
    except IntegrityError:
        return Subscription.objects.get(user=user, **target)


def subscription_delete(*, user: User, subscription_id: int) -> bool:
    """Remove one of `user`'s subscriptions. False when they have none with that id."""
    deleted, _ = Subscription.objects.filter(user=user, pk=subscription_id).delete()
    return bool(deleted)


def notifications_mark(*, user: User, ids: list[int], read: bool) -> int:
    """Mark these notifications of `user` read or unread; other users' ids are ignored.
    Returns how many changed."""
    return (
        Notification.objects.filter(recipient=user, pk__in=ids).exclude(read=read).update(read=read)
    )


def notifications_delete(*, user: User, ids: list[int]) -> int:
    """Delete these notifications of `user` (never anyone else's). Returns how many."""
    deleted, _ = Notification.objects.filter(recipient=user, pk__in=ids).delete()
    return deleted
