"""Demo related works: some posted works name a parent, of every type (inspired by,
translation, podfic, remix, fanart). Most parents are other creators' works on the archive,
some approved and some still waiting for approval; a few are external works.

Decided from the seed and each child's id; the database's one-link-per-parent rule makes a
second run add nothing (rows that exist already are skipped).
"""

import random
from datetime import datetime

from django.db.models import Min

from fanworks.engagement.models import ExternalWork
from fanworks.works.models import Creatorship, RelatedWork, RelationState, RelationType, Work

# About one posted work in SHARE names a parent, at most MAX_LINKS in all.
SHARE = 4
MAX_LINKS = 600
# Every EXTERNAL_EVERY-th link names an external work; of the others, one in APPROVED_CYCLE
# still waits for the parent's creators and the rest are approved.
EXTERNAL_EVERY = 4
APPROVED_CYCLE = 3
EXTERNAL_SITES = ["https://fanfic.example.net/s/", "https://archive.example.org/story/"]
EXTERNAL_TITLES = ["The Long Way Round", "Lantern Hours", "What the River Kept",
                   "Salt and Starlight", "A Map of Small Places", "Winter Harbour"]  # fmt: skip
EXTERNAL_CREATORS = ["quietquill", "mothlight", "harbourgull", "inkandember"]
LANGUAGES = ["en", "de", "fr", "es", "ja"]


def fill_related(*, seed: int, now: datetime) -> int:
    """Make sure the demo's related works exist. Returns the links written by this run."""
    posted = list(
        Work.objects.filter(posted=True, hidden_by_admin=False)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    if len(posted) < 2:
        return 0
    first_creator = dict(
        Creatorship.objects.filter(work_id__in=posted)
        .values("work_id")
        .annotate(first=Min("pseud__user_id"))
        .values_list("work_id", "first")
    )
    relations = list(RelationType.values)
    rows: list[RelatedWork] = []
    externals: dict[str, tuple[str, str, str]] = {}
    planned_external: list[tuple[int, str, str]] = []
    for child_id in posted:
        rng = random.Random(f"demo-related-{seed}-{child_id}")
        # Every draw happens before any skip, so a rerun sees the same numbers.
        chosen = rng.randrange(SHARE) == 0
        parent_id = posted[rng.randrange(len(posted))]
        number = rng.randrange(10_000)
        made = len(rows) + len(planned_external)
        if not chosen or made >= MAX_LINKS:
            continue
        # Types, externals and approvals in turn (not drawn), so even a small demo has each.
        relation = relations[made % len(relations)]
        external = made % EXTERNAL_EVERY == EXTERNAL_EVERY - 1
        approved = made % APPROVED_CYCLE != APPROVED_CYCLE - 1
        if external:
            url = f"{EXTERNAL_SITES[number % len(EXTERNAL_SITES)]}{number}"
            externals[url] = (
                EXTERNAL_TITLES[number % len(EXTERNAL_TITLES)],
                EXTERNAL_CREATORS[number % len(EXTERNAL_CREATORS)],
                LANGUAGES[number % len(LANGUAGES)],
            )
            planned_external.append((child_id, url, relation))
            continue
        if parent_id == child_id or first_creator.get(parent_id) == first_creator.get(child_id):
            continue  # a link between one creator's works would need nobody's approval
        state = RelationState.APPROVED if approved else RelationState.PENDING
        rows.append(
            RelatedWork(
                child_id=child_id,
                parent_work_id=parent_id,
                relation=relation,
                state=state,
                decided_at=now if approved else None,
            )
        )
    known = dict(ExternalWork.objects.filter(url__in=externals).values_list("url", "pk"))
    ExternalWork.objects.bulk_create(
        [
            ExternalWork(url=url, title=title, creator=creator, language=language, created_at=now)
            for url, (title, creator, language) in externals.items()
            if url not in known
        ],
        ignore_conflicts=True,
    )
    known = dict(ExternalWork.objects.filter(url__in=externals).values_list("url", "pk"))
    rows += [
        RelatedWork(
            child_id=child_id,
            parent_external_id=known[url],
            relation=relation,
            state=RelationState.APPROVED,
        )
        for child_id, url, relation in planned_external
    ]
    before = RelatedWork.objects.count()
    RelatedWork.objects.bulk_create(rows, ignore_conflicts=True, batch_size=500)
    return RelatedWork.objects.count() - before
