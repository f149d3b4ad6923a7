"""Threaded comments on the demo's works, with the long tail of a real archive: most works have
a few threads or none, a few have dozens; most threads are a single comment, some are long
conversations (deeper than the five levels a page shows), some from guests, some answered by
the work's creator.

Decided per work from its creation key alone (like kudos), so reruns make the same comments.
Rows go in with explicit ids, so replies can name their parent and thread without a query per
comment; the id sequence is moved past them afterwards.
"""

import random
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.core.management.color import no_style
from django.db import connection
from django.db.models import Max

from fanworks.accounts.models import Pseud
from fanworks.core.sanitize import SANITIZER_VERSION, sanitize_html
from fanworks.demo.plan import WorkPlan
from fanworks.demo.rows import RowWriter
from fanworks.engagement.models import Comment, CommentState
from fanworks.works.models import Chapter, CommentPermission, Work

THREAD_SHAPE = 1.3  # Pareto shape of threads per work
THREAD_SCALE = 1.2
MAX_THREADS = 60
GUEST_SHARE = 0.2
CREATOR_REPLY_SHARE = 0.35

OPENINGS = [
    "I love this so much!", "Oh, this hurt in the best way.", "Okay, that ending.",
    "I've reread this three times now.", "The pacing here is perfect.",
    "I did not expect that twist.", "This is exactly what I needed today.",
    "Your characterisation is spot on.", "I'm screaming.", "Wow.",
]  # fmt: skip
MIDDLES = [
    "The scene on the harbour wall stayed with me all day.",
    "The way you write their friendship is so tender.",
    "I laughed out loud at the bit with the lanterns.",
    "Every time I think I know where this is going, you surprise me.",
    "The dialogue feels so natural.", "The little details make the whole world feel real.",
    "I can't stop thinking about that last line.", "",
]  # fmt: skip
CLOSINGS = [
    "Can't wait for more!", "Thank you for writing this.", "Kudos forever.",
    "Please tell me there's a sequel.", "", "",
]  # fmt: skip
REPLIES = [
    "Thank you so much for reading!", "Agreed, completely.", "Same! I had to put my phone down.",
    "Haha, right?", "Thank you, this comment made my day.", "I hadn't thought of it that way.",
    "The next chapter is almost done, I promise.", "Yes!!", "Oh no, now I'm crying again.",
]  # fmt: skip
GUEST_NAMES = ["lurker", "Anon", "a reader", "tidewatcher", "sleepless", "Mo", "quietfan"]


@dataclass
class _Row:
    id: int
    chapter_id: int
    parent: "_Row | None"
    user_index: int | None  # None: a guest
    text: str
    created_at: datetime

    @property
    def thread_id(self) -> int | None:
        row = self
        while row.parent is not None:
            row = row.parent
        return row.id if row is not self else None

    @property
    def depth(self) -> int:
        return 0 if self.parent is None else self.parent.depth + 1


def _threads(rng: random.Random) -> int:
    return min(int((rng.paretovariate(THREAD_SHAPE) - 1) * THREAD_SCALE), MAX_THREADS)


def _reply_count(rng: random.Random) -> int:
    """Replies in one thread: usually none, often one or two, now and then a long exchange."""
    roll = rng.random()
    if roll < 0.55:
        return 0
    if roll < 0.9:
        return rng.randint(1, 2)
    return rng.randint(3, 9)


def _text(rng: random.Random) -> str:
    return " ".join(part for part in (
        rng.choice(OPENINGS), rng.choice(MIDDLES), rng.choice(CLOSINGS)
    ) if part)  # fmt: skip


def plan_comments(
    plan: WorkPlan, chapter_ids: list[int], user_count: int, now: datetime, next_id: int
) -> list[_Row]:
    """The comment rows for one work (none on drafts or works that take no comments)."""
    if not plan.posted or not chapter_ids or plan.comment_permission == CommentPermission.NOBODY:
        return []
    rng = random.Random(f"comments-{plan.key}")
    guests_allowed = plan.comment_permission == CommentPermission.EVERYONE and not plan.restricted
    creators = [index for index, _ in plan.creators]
    start = plan.first_posted_at or now
    rows: list[_Row] = []
    for _ in range(_threads(rng)):
        chapter_id = rng.choice(chapter_ids)
        when = start + (now - start) * rng.random()
        guest = guests_allowed and rng.random() < GUEST_SHARE
        reader = None if guest or user_count <= 0 else rng.randrange(user_count)
        if reader is None and not guests_allowed:
            continue
        top = _Row(next_id + len(rows), chapter_id, None, reader, _text(rng), when)
        rows.append(top)
        thread = [top]
        for _ in range(_reply_count(rng)):
            when = when + (now - when) * rng.random() * 0.3
            if rng.random() < CREATOR_REPLY_SHARE:
                who: int | None = rng.choice(creators)
            elif user_count > 0:
                who = rng.randrange(user_count)
            else:
                continue
            # Most replies carry the conversation on; some answer an earlier comment in it.
            parent = thread[-1] if rng.random() < 0.75 else rng.choice(thread)
            reply = _Row(next_id + len(rows), chapter_id, parent, who, rng.choice(REPLIES), when)
            rows.append(reply)
            thread.append(reply)
    return rows


def write_demo_comments(
    plans: list[WorkPlan],
    work_ids: dict[Any, int],
    pseuds: dict[int, tuple[int, ...]],
    user_ids: list[int],
    now: datetime,
) -> int:
    """Write comments for the planned works and set each work's comment count to match.
    Returns the comments written."""
    chapters: dict[int, list[int]] = {}
    for work_id, chapter_id in (
        Chapter.objects.filter(work_id__in=work_ids.values(), posted=True)
        .order_by("work_id", "position")
        .values_list("work_id", "pk")
    ):
        chapters.setdefault(work_id, []).append(chapter_id)
    next_id = (Comment.objects.aggregate(top=Max("pk"))["top"] or 0) + 1
    planned: list[tuple[int, _Row]] = []
    counts: dict[int, list[int]] = {}
    for plan in plans:
        work_id = work_ids[plan.key]
        rows = plan_comments(plan, chapters.get(work_id, []), len(user_ids), now, next_id)
        next_id += len(rows)
        if rows:
            counts.setdefault(len(rows), []).append(work_id)
        planned.extend((work_id, row) for row in rows)
    used = {_pseud(pseuds, row.user_index) for _, row in planned if row.user_index is not None}
    owner = dict(Pseud.objects.filter(pk__in=used).values_list("pk", "user_id"))
    html: dict[str, str] = {}
    out: list[list[Any]] = []
    for work_id, row in planned:
        if row.text not in html:
            html[row.text] = sanitize_html(row.text).html
        if row.user_index is None:
            user_id, pseud_id = None, None
            guest_name = GUEST_NAMES[row.id % len(GUEST_NAMES)]
            guest_email = f"guest{row.id}@example.invalid"
        else:
            pseud_id = _pseud(pseuds, row.user_index)
            user_id = owner[pseud_id]
            guest_name = guest_email = ""
        out.append([
            row.id, work_id, row.chapter_id, row.parent.id if row.parent else None,
            row.thread_id, row.depth, user_id, pseud_id, guest_name, guest_email, row.text,
            html[row.text], SANITIZER_VERSION, row.created_at, False, CommentState.APPROVED,
            False,
        ])  # fmt: skip
    RowWriter(Comment, _FIELDS).write(out)
    if out:
        with connection.cursor() as cursor:
            for statement in connection.ops.sequence_reset_sql(no_style(), [Comment]):
                cursor.execute(statement)
    for count, ids in counts.items():
        Work.objects.filter(pk__in=ids).update(comment_count=count)
    return len(out)


_FIELDS = [
    "id", "work", "chapter", "parent", "thread", "depth", "user", "pseud", "guest_name",
    "guest_email", "content", "content_html", "sanitizer_version", "created_at", "deleted",
    "state", "frozen",
]  # fmt: skip


def _pseud(pseuds: dict[int, tuple[int, ...]], user_index: int) -> int:
    """The pseud a demo user (or the demo login, DEMO_CREATOR) comments as: their first."""
    return (pseuds.get(user_index) or pseuds[0])[0]
