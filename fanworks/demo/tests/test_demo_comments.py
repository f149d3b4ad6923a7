"""The demo's comments: threaded, long-tailed, following the works' comment settings, and
counted on each work exactly as the rows say."""

from collections import Counter
from datetime import UTC, datetime
from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import Count
from django.test import Client

from fanworks.core.testing import make_user
from fanworks.demo.comments import plan_comments
from fanworks.demo.plan import plan_work
from fanworks.demo.world import World
from fanworks.engagement.comment_actions import Commenter, comment_create
from fanworks.engagement.models import Comment
from fanworks.works.models import CommentPermission, Work


def _plans(count: int):
    now = datetime(2026, 6, 1, tzinfo=UTC)
    world = World(1, now)
    joined = {index: datetime(2020, 1, 1, tzinfo=UTC) for index in range(-1, 1000)}
    return now, [plan_work(world, index, joined) for index in range(count)]


def test_planned_comments_have_a_long_tail_and_deep_threads() -> None:
    now, plans = _plans(400)
    per_work, deepest, guests = [], 0, 0
    for plan in plans:
        rows = plan_comments(plan, [1, 2], 200, now, next_id=1)
        per_work.append(sum(row.parent is None for row in rows))
        deepest = max([deepest, *(row.depth for row in rows)])
        guests += sum(row.user_index is None for row in rows)
        if rows:
            assert plan.posted and plan.comment_permission != CommentPermission.NOBODY
        if any(row.user_index is None for row in rows):
            assert plan.comment_permission == CommentPermission.EVERYONE
            assert not plan.restricted
        for row in rows:
            assert row.parent is None or row.created_at >= row.parent.created_at
    per_work.sort()
    assert per_work[len(per_work) // 2] <= 2  # the median work has few threads or none
    assert per_work[-1] >= 15  # and a few have many
    assert deepest > 5  # deeper than a page shows: "Continue this thread"
    assert guests > 0
    # The same work always gets the same comments.
    again = plan_comments(plans[3], [1, 2], 200, now, next_id=1)
    assert [(r.text, r.depth) for r in again] == [
        (r.text, r.depth) for r in plan_comments(plans[3], [1, 2], 200, now, next_id=1)
    ]


@pytest.mark.django_db
def test_the_demo_writes_threads_that_match_the_work_counts() -> None:
    call_command("demo", "--works", "60", stdout=StringIO())
    comments = Comment.objects.all()
    assert comments.count() > 0
    counted = dict(comments.values("work").annotate(n=Count("pk")).values_list("work", "n"))
    for work in Work.objects.all():
        assert work.comment_count == counted.get(work.pk, 0)
        if not work.posted or work.comment_permission == CommentPermission.NOBODY:
            assert work.comment_count == 0
    assert comments.filter(parent__isnull=False).exists()
    for reply in comments.filter(parent__isnull=False).select_related("parent"):
        parent = reply.parent
        assert parent is not None
        assert reply.depth == parent.depth + 1
        assert reply.thread_id == (parent.thread_id or parent.pk)
        assert reply.chapter_id == parent.chapter_id
    assert (
        Counter(c.user_id is None for c in comments)[True]
        == comments.filter(pseud__isnull=True, guest_name__gt="").count()
    )
    # New comments after the demo get fresh ids (the id sequence moved past the demo's rows).
    open_work = (
        Work.objects.filter(posted=True)
        .exclude(comment_permission=CommentPermission.NOBODY)
        .first()
    )
    assert open_work is not None
    work = open_work
    reader = make_user()
    made = comment_create(
        work=work,
        chapter=work.chapters.filter(posted=True).first(),  # type: ignore[arg-type]
        by=Commenter(user=reader, pseud=reader.pseuds.get()),
        content="After the demo",
    )
    assert made.pk > max(c.pk for c in comments if c.pk != made.pk)
    busiest = Work.objects.order_by("-comment_count").first()
    assert busiest is not None
    page = Client().get(f"/works/{busiest.pk}?view_full_work=true&view_adult=true")
    assert page.status_code in (200, 302)
