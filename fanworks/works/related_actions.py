"""Every write to related works: naming parents from the work form, and the parent creators'
approval, decline (or withdrawal of approval) and the child creators' removal of a link.

A link is announced to the parent's creators (inbox, and e-mail per their preferences) when
its child is posted: at once for a posted child, when the draft is posted otherwise. A link
made by a creator of the parent itself needs nobody's approval. Refusals raise
`ValidationError` (for forms) or `PermissionDenied` (views answer 404) and change nothing.
"""

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from fanworks.accounts.models import User
from fanworks.accounts.queries import blocked_by_a_creator
from fanworks.core.numbers import is_plain_number
from fanworks.engagement.actions import (
    ExternalWorkData,
    external_work_find_or_create,
    validate_external_work_data,
)
from fanworks.engagement.models import ExternalWork
from fanworks.engagement.notifications import notify_related_work
from fanworks.works.languages import LANGUAGES
from fanworks.works.models import (
    Creatorship,
    RelatedWork,
    RelationState,
    RelationType,
    Work,
)
from fanworks.works.queries import visible_works
from fanworks.works.related_permissions import can_decide_related, can_remove_related

# A work number longer than this is no work of ours (and would overflow the database).
MAX_WORK_ID_DIGITS = 18
# "/works/123", optionally followed by "/chapters/4" or anything else after a slash.
_WORK_PATH = re.compile(r"^/works/(\d{1,18})(?:/.*)?$")
_LANGUAGE_CODES = {code for code, _ in LANGUAGES}


@dataclass
class ParentData:
    """One parent named on the work form: a work on this archive (`work`: its address or
    number) or an external work (`url`, `title`, `creator`, `language`). `row` numbers the
    form's row, so errors land next to the right fields (`parent_<row>_<field>`)."""

    row: int
    relation: str = RelationType.INSPIRED_BY
    work: str = ""
    url: str = ""
    title: str = ""
    creator: str = ""
    language: str = ""

    @property
    def is_empty(self) -> bool:
        return not (self.work.strip() or self.url.strip())

    def key(self, name: str) -> str:
        return f"parent_{self.row}_{name}"


def parse_work_reference(value: str) -> int | None:
    """The work number in "123", "/works/123" or "https://any.host/works/123/chapters/4",
    or None when the text names no work."""
    value = value.strip()
    if is_plain_number(value):
        return int(value) if len(value) <= MAX_WORK_ID_DIGITS else None
    parts = urlsplit(value)
    if parts.scheme and parts.scheme.lower() not in {"http", "https"}:
        return None
    if not value.isascii():
        return None
    match = _WORK_PATH.match(parts.path)
    return int(match.group(1)) if match else None


def relation_phrase(relation: str) -> str:
    """ "a podfic of", "inspired by": the type's label as it reads mid-sentence."""
    label = str(RelationType(relation).label)
    return label[0].lower() + label[1:]


def _is_creator_of(user: User, work_id: int) -> bool:
    return Creatorship.objects.filter(work_id=work_id, pseud__user=user).exists()


def _resolve(
    user: User, child: Work, parent: ParentData, errors: dict[str, list[str]]
) -> Work | ExternalWorkData | None:
    """The parent `parent` names, or None with its problem added to `errors`."""
    if parent.relation not in RelationType.values:
        errors[parent.key("relation")] = ["Please choose how your work is related."]
        return None
    if parent.work.strip() and parent.url.strip():
        errors[parent.key("work")] = [
            "Give a work on this archive or an external work's address, not both."
        ]
        return None
    if parent.work.strip():
        work_id = parse_work_reference(parent.work)
        if work_id is None:
            errors[parent.key("work")] = [
                "Please enter the address of a work on this archive (…/works/123) or its number."
            ]
            return None
        if work_id == child.pk:
            errors[parent.key("work")] = ["A work can't be related to itself."]
            return None
        # Drafts, hidden and (for nobody here) restricted works are "not found" alike, so
        # the answer does not tell whether a draft exists.
        found = visible_works(user, include_own_drafts=True).filter(pk=work_id).first()
        if found is None:
            errors[parent.key("work")] = ["We couldn't find that work on this archive."]
            return None
        if blocked_by_a_creator(user, found.pk):
            errors[parent.key("work")] = [
                "A creator of that work has blocked you, so you can't link to it."
            ]
            return None
        return found
    external = ExternalWorkData(url=parent.url, title=parent.title, creator=parent.creator)
    if parent.language and parent.language not in _LANGUAGE_CODES:
        errors[parent.key("language")] = ["Please choose a language from the list."]
    try:
        external.url = validate_external_work_data(external)
    except ValidationError as problem:
        for name, messages in problem.message_dict.items():
            errors.setdefault(parent.key(name), []).extend(messages)
        return None
    return external


def work_related_apply(
    *, user: User, work: Work, parents: list[ParentData], remove_link_ids: list[int]
) -> list[RelatedWork]:
    """From the work form, inside work_create / work_update's transaction: drop the links in
    `remove_link_ids` (this work's own parent links only) and add `parents`. Raises
    ValidationError keyed by the form's row fields, rolling the caller back, when a parent is
    unknown, invisible to `user`, the work itself, or named twice. Returns the new links."""
    if remove_link_ids:
        RelatedWork.objects.filter(child=work, pk__in=remove_link_ids).delete()
    named = [parent for parent in parents if not parent.is_empty]
    if not named:
        return []
    errors: dict[str, list[str]] = {}
    existing_works = set(
        RelatedWork.objects.filter(child=work, parent_work__isnull=False).values_list(
            "parent_work_id", flat=True
        )
    )
    existing_urls = set(
        RelatedWork.objects.filter(child=work, parent_external__isnull=False).values_list(
            "parent_external__url", flat=True
        )
    )
    resolved: list[tuple[ParentData, Work | ExternalWorkData]] = []
    for parent in named:
        target = _resolve(user, work, parent, errors)
        if target is None:
            continue
        if isinstance(target, Work):
            duplicate = target.pk in existing_works
            existing_works.add(target.pk)
            field = "work"
        else:
            duplicate = target.url in existing_urls
            existing_urls.add(target.url)
            field = "url"
        if duplicate:
            errors[parent.key(field)] = ["This work is already listed as a parent."]
            continue
        resolved.append((parent, target))
    if errors:
        raise ValidationError(errors)
    links = []
    for parent, target in resolved:
        try:
            # A savepoint: two submits racing to name one parent meet the unique constraint,
            # and the loser gets the duplicate error instead of a broken transaction.
            with transaction.atomic():
                links.append(_link(user, work, parent, target))
        except IntegrityError:
            field = "work" if isinstance(target, Work) else "url"
            raise ValidationError(
                {parent.key(field): ["This work is already listed as a parent."]}
            ) from None
    if work.posted:
        for link in links:
            _announce(link, actor=user)
    return links


def _link(
    user: User, child: Work, parent: ParentData, target: Work | ExternalWorkData
) -> RelatedWork:
    if isinstance(target, Work):
        # A creator linking to their own work approves it in the same breath.
        own = _is_creator_of(user, target.pk)
        return RelatedWork.objects.create(
            child=child,
            parent_work=target,
            relation=parent.relation,
            state=RelationState.APPROVED if own else RelationState.PENDING,
            decided_at=timezone.now() if own else None,
        )
    external = external_work_find_or_create(user=user, data=target)
    if parent.language and not external.language:
        ExternalWork.objects.filter(pk=external.pk, language="").update(language=parent.language)
    # Nobody here speaks for an external work: its links need no approval.
    return RelatedWork.objects.create(
        child=child,
        parent_external=external,
        relation=parent.relation,
        state=RelationState.APPROVED,
    )


def _announce(link: RelatedWork, *, actor: User | None) -> None:
    """Tell the parent's creators of a pending link (the child is posted)."""
    if link.parent_work_id is None or link.state != RelationState.PENDING:
        return
    parent = Work.objects.get(pk=link.parent_work_id)
    child = Work.objects.get(pk=link.child_id)
    recipients = list(
        Creatorship.objects.filter(work_id=parent.pk).values_list("pseud__user_id", flat=True)
    )
    child_creators = set(
        Creatorship.objects.filter(work_id=child.pk).values_list("pseud__user_id", flat=True)
    )
    names = ", ".join(
        Creatorship.objects.filter(work_id=child.pk)
        .order_by("position", "pk")
        .values_list("pseud__name", flat=True)
    )
    text = (
        f"{names or 'Someone'} posted “{child.title}”, {relation_phrase(link.relation)} your "
        f"work “{parent.title}”. Approve or decline the link on your Related Works page."
    )
    notify_related_work(
        recipient_ids=[pk for pk in dict.fromkeys(recipients) if pk not in child_creators],
        actor=actor,
        child=child,
        event_key=f"related:{link.pk}",
        text=text,
    )


def announce_related_parents(*, work: Work) -> None:
    """`work` was just posted: tell the creators of each parent waiting for approval."""
    links = list(RelatedWork.objects.filter(child=work, state=RelationState.PENDING))
    if not links:
        return
    first = (
        Creatorship.objects.filter(work=work)
        .order_by("position", "pk")
        .values_list("pseud__user_id", flat=True)
        .first()
    )
    actor = User.objects.filter(pk=first).first() if first is not None else None
    for link in links:
        _announce(link, actor=actor)


# ---------------------------------------------------------------------------------------------
# The parent's creators decide; the child's creators may remove the link


def _decide(user: User, link: RelatedWork, state: str) -> RelatedWork:
    with transaction.atomic():
        locked = RelatedWork.objects.select_for_update().filter(pk=link.pk).first()
        if locked is None or not can_decide_related(user, locked):
            raise PermissionDenied("Not a creator of the parent work")
        if locked.state != state:
            locked.state = state
            locked.decided_at = timezone.now()
            locked.save(update_fields=["state", "decided_at"])
    return locked


def related_work_approve(*, user: User, link: RelatedWork) -> RelatedWork:
    """A creator of the parent approves the link: the parent now lists the child."""
    return _decide(user, link, RelationState.APPROVED)


def related_work_decline(*, user: User, link: RelatedWork) -> RelatedWork:
    """A creator of the parent declines the link, or withdraws an approval: the parent stops
    listing the child (the child still names its parent, as on AO3)."""
    return _decide(user, link, RelationState.DECLINED)


def related_work_remove(*, user: User, link: RelatedWork) -> None:
    """A creator of the child removes the link altogether."""
    with transaction.atomic():
        locked = RelatedWork.objects.select_for_update().filter(pk=link.pk).first()
        if locked is None or not can_remove_related(user, locked):
            raise PermissionDenied("Not a creator of the child work")
        locked.delete()
