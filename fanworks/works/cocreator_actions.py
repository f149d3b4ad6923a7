"""Every write about co-creators: invitations, answers to them, and leaving a creation.

An invitation credits nobody. Accepting one writes the creatorship row, and every change to
a work's credited pseuds re-keys `Work.creator_sort_key` and writes the search outbox row in
the same transaction, so bylines, the creator filter, feeds and edit rights change together.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.text import Truncator

from fanworks.accounts.models import User
from fanworks.engagement.models import MailStatus, Notification, NotificationKind
from fanworks.search.outbox import record_series_changes, record_work_changes
from fanworks.works.cocreator_models import ChapterCreatorship, CreatorInvitation
from fanworks.works.cocreator_queries import credited_pseud_ids, invitees_for, target_of
from fanworks.works.models import (
    Chapter,
    Creatorship,
    Series,
    SeriesCreatorship,
    Work,
)

# The form field (and action error key) that names the pseuds to invite.
INVITE_FIELD = "invite_cocreators"
TITLE_CHARS = 120

Target = Work | Chapter | Series


def _work_creators_changed(work_ids: list[int]) -> None:
    """Re-key the works' creator sort and queue them for the search index (same transaction)."""
    from fanworks.works.actions import work_sort_keys_refresh  # actions builds on this module

    work_sort_keys_refresh(work_ids=work_ids)
    record_work_changes(work_ids)


def _describe(target: Target) -> str:
    if isinstance(target, Chapter):
        work_title = Truncator(" ".join(target.work.title.split())).chars(TITLE_CHARS)
        return f"chapter {target.position} of “{work_title}”"
    title = Truncator(" ".join(target.title.split())).chars(TITLE_CHARS)
    return f"the series “{title}”" if isinstance(target, Series) else f"“{title}”"


def invitations_send(*, inviter: User, names: list[str], target: Target) -> list[CreatorInvitation]:
    """Invite the pseuds `names` name to be co-creators of `target` (call it inside the
    transaction that saves the target, so a refused name saves nothing). Raises
    ValidationError under INVITE_FIELD naming every name that cannot be invited; pseuds
    already invited are left as they are. Each invitee gets an inbox notification."""
    if not names:
        return []
    work = target.work if isinstance(target, Chapter) else target
    if isinstance(work, Work) and work.hidden_by_admin:
        # Its title would reach the invitees' inboxes while nobody else may read it.
        raise ValidationError(
            {INVITE_FIELD: ["An administrator hid this work, so no one can be invited to it."]}
        )
    pseuds, problems = invitees_for(
        inviter=inviter, names=names, credited_pseud_ids=credited_pseud_ids(target)
    )
    if problems:
        raise ValidationError({INVITE_FIELD: problems})
    key = "work" if isinstance(target, Work) else "chapter"
    if isinstance(target, Series):
        key = "series"
    created: list[CreatorInvitation] = []
    with transaction.atomic():
        for pseud in pseuds:
            invitation, new = CreatorInvitation.objects.get_or_create(
                pseud=pseud, **{key: target}, defaults={"inviter": inviter}
            )
            if new:
                created.append(invitation)
                notify_invitation(invitation)
    return created


def notify_invitation(invitation: CreatorInvitation) -> None:
    """The invitee's inbox entry. It links to no work (the work may be a draft they cannot
    open yet) but to their Co-Creator Requests page; invitations are not e-mailed."""
    target = target_of(invitation)
    Notification.objects.get_or_create(
        recipient_id=invitation.pseud.user_id,
        event_key=f"cocreator:{invitation.pk}",
        defaults={
            "kind": NotificationKind.COCREATOR,
            "actor_id": invitation.inviter_id,
            "text": f"{invitation.inviter.username} invited {invitation.pseud.name} to be a "
            f"co-creator of {_describe(target)}",
            "mail_status": MailStatus.SKIPPED,
        },
    )


def _append_work_creator(work_id: int, pseud_id: int) -> bool:
    if Creatorship.objects.filter(work_id=work_id, pseud_id=pseud_id).exists():
        return False
    last = Creatorship.objects.filter(work_id=work_id).aggregate(last=Max("position"))["last"]
    Creatorship.objects.create(work_id=work_id, pseud_id=pseud_id, position=(last or 0) + 1)
    return True


def _append_chapter_creator(chapter: Chapter, pseud_id: int, inviter_id: int) -> None:
    """Credit `pseud_id` on the chapter. A chapter without its own creators was credited to
    the whole work; its own list starts with the inviter's pseuds on the work (or, if the
    inviter has left, the work's creators), so the invitee joins them, not everyone."""
    ships = ChapterCreatorship.objects.filter(chapter=chapter)
    if not ships.exists():
        work_ships = Creatorship.objects.filter(work_id=chapter.work_id)
        seed = list(work_ships.filter(pseud__user_id=inviter_id).values_list("pseud_id", flat=True))
        _seed_chapters([chapter.pk], seed or list(work_ships.values_list("pseud_id", flat=True)))
    if not ships.filter(pseud_id=pseud_id).exists():
        last = ships.aggregate(last=Max("position"))["last"]
        ChapterCreatorship.objects.create(
            chapter=chapter, pseud_id=pseud_id, position=(last or 0) + 1
        )


def _seed_chapters(chapter_ids: list[int], pseud_ids: list[int]) -> None:
    ChapterCreatorship.objects.bulk_create(
        [
            ChapterCreatorship(chapter_id=chapter_id, pseud_id=pk, position=index)
            for chapter_id in chapter_ids
            for index, pk in enumerate(pseud_ids)
        ]
    )


def _freeze_other_chapters(work_id: int) -> None:
    """Before a chapter's co-creator joins the work, give every chapter still credited to
    "the work's creators" its current creators, so they are not credited with chapters
    they did not write."""
    bare = list(
        Chapter.objects.filter(work_id=work_id, creatorships__isnull=True).values_list(
            "pk", flat=True
        )
    )
    if bare:
        work_ships = Creatorship.objects.filter(work_id=work_id).order_by("position", "pk")
        _seed_chapters(bare, list(work_ships.values_list("pseud_id", flat=True)))


def _join_credited_chapters(work_id: int, pseud_id: int) -> None:
    """A new co-creator of the whole work joins the chapters that list their own creators."""
    listed = (
        Chapter.objects.filter(work_id=work_id, creatorships__isnull=False)
        .exclude(creatorships__pseud_id=pseud_id)
        .distinct()
        .values_list("pk", flat=True)
    )
    # Positions only order a chapter's byline; a large one puts the newcomer after the rest.
    ChapterCreatorship.objects.bulk_create(
        [ChapterCreatorship(chapter_id=pk, pseud_id=pseud_id, position=1000) for pk in listed]
    )


def _append_series_creator(series_id: int, pseud_id: int) -> bool:
    if SeriesCreatorship.objects.filter(series_id=series_id, pseud_id=pseud_id).exists():
        return False
    last = SeriesCreatorship.objects.filter(series_id=series_id).aggregate(last=Max("position"))
    SeriesCreatorship.objects.create(
        series_id=series_id, pseud_id=pseud_id, position=(last["last"] or 0) + 1
    )
    return True


def _join_series_of_work(work_id: int, pseud_id: int) -> list[int]:
    """A new co-creator of a work becomes a co-creator of every series the work is in, as
    on AO3 (reference/ao3.md: "a work co-creator becomes a series co-creator"; series_add_work
    credits a work's creators on the series the same way). Returns the series changed."""
    series_ids = list(
        Series.objects.select_for_update(of=("self",))
        .filter(series_works__work_id=work_id)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    return [pk for pk in series_ids if _append_series_creator(pk, pseud_id)]


def invitations_answer(*, user: User, invitation_ids: list[int], accept: bool) -> int:
    """Accept or decline `user`'s own invitations among `invitation_ids` (others' are
    ignored); returns how many were answered. Accepting credits the pseud and cascades up
    as AO3's does: a chapter's co-creator becomes a co-creator of the work, and a work's of
    every series the work is in."""
    with transaction.atomic():
        invitations = list(
            CreatorInvitation.objects.select_for_update(of=("self",))
            .filter(pk__in=invitation_ids, pseud__user=user)
            .select_related("work", "chapter", "series")
        )
        changed_works: set[int] = set()
        changed_series: set[int] = set()
        for invitation in invitations if accept else []:
            target = target_of(invitation)
            pseud_id = invitation.pseud_id
            _lock(target)  # two acceptances at once must not take the same position
            if isinstance(target, Work):
                if _append_work_creator(target.pk, pseud_id):
                    _join_credited_chapters(target.pk, pseud_id)
                    changed_works.add(target.pk)
                    changed_series.update(_join_series_of_work(target.pk, pseud_id))
            elif isinstance(target, Chapter):
                _append_chapter_creator(target, pseud_id, invitation.inviter_id)
                if not Creatorship.objects.filter(
                    work_id=target.work_id, pseud_id=pseud_id
                ).exists():
                    _freeze_other_chapters(target.work_id)
                    _append_work_creator(target.work_id, pseud_id)
                    changed_series.update(_join_series_of_work(target.work_id, pseud_id))
                # Every change of credits is written to the outbox, chapter credits too.
                changed_works.add(target.work_id)
            elif _append_series_creator(target.pk, pseud_id):
                changed_series.add(target.pk)
        CreatorInvitation.objects.filter(pk__in=[i.pk for i in invitations]).delete()
        if changed_works:
            _work_creators_changed(sorted(changed_works))
        # Series bookmarks are indexed with the series' creators.
        record_series_changes(changed_series)
    return len(invitations)


def invitation_withdraw(*, invitation: CreatorInvitation) -> None:
    """A creator takes back an unanswered invitation; its inbox entry goes with it (the
    caller checks that the user is a creator of what it is for)."""
    with transaction.atomic():
        Notification.objects.filter(
            recipient_id=invitation.pseud.user_id, event_key=f"cocreator:{invitation.pk}"
        ).delete()
        CreatorInvitation.objects.filter(pk=invitation.pk).delete()


def _lock(target: Target) -> None:
    """Lock the work (for a work or chapter) or the series whose credits are about to change,
    so concurrent changes to them run one after the other."""
    if isinstance(target, Series):
        Series.objects.select_for_update().filter(pk=target.pk).first()
    else:
        work_id = target.work_id if isinstance(target, Chapter) else target.pk
        Work.objects.select_for_update().filter(pk=work_id).first()


LAST_CREATOR = "You are the only creator, so you cannot remove yourself. Delete it instead."


def creator_remove_self(*, user: User, target: Target) -> None:
    """Take all of `user`'s pseuds off `target`'s credits. Leaving a work also leaves its
    chapters. The last creator cannot leave (ValidationError; nothing changes)."""
    with transaction.atomic():
        _lock(target)
        if isinstance(target, Work):
            ships = Creatorship.objects.filter(work=target)
        elif isinstance(target, Chapter):
            ships = ChapterCreatorship.objects.filter(chapter=target)  # type: ignore[assignment]
        else:
            ships = SeriesCreatorship.objects.filter(series=target)  # type: ignore[assignment]
        mine = ships.filter(pseud__user=user)
        if not mine.exists():
            raise ValidationError("You are not credited on this.")
        if not ships.exclude(pseud__user=user).exists():
            raise ValidationError(LAST_CREATOR)
        mine.delete()
        if isinstance(target, Work):
            ChapterCreatorship.objects.filter(chapter__work=target, pseud__user=user).delete()
            _work_creators_changed([target.pk])
        elif isinstance(target, Chapter):
            record_work_changes([target.work_id])
        else:
            record_series_changes([target.pk])
