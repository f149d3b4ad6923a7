"""Every read of gifts. Refused gifts are never shown; a gift's work is listed only when the
viewer may see it (works.queries.visible_works), so drafts, hidden and restricted works never
leak through a gifts page or its count."""

from dataclasses import dataclass
from urllib.parse import quote

from django.db.models import QuerySet

from fanworks.accounts.models import Pseud, User
from fanworks.works.models import Gift, Work
from fanworks.works.queries import Viewer, visible_works, with_listing_data


@dataclass(frozen=True)
class GiftRecipient:
    """What a work shows of one recipient: the name, and their gifts page when on the archive."""

    name: str
    username: str | None

    @property
    def url(self) -> str | None:
        return f"/users/{quote(self.username)}/gifts" if self.username else None


def _recipients_by_work(work_ids: list[int]) -> dict[int, list[GiftRecipient]]:
    grouped: dict[int, list[GiftRecipient]] = {pk: [] for pk in work_ids}
    rows = (
        Gift.objects.filter(work_id__in=work_ids, refused=False)
        .order_by("pk")
        .values_list("work_id", "recipient_name", "pseud__name", "pseud__user__username")
    )
    for work_id, free_name, pseud_name, username in rows:
        if pseud_name is None:
            grouped[work_id].append(GiftRecipient(free_name, None))
        else:
            shown = pseud_name if pseud_name == username else f"{pseud_name} ({username})"
            grouped[work_id].append(GiftRecipient(shown, username))
    return grouped


def attach_gifts(works: list[Work]) -> None:
    """Each work's recipients for its blurb, one query for a whole listing page."""
    if not works:
        return
    grouped = _recipients_by_work([work.pk for work in works])
    for work in works:
        work._gift_recipients = grouped[work.pk]  # type: ignore[attr-defined]


def gift_recipients(work: Work) -> list[GiftRecipient]:
    """The work's recipients, as attached by a listing or read now (the work page)."""
    attached: list[GiftRecipient] | None = getattr(work, "_gift_recipients", None)
    if attached is None:
        attached = _recipients_by_work([work.pk])[work.pk]
        work._gift_recipients = attached  # type: ignore[attr-defined]
    return attached


def gift_names_for_form(work: Work) -> str:
    """The edit form's "Gift this work to" value: live gifts, as the names resolve again."""
    return ", ".join(r.name for r in _recipients_by_work([work.pk])[work.pk])


def gifted_works(viewer: Viewer, user: User, pseud: Pseud | None = None) -> QuerySet[Work]:
    """The works given to `user` (or to one of their pseuds) that `viewer` may see, newest
    first, ready for blurbs. Drafts never appear, not even to the recipient."""
    gifts = Gift.objects.filter(refused=False, pseud__user=user)
    if pseud is not None:
        gifts = gifts.filter(pseud=pseud)
    return with_listing_data(
        visible_works(viewer).filter(pk__in=gifts.values("work_id")).order_by("-revised_at", "-pk"),
        viewer,
    )


def gift_ids_by_work(user: User, work_ids: list[int]) -> dict[int, int]:
    """For the recipient's own gifts page: which gift (to refuse) each listed work is."""
    rows = Gift.objects.filter(refused=False, pseud__user=user, work_id__in=work_ids).values_list(
        "work_id", "pk"
    )
    return dict(rows)


def gift_of_recipient(user: User, gift_id: int) -> Gift | None:
    """The live gift `gift_id` when it is to one of `user`'s pseuds, else None."""
    return (
        Gift.objects.filter(pk=gift_id, refused=False, pseud__user=user)
        .select_related("work")
        .first()
    )
