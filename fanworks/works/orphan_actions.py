"""Orphaning: a creator hands works over to the shared orphan account (AO3's
`orphan_account`), keeping their pseud's name on the work or becoming anonymous.

The orphan account is made the first time it is needed. It has no usable password and is
inactive, so nobody logs in as it (and it gets no e-mail). Only the orphaner's creatorships
move: co-creators stay credited. The work stays posted with its stats, comments and bookmarks;
its creator sort key and the search outbox are updated in the same transaction.
"""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models.functions import Lower

from fanworks.accounts.models import Pseud, User
from fanworks.search.outbox import record_work_changes
from fanworks.works.actions import work_sort_keys_refresh
from fanworks.works.cocreator_models import ChapterCreatorship
from fanworks.works.models import Creatorship, Work
from fanworks.works.orphan_queries import ORPHAN_USERNAME

# The orphan account's pseud that comments of deleted accounts are kept under.
DELETED_ACCOUNT_PSEUD = "Account deleted"


def orphan_account() -> User:
    """The shared orphan account, created (with its default pseud) on first use."""
    user = User.objects.filter(username=ORPHAN_USERNAME).first()
    if user is not None:
        return user
    try:
        with transaction.atomic():
            user = User(
                username=ORPHAN_USERNAME,
                email="orphan_account@localhost.invalid",
                is_active=False,
            )
            user.set_unusable_password()
            user.save()
            Pseud.objects.create(user=user, name=ORPHAN_USERNAME, is_default=True)
    except IntegrityError:
        # Another request made it at the same moment; use theirs.
        user = User.objects.get(username=ORPHAN_USERNAME)
    return user


def orphan_pseud(orphan: User, name: str | None) -> Pseud:
    """The orphan account's pseud called `name` (made when missing), or its default pseud
    (`name` None: anonymous)."""
    if name is None:
        return Pseud.objects.get(user=orphan, is_default=True)
    pseuds = Pseud.objects.annotate(lower=Lower("name")).filter(user=orphan)
    existing = pseuds.filter(lower=name.lower()).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            return Pseud.objects.create(user=orphan, name=name)
    except IntegrityError:
        return pseuds.get(lower=name.lower())


def orphanable_work_ids(user: User, work_ids: list[int]) -> list[int]:
    """Which of `work_ids` `user` may orphan: posted works they are a creator of. Drafts
    cannot be orphaned (nobody could ever post them); they can only be deleted."""
    return list(
        Work.objects.filter(pk__in=work_ids, posted=True, creatorships__pseud__user=user)
        .distinct()
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def move_creatorships(*, user: User, work_ids: list[int], keep_names: bool) -> list[int]:
    """Move `user`'s creatorships of these works to the orphan account, in the caller's
    transaction; returns the works that changed. Two of the user's pseuds on one work that
    become the same orphan pseud are credited once."""
    if not work_ids:
        return []
    orphan = orphan_account()
    ships = list(
        Creatorship.objects.select_for_update()
        .filter(work_id__in=work_ids, pseud__user=user)
        .select_related("pseud")
        .order_by("work_id", "position", "pk")
    )
    targets: dict[str | None, Pseud] = {}
    for ship in ships:
        key = ship.pseud.name if keep_names else None
        if key not in targets:
            targets[key] = orphan_pseud(orphan, key)
        target = targets[key]
        if Creatorship.objects.filter(work_id=ship.work_id, pseud=target).exists():
            ship.delete()
        else:
            Creatorship.objects.filter(pk=ship.pk).update(pseud=target)
        _move_chapter_credits(ship.work_id, ship.pseud_id, target)
    changed = sorted({ship.work_id for ship in ships})
    work_sort_keys_refresh(work_ids=changed)
    record_work_changes(changed)
    return changed


def _move_chapter_credits(work_id: int, pseud_id: int, target: Pseud) -> None:
    """The pseud's own chapter credits on the work (co-created chapters) follow its work
    credit to `target`, so chapter bylines name the orphan pseud rather than nobody."""
    for chapter_ship in ChapterCreatorship.objects.filter(
        chapter__work_id=work_id, pseud_id=pseud_id
    ):
        if ChapterCreatorship.objects.filter(
            chapter_id=chapter_ship.chapter_id, pseud=target
        ).exists():
            chapter_ship.delete()
        else:
            ChapterCreatorship.objects.filter(pk=chapter_ship.pk).update(pseud=target)


def works_orphan(*, user: User, work_ids: list[int], keep_names: bool) -> list[int]:
    """Orphan these works of `user` (all of them must be posted works of theirs, or nothing
    changes and ValidationError says which). Returns the ids orphaned."""
    wanted = sorted(set(work_ids))
    if not wanted:
        raise ValidationError({"works": ["Please choose at least one work to orphan."]})
    with transaction.atomic():
        allowed = orphanable_work_ids(user, wanted)
        if allowed != wanted:
            raise ValidationError({"works": ["You can only orphan posted works of your own."]})
        return move_creatorships(user=user, work_ids=wanted, keep_names=keep_names)
