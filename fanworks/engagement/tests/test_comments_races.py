"""Parallel submits, deletes and approvals of one comment count once, on the real database with
real connections (SQLite and PostgreSQL)."""

import uuid
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from fanworks.accounts.models import User
from fanworks.core.testing import make_user, make_work, run_together
from fanworks.engagement.comment_actions import (
    Commenter,
    comment_approve,
    comment_create,
    comment_delete,
)
from fanworks.engagement.models import Comment, CommentState
from fanworks.works.models import Work

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def _count(work: Work) -> int:
    work.refresh_from_db()
    assert (
        work.comment_count
        == Comment.objects.filter(work=work, state=CommentState.APPROVED, deleted=False).count()
    )
    return work.comment_count


def test_parallel_identical_submits_post_one_comment() -> None:
    work = make_work(make_user())
    reader = make_user()
    pseud = reader.pseuds.get()
    key = uuid.uuid4()
    chapter = work.chapters.get()

    def submit(_: int) -> Comment:
        return comment_create(
            work=work,
            chapter=chapter,
            by=Commenter(user=reader, pseud=pseud),
            content="Submitted twice by an impatient reader",
            creation_key=key,
        )

    results, errors = run_together(4, submit)
    assert errors == []
    assert len({comment.pk for comment in results}) == 1
    assert Comment.objects.count() == 1
    assert _count(work) == 1


def test_parallel_form_posts_through_the_view_post_one_comment() -> None:
    work = make_work(make_user())
    reader = make_user()
    User.objects.filter(pk=reader.pk).update(date_joined=timezone.now() - timedelta(days=30))
    chapter = work.chapters.get()
    data = {"comment[comment_content]": "Double click!", "comment[creation_key]": str(uuid.uuid4())}

    def submit(_: int) -> int:
        client = Client()
        client.force_login(reader)
        return client.post(f"/chapters/{chapter.pk}/comments", data).status_code

    results, errors = run_together(3, submit)
    assert errors == []
    assert results == [302, 302, 302]
    assert Comment.objects.count() == 1
    assert _count(work) == 1


def test_parallel_deletes_and_approvals_count_once() -> None:
    work = make_work(make_user())
    Work.objects.filter(pk=work.pk).update(moderate_comments=True)
    work.refresh_from_db()
    reader = make_user()
    chapter = work.chapters.get()
    by = Commenter(user=reader, pseud=reader.pseuds.get())
    waiting = comment_create(work=work, chapter=chapter, by=by, content="Approve me")
    assert waiting.state == CommentState.UNREVIEWED
    _, errors = run_together(4, lambda _: comment_approve(comment=waiting))
    assert errors == []
    assert _count(work) == 1
    approved = Comment.objects.get(pk=waiting.pk)
    _, errors = run_together(4, lambda _: comment_delete(comment=approved))
    assert errors == []
    assert Comment.objects.count() == 0
    assert _count(work) == 0
