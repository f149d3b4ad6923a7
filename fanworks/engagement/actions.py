"""Every write of the engagement app."""

from django.db import IntegrityError, transaction
from django.db.models import F

from fanworks.accounts.models import User
from fanworks.engagement.models import Kudos
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
