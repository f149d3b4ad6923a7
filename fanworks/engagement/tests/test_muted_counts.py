"""Muted users leave the counts a reader sees: a blurb's and a work page's comment and
bookmark figures leave out those of users the reader mutes, and nobody else's figures move."""

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from fanworks.accounts.actions import mute_user
from fanworks.accounts.models import User
from fanworks.core.testing import make_user, make_work
from fanworks.engagement.actions import BookmarkData, bookmark_save
from fanworks.engagement.comment_actions import Commenter, comment_create
from fanworks.works.models import Work

pytestmark = pytest.mark.django_db


def established(name: str) -> User:
    user = make_user(name)
    User.objects.filter(pk=user.pk).update(date_joined=timezone.now() - timedelta(days=30))
    user.refresh_from_db()
    return user


def engage(user: User, work: Work, *, private: bool = False) -> None:
    pseud = user.pseuds.get(is_default=True)
    comment_create(
        work=work,
        chapter=work.chapters.order_by("position")[0],
        by=Commenter(user=user, pseud=pseud),
        content=f"A comment from {user.username}.",
    )
    bookmark_save(user=user, pseud=pseud, work=work, data=BookmarkData(private=private))


def figures(page: str, kind: str) -> list[str]:
    return re.findall(rf'<dd class="{kind}">(?:<a [^>]*>)?([\d,]+)', page)


def test_blurbs_and_the_work_page_leave_out_muted_users_for_the_muter_only() -> None:
    creator = make_user("quill")
    work = make_work(creator, title="Salt and Lanterns")
    pest, friend, viewer = established("pest"), established("friend"), established("viewer")
    engage(pest, work)
    engage(friend, work)
    mute_user(muter=viewer, muted=pest)

    muter = Client()
    muter.force_login(viewer)
    for path in ("/works", f"/users/{creator.username}/works", f"/works/{work.pk}"):
        page = muter.get(path).content.decode()
        assert figures(page, "comments") == ["1"], path
        assert figures(page, "bookmarks") == ["1"], path
        other = Client().get(path).content.decode()
        assert figures(other, "comments") == ["2"], path
        assert figures(other, "bookmarks") == ["2"], path

    work.refresh_from_db()
    assert (work.comment_count, work.bookmark_count) == (2, 2)  # the stored counts stay


def test_a_muted_users_private_bookmark_is_not_taken_off_the_public_count() -> None:
    creator = make_user("quill")
    work = make_work(creator)
    pest, friend, viewer = established("pest"), established("friend"), established("viewer")
    engage(pest, work, private=True)
    engage(friend, work)
    mute_user(muter=viewer, muted=pest)
    muter = Client()
    muter.force_login(viewer)
    page = muter.get("/works").content.decode()
    assert figures(page, "bookmarks") == ["1"]  # the friend's; the private one never counted
    assert figures(page, "comments") == ["1"]
    guest = Client().get("/works").content.decode()
    assert figures(guest, "bookmarks") == ["1"] and figures(guest, "comments") == ["2"]
