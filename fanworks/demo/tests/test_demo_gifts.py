"""`fanworks demo` gives some works as gifts (to pseuds and to free-text names) and orphans
a few, and a second run adds none."""

import pytest
from django.test import Client

from fanworks.demo.tests.test_demo_series import demo
from fanworks.engagement.models import MailStatus, Notification, NotificationKind
from fanworks.works.models import Creatorship, Gift
from fanworks.works.orphan_queries import ORPHAN_USERNAME

pytestmark = pytest.mark.django_db


def test_demo_makes_gifts_and_orphans_once() -> None:
    output = demo()
    assert "Gifts:" in output and "Orphaned works:" in output
    to_pseuds = Gift.objects.filter(pseud__isnull=False)
    assert to_pseuds.exists() and Gift.objects.filter(pseud__isnull=True).exists(), output
    # Recipients on the archive heard of their (posted) gifts; never creators of the work.
    for work_id, user_id in to_pseuds.values_list("work_id", "pseud__user_id"):
        assert not Creatorship.objects.filter(work_id=work_id, pseud__user_id=user_id).exists()
    assert Notification.objects.filter(kind=NotificationKind.GIFT).count() == to_pseuds.count()
    # Demo addresses are .invalid: no gift e-mail is waiting to be sent to them.
    assert not Notification.objects.filter(
        kind=NotificationKind.GIFT, mail_status=MailStatus.PENDING
    ).exists()
    orphaned = Creatorship.objects.filter(pseud__user__username=ORPHAN_USERNAME)
    assert orphaned.exists(), output
    row = to_pseuds.values_list("pseud__user__username", "work__title").first()
    assert row is not None
    username, title = row
    page = Client().get(f"/users/{username}/gifts")
    assert page.status_code == 200 and title in page.content.decode()

    counts = (Gift.objects.count(), orphaned.count(), Notification.objects.count())
    demo()
    assert (Gift.objects.count(), orphaned.count(), Notification.objects.count()) == counts
