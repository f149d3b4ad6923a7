"""Demo gifts and orphaned works.

Some posted works are gifts: to another demo user's pseud (who gets the inbox entry, as on
the posting form, but no e-mail) or to a name as free text. A few posted works are orphaned,
half keeping their pseud's name and half anonymously. Both go through the real actions, and
choices come from the seed and the work id, so a second run adds nothing.
"""

import random

from django.core.exceptions import ValidationError
from django.db import transaction

from fanworks.accounts.models import Pseud, User
from fanworks.demo.world import DEMO_USERNAME
from fanworks.engagement.models import MailStatus, Notification, NotificationKind
from fanworks.works.gift_actions import gifts_set
from fanworks.works.models import Creatorship, Gift, Work
from fanworks.works.orphan_actions import move_creatorships
from fanworks.works.orphan_queries import ORPHAN_USERNAME

# About one in GIFT_SHARE posted works is a gift, at most MAX_GIFT_WORKS in all; one in
# ORPHAN_SHARE is orphaned, at most MAX_ORPHANED.
GIFT_SHARE = 10
MAX_GIFT_WORKS = 300
ORPHAN_SHARE = 40
MAX_ORPHANED = 60
FREE_TEXT_NAMES = ["my sister", "the Tuesday writing group", "everyone who asked for more",
                   "M.", "the prompt-giver", "Grandma Rose"]  # fmt: skip


def _posted_work_ids(limit: int) -> list[int]:
    return list(
        Work.objects.filter(posted=True, hidden_by_admin=False)
        .order_by("pk")
        .values_list("pk", flat=True)[:limit]
    )


def fill_gifts(*, seed: int) -> int:
    """Make sure the demo's gifts exist. Returns the works given as gifts by this run."""
    chosen = [
        pk
        for pk in _posted_work_ids(MAX_GIFT_WORKS * GIFT_SHARE)
        if random.Random(f"demo-gift-{seed}-{pk}").randrange(GIFT_SHARE) == 0
    ][:MAX_GIFT_WORKS]
    given = set(Gift.objects.filter(work_id__in=chosen).values_list("work_id", flat=True))
    todo = [pk for pk in chosen if pk not in given]
    if not todo:
        return 0
    candidates = list(
        Pseud.objects.filter(is_default=True)
        .exclude(user__username=ORPHAN_USERNAME)
        .order_by("pk")
        .values_list("user__username", flat=True)[:500]
    )
    creators: dict[int, set[str]] = {}
    for work_id, username in Creatorship.objects.filter(work_id__in=todo).values_list(
        "work_id", "pseud__user__username"
    ):
        creators.setdefault(work_id, set()).add(username)
    made = 0
    for work in Work.objects.filter(pk__in=todo).order_by("pk"):
        rng = random.Random(f"demo-gift-{seed}-{work.pk}-who")
        names = []
        pool = [name for name in candidates if name not in creators.get(work.pk, set())]
        if pool and rng.random() < 0.75:
            names.append(rng.choice(pool))
        if not names or rng.random() < 0.3:
            names.append(rng.choice(FREE_TEXT_NAMES))
        try:
            with transaction.atomic():
                gifts_set(work=work, names=names)
                # Demo addresses are .invalid: the inbox entry stays, its e-mail is not sent.
                Notification.objects.filter(
                    kind=NotificationKind.GIFT, work=work, mail_status=MailStatus.PENDING
                ).update(mail_status=MailStatus.SKIPPED)
        except ValidationError:  # a demo user who blocks the creator: no gift for them
            continue
        made += 1
    return made


def fill_orphans(*, seed: int) -> int:
    """Make sure the demo's orphaned works are orphaned. Returns the works orphaned now."""
    candidates = (
        Work.objects.filter(posted=True, hidden_by_admin=False)
        .exclude(creatorships__pseud__user__username=DEMO_USERNAME)
        .order_by("pk")
        .values_list("pk", flat=True)[: MAX_ORPHANED * ORPHAN_SHARE]
    )
    chosen = [
        pk
        for pk in candidates
        if random.Random(f"demo-orphan-{seed}-{pk}").randrange(ORPHAN_SHARE) == 0
    ][:MAX_ORPHANED]
    owners: dict[int, list[int]] = {}
    for work_id, user_id in (
        Creatorship.objects.filter(work_id__in=chosen)
        .exclude(pseud__user__username=ORPHAN_USERNAME)
        .values_list("work_id", "pseud__user_id")
    ):
        owners.setdefault(user_id, []).append(work_id)
    done: set[int] = set()
    for user in User.objects.filter(pk__in=owners).order_by("pk"):
        for work_id in owners[user.pk]:
            keep = random.Random(f"demo-orphan-{seed}-{work_id}-name").random() < 0.5
            with transaction.atomic():
                done.update(move_creatorships(user=user, work_ids=[work_id], keep_names=keep))
    return len(done)
