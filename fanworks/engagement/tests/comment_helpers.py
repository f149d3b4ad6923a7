"""Builders and checks shared by the comment tests."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from fanworks.accounts.models import User
from fanworks.core.testing import make_user
from fanworks.engagement.comment_actions import (
    Commenter,
)
from fanworks.engagement.models import Comment, CommentState
from fanworks.works.models import Work

pytestmark = pytest.mark.django_db


def logged_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def established(name: str | None = None) -> User:
    """A user old enough not to be rate-limited."""
    user = make_user(name)
    User.objects.filter(pk=user.pk).update(date_joined=timezone.now() - timedelta(days=30))
    user.refresh_from_db()
    return user


def by(user: User) -> Commenter:
    return Commenter(user=user, pseud=user.pseuds.get(is_default=True))


def post(client: Client, work: Work, text: str = "Loved the harbour scene!", **extra: str):
    chapter = work.chapters.order_by("position")[0]
    data = {"comment[comment_content]": text, **{f"comment[{k}]": v for k, v in extra.items()}}
    return client.post(f"/chapters/{chapter.pk}/comments", data, REMOTE_ADDR="203.0.113.5")


def reply(client: Client, parent: Comment, text: str = "Thank you!", **extra: str):
    data = {"comment[comment_content]": text, **{f"comment[{k}]": v for k, v in extra.items()}}
    return client.post(f"/comments/{parent.pk}/comments", data, REMOTE_ADDR="203.0.113.5")


def counted(work: Work) -> int:
    """The work's stored comment count, checked against the rows."""
    work.refresh_from_db()
    rows = Comment.objects.filter(work=work, state=CommentState.APPROVED, deleted=False).count()
    assert work.comment_count == rows
    return work.comment_count


def snapshot() -> list[tuple]:
    return list(Comment.objects.order_by("pk").values_list())


# ---------------------------------------------------------------------------------------------
