"""Demo co-creators: some posted works get a second creator (a few only on their last
chapter), some series a second creator, and some works, chapters and series an invitation
still waiting for an answer, with its inbox entry. The `demo` login gets a co-created work
and pending requests of its own, so logging in shows the Co-Creator Requests page at work.

Chosen from the seed and each work's or series' id; a work or series that already has a
second user credited or invited is left alone, so a second run adds nothing.
"""

import random
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Count

from fanworks.accounts.models import Pseud, User
from fanworks.engagement.models import Bookmark, Comment, Kudos, Subscription
from fanworks.search.outbox import record_work_changes
from fanworks.works.cocreator_actions import notify_invitation
from fanworks.works.cocreator_models import ChapterCreatorship, CreatorInvitation
from fanworks.works.models import Chapter, Creatorship, Series, SeriesCreatorship, Work

# About one posted work in SHARE is co-created or has a pending invitation, at most MAX_WORKS.
SHARE = 12
MAX_WORKS = 300
MAX_SERIES = 40


@dataclass
class CocreatorResult:
    works: int = 0
    chapters: int = 0
    series: int = 0
    pending: int = 0
    reindex: list[int] = field(default_factory=list)


def _default_pseuds(user_ids: list[int]) -> dict[int, int]:
    return dict(
        Pseud.objects.filter(user_id__in=user_ids, is_default=True).values_list("user_id", "pk")
    )


def _taken_works() -> set[int]:
    """Works with creators from two users, or an invitation: the demo already did them."""
    shared = (
        Creatorship.objects.values("work_id")
        .annotate(users=Count("pseud__user_id", distinct=True))
        .filter(users__gt=1)
        .values_list("work_id", flat=True)
    )
    invited = CreatorInvitation.objects.filter(work__isnull=False).values_list("work_id", flat=True)
    chapter_invited = CreatorInvitation.objects.filter(chapter__isnull=False).values_list(
        "chapter__work_id", flat=True
    )
    return set(shared) | set(invited) | set(chapter_invited)


def _engaged(field: str, ids: list[int]) -> set[tuple[int, int]]:
    """(user, work or series) pairs with kudos, comments, bookmarks or subscriptions: a
    reader of a work is not made its creator (no one bookmarks or follows their own work)."""
    pairs: set[tuple[int, int]] = set()
    models = (
        (Bookmark, Subscription)
        if field == "series_id"
        else (Kudos, Comment, Bookmark, Subscription)
    )
    for model in models:
        rows = model.objects.filter(**{f"{field}__in": ids, "user__isnull": False})
        pairs.update(rows.values_list("user_id", field))
    return pairs


def _pool(user_ids: list[int], demo_user: User | None) -> list[int]:
    return list(user_ids) + ([demo_user.pk] if demo_user is not None else [])


def fill_work_cocreators(
    *, seed: int, user_ids: list[int], demo_user: User | None
) -> CocreatorResult:
    """Make sure the demo's co-created works and chapters and their pending invitations exist.
    Run it right after the works: subscriptions and series are planned from who created what,
    so they must see these creators on the first run as on every later one."""
    result = CocreatorResult()
    pool = _pool(user_ids, demo_user)
    if len(pool) < 2:
        return result
    pseud_of = _default_pseuds(pool)
    taken = _taken_works()
    candidates = list(
        Work.objects.filter(posted=True, hidden_by_admin=False)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    chosen = [
        pk
        for pk in candidates
        if random.Random(f"demo-cocreator-{seed}-{pk}").randrange(SHARE) == 0
    ][:MAX_WORKS]
    creators: dict[int, list[tuple[int, int]]] = {}
    for work_id, pseud_id, user_id in (
        Creatorship.objects.filter(work_id__in=chosen)
        .order_by("work_id", "position", "pk")
        .values_list("work_id", "pseud_id", "pseud__user_id")
    ):
        creators.setdefault(work_id, []).append((pseud_id, user_id))
    last_chapters = dict(
        Chapter.objects.filter(work_id__in=chosen, posted=True)
        .values("work_id")
        .annotate(count=Count("pk"))
        .filter(count__gt=1)
        .values_list("work_id", "count")
    )
    engaged = _engaged("work_id", chosen)
    with transaction.atomic():
        for index, work_id in enumerate(chosen):
            rng = random.Random(f"demo-cocreator-{seed}-{work_id}-plan")
            partner = rng.choice(pool)
            owners = creators.get(work_id, [])
            if not owners or work_id in taken:  # done by an earlier run
                continue
            # The demo login shares the first few: three pending, two accepted.
            if demo_user is not None and index < 5:
                partner = demo_user.pk
            owner_users = {user_id for _, user_id in owners}
            if partner in owner_users or partner not in pseud_of or (partner, work_id) in engaged:
                continue
            partner_pseud = pseud_of[partner]
            inviter = owners[0][1]
            pending = index < 3 or rng.random() < 0.35
            on_chapter = work_id in last_chapters and rng.random() < 0.3
            if pending and on_chapter:
                _invite(result, partner_pseud, inviter, chapter_id=_last_chapter(work_id).pk)
            elif pending:
                _invite(result, partner_pseud, inviter, work_id=work_id)
            else:
                _credit(result, work_id, on_chapter, owners, partner_pseud)
        record_work_changes(result.reindex)
    return result


def _last_chapter(work_id: int) -> Chapter:
    return Chapter.objects.filter(work_id=work_id, posted=True).order_by("-position")[0]


def _invite(result: CocreatorResult, pseud_id: int, inviter_id: int, **target: int) -> None:
    invitation = CreatorInvitation.objects.create(
        pseud_id=pseud_id, inviter_id=inviter_id, **target
    )
    notify_invitation(invitation)  # the same inbox entry as an invitation from a form
    result.pending += 1


def _credit(
    result: CocreatorResult,
    work_id: int,
    on_chapter: bool,
    owners: list[tuple[int, int]],
    pseud_id: int,
) -> None:
    if on_chapter:
        # Every chapter keeps its creators; the partner joins the last one (and the work).
        last = _last_chapter(work_id)
        ChapterCreatorship.objects.bulk_create(
            [
                ChapterCreatorship(chapter_id=chapter_id, pseud_id=owner, position=position)
                for chapter_id in Chapter.objects.filter(work_id=work_id).values_list(
                    "pk", flat=True
                )
                for position, (owner, _) in enumerate(owners)
            ]
            + [ChapterCreatorship(chapter=last, pseud_id=pseud_id, position=len(owners))]
        )
        result.chapters += 1
    Creatorship.objects.create(work_id=work_id, pseud_id=pseud_id, position=len(owners))
    result.works += 1
    result.reindex.append(work_id)  # re-indexed: the byline changed


def fill_series_cocreators(
    *, seed: int, user_ids: list[int], demo_user: User | None, result: CocreatorResult
) -> CocreatorResult:
    """Make sure the demo's co-created series and pending series invitations exist. Run it
    after the series and before their bookmarks (which leave out the series' creators)."""
    pool = _pool(user_ids, demo_user)
    if len(pool) < 2:
        return result
    pseud_of = _default_pseuds(pool)
    shared = set(
        SeriesCreatorship.objects.values("series_id")
        .annotate(users=Count("pseud__user_id", distinct=True))
        .filter(users__gt=1)
        .values_list("series_id", flat=True)
    ) | set(
        CreatorInvitation.objects.filter(series__isnull=False).values_list("series_id", flat=True)
    )
    series_ids = [
        pk
        for pk in Series.objects.order_by("pk").values_list("pk", flat=True)
        if random.Random(f"demo-cocreator-series-{seed}-{pk}").randrange(4) == 0
    ][:MAX_SERIES]
    owners = dict(
        SeriesCreatorship.objects.filter(series_id__in=series_ids)
        .order_by("-position")
        .values_list("series_id", "pseud__user_id")
    )
    engaged = _engaged("series_id", series_ids)
    for series_id in series_ids:
        rng = random.Random(f"demo-cocreator-series-{seed}-{series_id}-plan")
        partner = rng.choice(pool)
        owner = owners.get(series_id)
        if series_id in shared or owner is None or partner == owner:
            continue
        if partner not in pseud_of or (partner, series_id) in engaged:
            continue
        if rng.random() < 0.5:
            _invite(result, pseud_of[partner], owner, series_id=series_id)
        else:
            SeriesCreatorship.objects.create(
                series_id=series_id, pseud_id=pseud_of[partner], position=1
            )
            result.series += 1
    return result
