"""Demo subscriptions: readers following popular works and prolific writers, with the long tail
of a real archive (most follow a few things, some follow dozens), and a few inbox entries.

Decided per user from the seed alone, and skipped where they already exist, so running the
demo again adds only what is missing.
"""

import random
from collections import Counter
from datetime import datetime, timedelta

from fanworks.demo.rows import RowWriter
from fanworks.engagement.models import Notification, NotificationKind, Subscription
from fanworks.works.models import Chapter, Creatorship, Work

POPULAR_WORKS = 60
PROLIFIC_USERS = 25
SHAPE = 1.3  # Pareto: most readers follow a handful of things
MAX_PER_USER = 40
INBOX_READERS = 12  # readers who get a "new chapter" entry in their inbox


def fill_subscriptions(*, seed: int, user_ids: list[int], now: datetime) -> tuple[int, int]:
    """Make sure the demo users' subscriptions exist. Returns (subscriptions, notifications)
    written by this run."""
    works = list(
        Work.objects.filter(posted=True, hidden_by_admin=False)
        .order_by("-kudos_count", "pk")
        .values_list("pk", flat=True)[:POPULAR_WORKS]
    )
    if not works or len(user_ids) < 2:
        return 0, 0
    creators: dict[int, set[int]] = {}
    for work_id, user_id in Creatorship.objects.filter(work_id__in=works).values_list(
        "work_id", "pseud__user_id"
    ):
        creators.setdefault(work_id, set()).add(user_id)
    output = Counter(
        Creatorship.objects.filter(pseud__user_id__in=user_ids, work__posted=True).values_list(
            "pseud__user_id", flat=True
        )
    )
    prolific = [user_id for user_id, _ in output.most_common(PROLIFIC_USERS)]
    existing_works = set(
        Subscription.objects.filter(user_id__in=user_ids, work__isnull=False).values_list(
            "user_id", "work_id"
        )
    )
    existing_users = set(
        Subscription.objects.filter(user_id__in=user_ids, target_user__isnull=False).values_list(
            "user_id", "target_user_id"
        )
    )
    rows: list[list[object]] = []
    followed: dict[int, list[int]] = {}
    for index, user_id in enumerate(user_ids):
        # Seeded by the user's place in the pool, not their id: the same on every database.
        rng = random.Random(f"demo-subscriptions-{seed}-{index}")
        wanted = min(int(rng.paretovariate(SHAPE)) - 1, MAX_PER_USER)
        for _ in range(wanted):
            when = now - timedelta(days=rng.randint(0, 365), minutes=rng.randint(0, 1439))
            # A third follow writers; works near the top of the popular list are followed most.
            if prolific and rng.random() < 0.35:
                target = prolific[min(int(rng.expovariate(0.2)), len(prolific) - 1)]
                if target != user_id and (user_id, target) not in existing_users:
                    existing_users.add((user_id, target))
                    rows.append([user_id, None, target, when])
                continue
            work_id = works[min(int(rng.expovariate(0.08)), len(works) - 1)]
            if user_id in creators.get(work_id, set()) or (user_id, work_id) in existing_works:
                continue
            existing_works.add((user_id, work_id))
            followed.setdefault(user_id, []).append(work_id)
            rows.append([user_id, work_id, None, when])
    RowWriter(Subscription, ["user", "work", "target_user", "created_at"]).write(rows)
    return len(rows), _fill_inbox(seed, followed, now)


def _fill_inbox(seed: int, followed: dict[int, list[int]], now: datetime) -> int:
    """A "new chapter" entry for a few readers, about the latest chapter of a work they
    follow (unread, and already e-mailed so the demo sends no mail)."""
    rng = random.Random(f"demo-inbox-{seed}")
    readers = sorted(followed)[: INBOX_READERS * 4]
    chosen = rng.sample(readers, min(INBOX_READERS, len(readers)))
    latest = {
        work_id: (chapter_id, position, title)
        for work_id, chapter_id, position, title in Chapter.objects.filter(
            work_id__in={w for r in chosen for w in followed[r]}, posted=True
        )
        .order_by("work_id", "position")
        .values_list("work_id", "pk", "position", "work__title")
    }
    taken = set(
        Notification.objects.filter(recipient_id__in=chosen).values_list(
            "recipient_id", "event_key"
        )
    )
    rows: list[list[object]] = []
    for reader in chosen:
        work_id = followed[reader][0]
        if work_id not in latest:
            continue
        chapter_id, position, title = latest[work_id]
        key = f"chapter:{chapter_id}"
        if (reader, key) in taken:
            continue
        text = f"“{title[:120]}” has a new chapter: Chapter {position}"
        rows.append(
            [reader, NotificationKind.CHAPTER, key, work_id, chapter_id, text, False, now, "sent"]
        )
    RowWriter(
        Notification,
        [
            "recipient",
            "kind",
            "event_key",
            "work",
            "chapter",
            "text",
            "read",
            "created_at",
            "mail_status",
        ],
    ).write(rows)
    return len(rows)
