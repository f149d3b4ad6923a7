"""Helpers shared by the co-creator tests (test_cocreators*.py)."""

import re
from typing import Any

from fanworks.accounts.models import User
from fanworks.core.testing import PROSE, make_user, make_work
from fanworks.engagement.models import Notification
from fanworks.search.models import SearchOutbox
from fanworks.works.actions import ChapterData, chapter_create
from fanworks.works.cocreator_actions import invitations_answer, invitations_send
from fanworks.works.cocreator_models import ChapterCreatorship, CreatorInvitation
from fanworks.works.models import Chapter, Creatorship, Series, SeriesCreatorship, Work


def invite(inviter: User, target: Work | Chapter | Series, *names: str) -> list[CreatorInvitation]:
    return invitations_send(inviter=inviter, names=list(names), target=target)


def accept_all(user: User) -> int:
    ids = list(CreatorInvitation.objects.filter(pseud__user=user).values_list("pk", flat=True))
    return invitations_answer(user=user, invitation_ids=ids, accept=True)


def credited_users(work: Work) -> list[str]:
    return list(
        Creatorship.objects.filter(work=work)
        .order_by("position", "pk")
        .values_list("pseud__user__username", flat=True)
    )


def snapshot() -> dict[str, Any]:
    """Every row a co-creator action may write, to assert that a refusal changed nothing."""
    return {
        "creatorships": list(
            Creatorship.objects.order_by("pk").values_list("pk", "work", "pseud", "position")
        ),
        "chapter creatorships": list(
            ChapterCreatorship.objects.order_by("pk").values_list("pk", "chapter", "pseud")
        ),
        "series creatorships": list(
            SeriesCreatorship.objects.order_by("pk").values_list("pk", "series", "pseud")
        ),
        "invitations": list(
            CreatorInvitation.objects.order_by("pk").values_list(
                "pk", "pseud", "work", "chapter", "series"
            )
        ),
        "notifications": Notification.objects.count(),
        "outbox": SearchOutbox.objects.count(),
        "works": list(
            Work.objects.order_by("pk").values_list("pk", "version", "title", "creator_sort_key")
        ),
        "chapters": list(Chapter.objects.order_by("pk").values_list("pk", "version", "title")),
        "series": list(Series.objects.order_by("pk").values_list("pk", "title")),
    }


def byline(html: str) -> str:
    match = re.search(r'<h3 class="byline heading">(.*?)</h3>', html, re.S)
    assert match, html[:2000]
    return re.sub(r"<[^>]+>", "", match.group(1))


def two_chapter_work(alma: Any) -> tuple[Work, Any]:
    work = make_work(alma, expected_chapters=2)
    second = chapter_create(work=work, data=ChapterData(content=PROSE, title="The Tide"), post=True)
    return work, second


def chapter_shared_with_bea() -> tuple[Any, Any, Work, Any]:
    """alma's two-chapter work whose second chapter bea accepted to co-create."""
    alma = make_user("alma")
    bea = make_user("bea")
    work, second = two_chapter_work(alma)
    invite(alma, second, "bea")
    accept_all(bea)
    return alma, bea, work, second
