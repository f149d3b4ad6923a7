"""`fanworks demo` co-creates some works, chapters and series, leaves some invitations
pending (the `demo` login among the invitees), and a second run adds none."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import Count
from django.test import Client

from fanworks.accounts.models import User
from fanworks.engagement.models import Notification, NotificationKind
from fanworks.works.cocreator_models import ChapterCreatorship, CreatorInvitation
from fanworks.works.models import Creatorship, SeriesCreatorship, Work

pytestmark = pytest.mark.django_db
WORKS = 150


def demo() -> str:
    out = StringIO()
    call_command("demo", "--works", str(WORKS), stdout=out)
    return out.getvalue()


def shared_works() -> list[int]:
    return list(
        Creatorship.objects.values("work_id")
        .annotate(users=Count("pseud__user_id", distinct=True))
        .filter(users__gt=1)
        .values_list("work_id", flat=True)
    )


def test_demo_shares_works_and_leaves_invitations_pending_once() -> None:
    output = demo()
    assert "Co-creators:" in output
    shared = shared_works()
    assert shared, output
    pending = CreatorInvitation.objects.count()
    assert pending >= 3
    assert Notification.objects.filter(kind=NotificationKind.COCREATOR).count() == pending
    demo_login = User.objects.get(username="demo")
    assert CreatorInvitation.objects.filter(pseud__user=demo_login).count() >= 1
    # A co-created work shows both creators; a pending invitation credits nobody.
    work = Work.objects.get(pk=shared[0])
    names = list(work.creatorships.values_list("pseud__name", flat=True))
    html = Client().get(f"/works/{work.pk}?view_full_work=true&view_adult=true").content.decode()
    assert all(name in html for name in names)
    for work_id, pseud_id in CreatorInvitation.objects.filter(work__isnull=False).values_list(
        "work_id", "pseud_id"
    ):
        assert not Creatorship.objects.filter(work_id=work_id, pseud_id=pseud_id).exists()
    client = Client()
    client.force_login(demo_login)
    assert "Co-Creator Requests" in client.get("/users/demo/creatorships").content.decode()

    counts = (
        len(shared),
        pending,
        ChapterCreatorship.objects.count(),
        SeriesCreatorship.objects.count(),
        Notification.objects.count(),
    )
    demo()
    assert (
        len(shared_works()),
        CreatorInvitation.objects.count(),
        ChapterCreatorship.objects.count(),
        SeriesCreatorship.objects.count(),
        Notification.objects.count(),
    ) == counts
