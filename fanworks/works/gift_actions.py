"""Every write to gifts: giving a work (from the posting and edit forms), telling the
recipients, and a recipient refusing a gift.

A recipient is a pseud on the archive or a name kept as free text. Names are matched the way
bylines print them: "name (username)" is that user's pseud, a username alone is the user's
default pseud, and a pseud name that only one user has is that pseud; anything else is free
text. Users who block a creator of the work cannot be given it (accounts.Block), and neither
can the work's own creators.
"""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.text import Truncator

from fanworks.accounts.models import Mute, Pseud, User
from fanworks.accounts.queries import pseud_for_name, users_blocking_a_creator
from fanworks.engagement.models import Notification, NotificationKind
from fanworks.engagement.notifications import queue_gift_mail
from fanworks.works.cocreator_queries import split_names
from fanworks.works.models import MAX_GIFT_NAME_LENGTH, MAX_GIFT_RECIPIENTS, Gift, Work
from fanworks.works.orphan_queries import ORPHAN_USERNAME
from fanworks.works.queries import attach_pseuds, creator_byline, visible_works

GIFT_FIELD = "gift_recipients"


@dataclass(frozen=True)
class Recipient:
    """One name from the form: a pseud on the archive, or free text (`pseud` None)."""

    name: str
    pseud: Pseud | None


# The form's comma-separated names: the same rule as the co-creator field (trimmed, blanks and
# repeats ignoring case dropped).
split_recipients = split_names


def resolve_recipient(name: str) -> Recipient:
    """The pseud `name` stands for (accounts.queries.pseud_for_name), or free text. Raises
    ValidationError when it is ambiguous (two users write under that pseud name)."""
    found = pseud_for_name(name)
    if found.ambiguous:
        raise ValidationError(
            f"More than one person writes as “{name}”. Write it as “{name} (username)”."
        )
    if found.pseud is not None:
        return Recipient(found.pseud.byline, found.pseud)
    return Recipient(name, None)


def _creator_user_ids(work: Work) -> set[int]:
    return set(_creators_in_order(work))


def _creators_in_order(work: Work) -> list[int]:
    """The creators' user ids, first-credited first."""
    ids = work.creatorships.order_by("position", "pk").values_list("pseud__user_id", flat=True)
    return list(dict.fromkeys(ids))


def gifts_set(*, work: Work, names: list[str]) -> list[Gift]:
    """Make the work's gifts exactly `names` (call inside the posting transaction, after the
    creators are set). Raises ValidationError keyed by the form field and changes nothing
    when a name is refused. A gift the recipient refused before stays refused: it is not
    given again. When the work is posted, new recipients on the archive are told."""
    if len(names) > MAX_GIFT_RECIPIENTS:
        raise ValidationError(
            {GIFT_FIELD: [f"A work can be a gift to at most {MAX_GIFT_RECIPIENTS} recipients."]}
        )
    problems: list[str] = []
    recipients: list[Recipient] = []
    for name in names:
        if len(name) > MAX_GIFT_NAME_LENGTH:
            problems.append(f"Recipient names can be at most {MAX_GIFT_NAME_LENGTH} characters.")
            continue
        if any(ord(char) < 32 or ord(char) == 127 for char in name):
            problems.append("Recipient names can't contain control characters.")
            continue
        try:
            recipients.append(resolve_recipient(name))
        except ValidationError as problem:
            problems.extend(problem.messages)
    on_archive = {r.pseud.user_id for r in recipients if r.pseud is not None}
    creators = _creator_user_ids(work)
    blocking = users_blocking_a_creator(on_archive, work.pk, creators)
    for recipient in recipients:
        if recipient.pseud is None:
            continue
        if recipient.pseud.user.username == ORPHAN_USERNAME:
            problems.append(f"{recipient.name} is the archive's orphan account; it takes no gifts.")
        elif recipient.pseud.user_id in creators:
            problems.append(f"{recipient.name} is a creator of this work; it can't be a gift.")
        elif recipient.pseud.user_id in blocking:
            problems.append(f"You can't give a gift to {recipient.name}.")
    if problems:
        raise ValidationError({GIFT_FIELD: problems})

    with transaction.atomic():
        current = list(Gift.objects.filter(work=work))
        by_pseud = {g.pseud_id: g for g in current if g.pseud_id is not None}
        by_name = {g.recipient_name.lower(): g for g in current if g.pseud_id is None}
        keep: set[int] = set()
        new: list[Gift] = []
        for recipient in recipients:
            if recipient.pseud is not None:
                existing = by_pseud.get(recipient.pseud.pk)
            else:
                existing = by_name.get(recipient.name.lower())
            if existing is not None:
                keep.add(existing.pk)
            else:
                new.append(Gift(work=work, pseud=recipient.pseud, recipient_name=recipient.name))
        # Refused gifts stay (so they are not given again); only live ones are taken back.
        Gift.objects.filter(work=work, refused=False).exclude(pk__in=keep).delete()
        for gift in new:
            gift.save()
        if work.posted and new:
            # Only the new ones: a recipient who deleted the inbox entry of a kept gift does
            # not get it back because the creator edited the work.
            gifts_announce(work=work, gift_ids=[gift.pk for gift in new])
    return new


def gifts_announce(*, work: Work, gift_ids: list[int] | None = None) -> int:
    """Tell the recipients on the archive that `work` is a gift to them: an inbox entry, and
    an e-mail after commit for those who want gift e-mails (engagement.mail checks that, and
    visibility, again when it sends). Once per gift; safe to call again. All its gifts, or
    those of `gift_ids`. Only for a posted work the recipient may see, and not from a creator
    the recipient mutes or blocks (a block made after the gift was given, to a draft, say)."""
    gifts_query = Gift.objects.filter(work=work, refused=False, pseud__isnull=False)
    if gift_ids is not None:
        gifts_query = gifts_query.filter(pk__in=gift_ids)
    gifts = list(gifts_query.select_related("pseud"))
    if not gifts:
        return 0
    recipient_ids = {gift.pseud.user_id for gift in gifts if gift.pseud is not None}
    creators = _creators_in_order(work)
    refusing = users_blocking_a_creator(recipient_ids, work.pk, creators) | set(
        Mute.objects.filter(muter_id__in=recipient_ids, muted_id__in=creators).values_list(
            "muter_id", flat=True
        )
    )
    attach_pseuds([work])  # the byline in one query, not one per creator
    text = gift_notification_text(work)
    # The gift is for one pseud but the inbox is the user's: each user hears of each gift.
    notes: list[Notification] = []
    told: list[Gift] = []
    for gift in gifts:
        assert gift.pseud is not None
        if gift.pseud.user_id in refusing:
            continue
        # A registered viewer: visible_works only needs the id (restricted works are fine).
        recipient = User(pk=gift.pseud.user_id)
        if not visible_works(recipient, hide_muted=False).filter(pk=work.pk).exists():
            continue
        notes.append(
            Notification(
                recipient_id=gift.pseud.user_id,
                kind=NotificationKind.GIFT,
                event_key=f"gift:{gift.pk}",
                # The first-credited creator gave it: a recipient who mutes or blocks them
                # later gets no e-mail of it either.
                actor_id=creators[0] if creators else None,
                work_id=work.pk,
                text=text,
            )
        )
        told.append(gift)
    Notification.objects.bulk_create(notes, ignore_conflicts=True)
    for gift in told:
        assert gift.pseud is not None
        queue_gift_mail(recipient_id=gift.pseud.user_id, gift_id=gift.pk)
    return len(notes)


def gift_notification_text(work: Work) -> str:
    """The inbox line (and e-mail subject) of a gift: the work and who gave it, named as the
    work credits its creators (works.queries.creator_byline), so an orphaned creator stays
    hidden. Cut to fit Notification.text: the title to 200 characters, then the byline."""
    title = work.title[:200]
    template = "“{title}” by {byline} was given to you as a gift."
    limit = Notification._meta.get_field("text").max_length
    assert limit is not None
    room = limit - len(template.format(title=title, byline=""))
    return template.format(title=title, byline=Truncator(creator_byline(work)).chars(room))


def gift_refuse(*, gift: Gift) -> Gift:
    """The recipient refuses the gift: it disappears from the work, its blurbs and the gifts
    pages for everyone, and the inbox entry about it goes too."""
    with transaction.atomic():
        Gift.objects.filter(pk=gift.pk).update(refused=True)
        Notification.objects.filter(event_key=f"gift:{gift.pk}").delete()
    gift.refused = True
    return gift
