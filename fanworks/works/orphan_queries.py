"""Reads for orphaning: the orphan account's name and the works a user may orphan."""

from django.db.models import QuerySet

from fanworks.accounts.models import User
from fanworks.works.models import Creatorship, Work

# AO3's name for the shared account orphaned works move to (reserved at sign-up).
ORPHAN_USERNAME = "orphan_account"


def works_to_orphan(user: User) -> QuerySet[Work]:
    """`user`'s posted works, for the "orphan works" page: newest first, titles only."""
    mine = Creatorship.objects.filter(pseud__user=user).values("work_id")
    return (
        Work.objects.filter(pk__in=mine, posted=True)
        .order_by("-revised_at", "-pk")
        .only("pk", "title", "restricted", "hidden_by_admin")
    )


def works_of_user(user: User) -> QuerySet[Work]:
    """Every work `user` is a creator of, drafts too (account deletion asks about each)."""
    mine = Creatorship.objects.filter(pseud__user=user).values("work_id")
    return (
        Work.objects.filter(pk__in=mine)
        .order_by("-posted", "-revised_at", "-pk")
        .only("pk", "title", "posted", "restricted", "hidden_by_admin")
    )
