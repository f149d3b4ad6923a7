"""Helpers shared by the co-creator tests (test_cocreators*.py)."""

from typing import Any

from fanworks.accounts.models import User
from fanworks.engagement.models import Notification
from fanworks.search.models import SearchOutbox
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
