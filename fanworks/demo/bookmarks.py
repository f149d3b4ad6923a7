"""Bookmarks on the demo's works, with the long tail of a real archive: most works have none
or a few, a handful have a hundred. Some carry notes, bookmarker tags (a small vocabulary used
with a Zipf spread, so tag filters have something to find), recs, and some are private. A few
external works are bookmarked too.

Like kudos, everything is decided from each work's creation key, so a run makes the same
bookmarks whatever the batch, and a run that skips existing works skips their bookmarks.
"""

import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from fanworks.accounts.models import Pseud
from fanworks.core.sanitize import SANITIZER_VERSION, sanitize_html
from fanworks.demo.engagement import UsersExcept
from fanworks.demo.plan import WorkPlan
from fanworks.demo.rows import RowWriter
from fanworks.engagement.actions import (
    bookmark_tags_find_or_create,
    work_bookmark_counts_refresh,
)
from fanworks.engagement.models import Bookmark, BookmarkTag, ExternalWork
from fanworks.search.outbox import record_bookmark_changes, record_series_changes
from fanworks.works.models import Series, SeriesCreatorship

BOOKMARK_SHAPE = 1.3
BOOKMARK_SCALE = 2.5
MAX_BOOKMARKS = 150
PRIVATE_SHARE = 0.12
REC_SHARE = 0.15
NOTES_SHARE = 0.35
# One work in this many also has an external work bookmarked beside it.
EXTERNAL_EVERY = 40

# Bookmarker tags in rough order of popularity (the first is used most).
BOOKMARKER_TAGS = [
    "favorites",
    "to reread",
    "comfort read",
    "angst",
    "fluff",
    "slow burn",
    "hurt/comfort",
    "recs for friends",
    "finished",
    "wip i'm following",
    "cried",
    "found family",
    "best of the fandom",
    "long reads",
    "short and sweet",
]
# Zipf-like: tag k is chosen with weight 1/(k+1).
_TAG_WEIGHTS = [1 / (k + 1) for k in range(len(BOOKMARKER_TAGS))]
NOTES = [
    "Absolutely loved this one.",
    "The ending! I need a minute.",
    "Came for the premise, stayed for the <em>characters</em>.",
    "Perfect for a rainy afternoon.",
    "Rereading this every winter.",
    "The dialogue is so sharp.\n\nAlso: the <strong>pining</strong>.",
    "Recommended by a friend, now I recommend it to you.",
    "A slow start but so worth it.",
    "Makes me want to write again.",
    "Chapter three lives in my head rent-free.",
]


@dataclass(frozen=True)
class PlannedBookmark:
    user_index: int
    private: bool
    rec: bool
    notes: str
    tag_names: tuple[str, ...]
    share: float  # where between the work's posting and now it was bookmarked


def plan_bookmarks(plan: WorkPlan, user_count: int) -> list[PlannedBookmark]:
    """The bookmarks of one planned work (none for drafts)."""
    if not plan.posted or user_count <= 0:
        return []
    rng = random.Random(f"bookmarks-{plan.key}")
    total = min(int((rng.paretovariate(BOOKMARK_SHAPE) - 1) * BOOKMARK_SCALE), MAX_BOOKMARKS)
    candidates = UsersExcept(user_count, [index for index, _ in plan.creators])
    users = rng.sample(candidates, min(total, len(candidates)))
    return [_planned(rng, index) for index in sorted(users)]


def _planned(rng: random.Random, user_index: int) -> PlannedBookmark:
    tag_count = rng.choice([0, 0, 1, 1, 2, 3])
    tags = dict.fromkeys(rng.choices(BOOKMARKER_TAGS, _TAG_WEIGHTS, k=tag_count))
    return PlannedBookmark(
        user_index=user_index,
        private=rng.random() < PRIVATE_SHARE,
        rec=rng.random() < REC_SHARE,
        notes=rng.choice(NOTES) if rng.random() < NOTES_SHARE else "",
        tag_names=tuple(tags),
        share=rng.random(),
    )


_BOOKMARK_FIELDS = [
    "user", "pseud", "work", "external_work", "notes", "notes_html", "sanitizer_version",
    "rec", "private", "created_at", "updated_at",
]  # fmt: skip


def write_demo_bookmarks(
    plans: Sequence[WorkPlan], work_ids: dict[Any, int], user_ids: list[int], now: datetime
) -> int:
    """Insert the planned works' bookmarks (and a few external works with theirs), then set
    each work's public bookmark count. Returns the bookmarks made."""
    planned = {plan.key: plan_bookmarks(plan, len(user_ids)) for plan in plans}
    if not user_ids or not any(planned.values()):
        return 0
    pseuds = dict(
        Pseud.objects.filter(user_id__in=user_ids, is_default=True).values_list("user_id", "pk")
    )
    tags = {tag.name: tag.pk for tag in bookmark_tags_find_or_create(BOOKMARKER_TAGS)}
    externals = _external_works(plans, now)
    rows: list[list[Any]] = []
    tagged: dict[tuple[int, str, int], tuple[str, ...]] = {}
    for plan in plans:
        start = plan.first_posted_at or now
        targets: list[tuple[str, int, list[PlannedBookmark]]] = [
            ("work", work_ids[plan.key], planned[plan.key])
        ]
        if plan.key in externals:
            # The external work is bookmarked by the first few of the same readers.
            targets.append(("external", externals[plan.key], planned[plan.key][:5]))
        for kind, target_id, bookmarks in targets:
            for bookmark in bookmarks:
                user_id = user_ids[bookmark.user_index]
                pseud_id = pseuds.get(user_id)
                if pseud_id is None:
                    continue
                when = start + (now - start) * bookmark.share
                html = sanitize_html(bookmark.notes).html if bookmark.notes else ""
                rows.append(
                    [
                        user_id,
                        pseud_id,
                        target_id if kind == "work" else None,
                        target_id if kind == "external" else None,
                        bookmark.notes,
                        html,
                        SANITIZER_VERSION,
                        bookmark.rec,
                        bookmark.private,
                        when,
                        when,
                    ]
                )
                if bookmark.tag_names:
                    tagged[(user_id, kind, target_id)] = bookmark.tag_names
    RowWriter(Bookmark, _BOOKMARK_FIELDS).write(rows)
    _write_tags(tagged, tags, list(work_ids.values()), list(externals.values()))
    # Tells search about the works' bookmarks too; the external works' go in by id.
    work_bookmark_counts_refresh(work_ids=list(work_ids.values()))
    record_bookmark_changes(
        Bookmark.objects.filter(external_work_id__in=list(externals.values())).values_list(
            "pk", flat=True
        )
    )
    return len(rows)


def _external_works(plans: Sequence[WorkPlan], now: datetime) -> dict[Any, int]:
    """One external work beside every EXTERNAL_EVERY-th planned work: plan key → its id."""
    chosen = [plan for plan in plans if plan.posted and plan.index % EXTERNAL_EVERY == 3]
    if not chosen:
        return {}
    urls = {f"https://fic.example.org/stories/{plan.key.hex[:12]}": plan for plan in chosen}
    ExternalWork.objects.bulk_create(
        [
            ExternalWork(
                url=url,
                title=f"Elsewhere: {plan.title}",
                creator=f"offsite_writer_{plan.index}",
                summary="A story posted on another site.",
                summary_html="<p>A story posted on another site.</p>",
                sanitizer_version=SANITIZER_VERSION,
                fandoms="Original Work",
                created_at=now,
            )
            for url, plan in urls.items()
        ],
        ignore_conflicts=True,
    )
    found = ExternalWork.objects.filter(url__in=list(urls)).values_list("url", "pk")
    return {urls[url].key: pk for url, pk in found}


def _write_tags(
    tagged: dict[tuple[int, str, int], tuple[str, ...]],
    tags: dict[str, int],
    work_ids: list[int],
    external_ids: list[int],
) -> None:
    if not tagged:
        return
    ids: dict[tuple[int, str, int], int] = {}
    for pk, user_id, work_id in Bookmark.objects.filter(work_id__in=work_ids).values_list(
        "pk", "user_id", "work_id"
    ):
        ids[(user_id, "work", work_id)] = pk
    for pk, user_id, external_id in Bookmark.objects.filter(
        external_work_id__in=external_ids
    ).values_list("pk", "user_id", "external_work_id"):
        ids[(user_id, "external", external_id)] = pk
    _write_tag_rows(tagged, ids, tags)


def _write_tag_rows(
    tagged: dict[Any, tuple[str, ...]], ids: dict[Any, int], tags: dict[str, int]
) -> None:
    """The BookmarkTag rows of `tagged` (bookmark key → tag names), `ids` giving each
    written bookmark's id by its key."""
    RowWriter(BookmarkTag, ["bookmark", "tag"]).write(
        [
            [ids[key], tags[name]]
            for key, names in tagged.items()
            if key in ids
            for name in names
            if name in tags
        ]
    )


# ---------------------------------------------------------------------------------------------
# Bookmarks of series

# Readers bookmarking one demo series: a long tail like works', a little shorter.
SERIES_BOOKMARK_SCALE = 1.5
MAX_SERIES_BOOKMARKS = 40

_SERIES_BOOKMARK_FIELDS = [
    "user", "pseud", "series", "notes", "notes_html", "sanitizer_version",
    "rec", "private", "created_at", "updated_at",
]  # fmt: skip


def write_demo_series_bookmarks(*, seed: int, user_ids: list[int], now: datetime) -> int:
    """Bookmark the demo's series (run after demo.series.fill_series): each series' readers
    and their notes, tags, recs and privacy decided from the seed and its creation key, so a
    rerun adds only bookmarks that are missing. Series keep no bookmark counter (what a
    reader may see of one depends on the reader), and works' counts are not touched, so
    there is nothing to recount. Returns the bookmarks made."""
    if not user_ids:
        return 0
    series = list(
        Series.objects.filter(creation_key__isnull=False)
        .order_by("pk")
        .values_list("pk", "creation_key", "created_at")
    )
    if not series:
        return 0
    creators: dict[int, set[int]] = {}
    for series_id, user_id in SeriesCreatorship.objects.filter(
        series_id__in=[pk for pk, _, _ in series]
    ).values_list("series_id", "pseud__user_id"):
        creators.setdefault(series_id, set()).add(user_id)
    existing = set(
        Bookmark.objects.filter(series__isnull=False).values_list("user_id", "series_id")
    )
    pseuds = dict(
        Pseud.objects.filter(user_id__in=user_ids, is_default=True).values_list("user_id", "pk")
    )
    tags = {tag.name: tag.pk for tag in bookmark_tags_find_or_create(BOOKMARKER_TAGS)}
    rows: list[list[Any]] = []
    tagged: dict[tuple[int, int], tuple[str, ...]] = {}
    for series_id, key, created_at in series:
        rng = random.Random(f"series-bookmarks-{seed}-{key}")
        total = min(
            int((rng.paretovariate(BOOKMARK_SHAPE) - 1) * SERIES_BOOKMARK_SCALE),
            MAX_SERIES_BOOKMARKS,
        )
        candidates = [
            user_id for user_id in user_ids if user_id not in creators.get(series_id, set())
        ]
        readers = sorted(rng.sample(candidates, min(total, len(candidates))))
        # Every draw happens before any skip, so a rerun sees the same bookmarks.
        planned = [(user_id, _planned(rng, 0)) for user_id in readers]
        for user_id, bookmark in planned:
            pseud_id = pseuds.get(user_id)
            if pseud_id is None or (user_id, series_id) in existing:
                continue
            when = created_at + (now - created_at) * bookmark.share
            html = sanitize_html(bookmark.notes).html if bookmark.notes else ""
            rows.append(
                [
                    user_id,
                    pseud_id,
                    series_id,
                    bookmark.notes,
                    html,
                    SANITIZER_VERSION,
                    bookmark.rec,
                    bookmark.private,
                    when,
                    when,
                ]
            )
            if bookmark.tag_names:
                tagged[(user_id, series_id)] = bookmark.tag_names
    RowWriter(Bookmark, _SERIES_BOOKMARK_FIELDS).write(rows)
    if tagged:
        ids = {
            (user_id, series_id): pk
            for pk, user_id, series_id in Bookmark.objects.filter(
                series_id__in={series_id for _, series_id in tagged}
            ).values_list("pk", "user_id", "series_id")
        }
        _write_tag_rows(tagged, ids, tags)
    series_at = _SERIES_BOOKMARK_FIELDS.index("series")
    record_series_changes({row[series_at] for row in rows})
    return len(rows)
