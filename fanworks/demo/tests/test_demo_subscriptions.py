"""`fanworks demo` fills in subscriptions (popular works, prolific users, a long tail) and a
few inbox entries, and a second run adds none."""

from collections import Counter
from io import StringIO

import pytest
from django.core.management import call_command

from fanworks.engagement.models import MailStatus, Notification, NotificationKind, Subscription
from fanworks.works.models import Creatorship

pytestmark = pytest.mark.django_db
WORKS = 60


def demo() -> str:
    out = StringIO()
    call_command("demo", "--works", str(WORKS), stdout=out)
    return out.getvalue()


def test_demo_subscriptions_follow_the_long_tail_and_are_not_made_twice() -> None:
    output = demo()
    subscriptions = list(Subscription.objects.values_list("user_id", "work_id", "target_user_id"))
    assert "Subscriptions:" in output
    assert any(work for _, work, _ in subscriptions)
    assert any(target for _, _, target in subscriptions)
    per_user = Counter(user for user, _, _ in subscriptions)
    # A long tail: most subscribers follow one or two things, a few follow many.
    sizes = sorted(per_user.values())
    assert sizes[len(sizes) // 2] <= 3 and sizes[-1] >= 3 * sizes[len(sizes) // 2]
    # Nobody follows themselves or their own work.
    assert not any(user == target for user, _, target in subscriptions)
    own = set(Creatorship.objects.values_list("pseud__user_id", "work_id"))
    assert not any((user, work) in own for user, work, _ in subscriptions if work)
    # Subscription entries (the demo's gifts and co-creator invitations have inbox entries of
    # their own, never mailed).
    notes = list(
        Notification.objects.exclude(kind__in=[NotificationKind.GIFT, NotificationKind.COCREATOR])
    )
    assert notes and all(n.mail_status == MailStatus.SENT and not n.read for n in notes)

    counts = (Subscription.objects.count(), Notification.objects.count())
    demo()
    assert (Subscription.objects.count(), Notification.objects.count()) == counts
