"""Deleting an account: the choices page and the confirmation with the password (nothing
deleted before), each work orphaned or deleted, co-created works keep their co-creators,
comments kept or deleted, the user's kudos, bookmarks, subscriptions, history and inbox gone,
and other works' counters right afterwards."""

from typing import Any

import pytest
from django.test import Client

from fanworks.accounts.actions import pseud_create
from fanworks.accounts.models import Pseud, User
from fanworks.core.testing import DEFAULT_PASSWORD, make_user, make_work
from fanworks.engagement.actions import (
    BookmarkData,
    bookmark_save,
    kudos_leave,
    reading_record,
    subscription_create,
)
from fanworks.engagement.comment_actions import Commenter, comment_create
from fanworks.engagement.models import Bookmark, Comment, Kudos, Reading, Subscription
from fanworks.works.models import Creatorship, Series, Work
from fanworks.works.orphan_actions import DELETED_ACCOUNT_PSEUD
from fanworks.works.orphan_queries import ORPHAN_USERNAME
from fanworks.works.tests.gift_helpers import logged_in, snapshot
from fanworks.works.tests.series_helpers import series_of

pytestmark = pytest.mark.django_db


def comment(user: User, work: Work, text: str, parent: Comment | None = None) -> Comment:
    return comment_create(
        work=work,
        chapter=work.chapters.get(),
        by=Commenter(user=user, pseud=user.pseuds.get(is_default=True)),
        content=text,
        parent=parent,
    )


@pytest.fixture
def leaving() -> dict[str, Any]:
    """A user with a posted work, a draft, a co-created work and a series, who left kudos,
    comments (one with someone else's reply), a bookmark and a subscription on a friend's
    work."""
    leaver = make_user("leaver")
    friend = make_user("friend")
    posted = make_work(leaver, title="Keeper")
    doomed = make_work(leaver, title="Doomed")
    draft = make_work(leaver, title="Drafty", post=False)
    shared = make_work(friend, title="Shared")
    Creatorship.objects.create(work=shared, pseud=leaver.pseuds.get(), position=1)
    theirs = make_work(friend, title="Friendly")
    series = series_of(leaver, posted, title="Leaver Cycle")
    kudos_leave(work=theirs, user=leaver)
    kudos_leave(work=theirs, user=make_user("another"))
    top = comment(leaver, theirs, "Lovely harbour scene.")
    comment(friend, theirs, "Thank you!", parent=top)
    comment(leaver, theirs, "Second thought.")
    comment(friend, posted, "Friend's comment on the kept work.")
    bookmark_save(user=leaver, pseud=leaver.pseuds.get(), data=BookmarkData(), work=theirs)
    subscription_create(user=leaver, work=theirs)
    reading_record(user=leaver, work=theirs)
    theirs.refresh_from_db()
    return {
        "leaver": leaver,
        "friend": friend,
        "posted": posted,
        "doomed": doomed,
        "draft": draft,
        "shared": shared,
        "theirs": theirs,
        "series": series,
    }


def choices(w: dict[str, Any], **overrides: str) -> dict[str, str]:
    data = {
        f"work_{w['posted'].pk}": "orphan",
        f"work_{w['doomed'].pk}": "delete",
        f"work_{w['draft'].pk}": "delete",
        f"work_{w['shared'].pk}": "delete",
        "name_choice": "keep",
        "comments": "keep",
    }
    data.update(overrides)
    return data


def test_choices_then_confirmation_then_deletion(leaving: dict[str, Any]) -> None:
    w = leaving
    client = logged_in(w["leaver"])
    page = client.get("/users/leaver/delete").content.decode()
    for title in ("Keeper", "Doomed", "Drafty (draft)", "Shared"):
        assert title in page
    before = snapshot()
    step = client.post("/users/leaver/delete", choices(w))
    assert step.status_code == 200
    text = step.content.decode()
    assert "Orphan 1 work" in text and "Delete 3 works" in text
    assert 'type="password"' in text
    assert snapshot() == before
    # A wrong or missing password refuses, keeping every choice, and changes nothing.
    for password in ("", "not-the-password"):
        wrong = client.post(
            "/users/leaver/delete", {**choices(w), "confirm": "True", "password": password}
        )
        assert wrong.status_code == 400
        assert wrong.context["form"].errors["password"]
        assert f'name="work_{w["doomed"].pk}" value="delete"' in wrong.content.decode()
        assert snapshot() == before
    done = client.post(
        "/users/leaver/delete", {**choices(w), "confirm": "True", "password": DEFAULT_PASSWORD}
    )
    assert done.status_code == 200
    summary = done.content.decode()
    assert "The account leaver is deleted" in summary
    assert "Works orphaned: 1 (Keeper)" in summary and "Works deleted: 2" in summary
    assert "no longer credited on: 1 (Shared)" in summary
    assert "_auth_user_id" not in client.session

    assert not User.objects.filter(username="leaver").exists()
    # The orphaned work stays public with its comment; the deleted ones are gone.
    posted = Work.objects.get(pk=w["posted"].pk)
    assert posted.comment_count == 1
    assert list(posted.creatorships.values_list("pseud__user__username", "pseud__name")) == [
        (ORPHAN_USERNAME, "leaver")
    ]
    assert Client().get(f"/works/{posted.pk}").status_code == 200
    assert not Work.objects.filter(pk__in=[w["doomed"].pk, w["draft"].pk]).exists()
    # The co-created work stays, credited to its co-creator only.
    shared = Work.objects.get(pk=w["shared"].pk)
    assert list(shared.creatorships.values_list("pseud__user__username", flat=True)) == ["friend"]
    # The series moved to the orphan account with the work it holds.
    assert list(
        Series.objects.get(pk=w["series"].pk).creatorships.values_list(
            "pseud__user__username", flat=True
        )
    ) == [ORPHAN_USERNAME]
    # Kept comments show as from a deleted account; counts on the friend's work are right.
    theirs = Work.objects.get(pk=w["theirs"].pk)
    kept = Comment.objects.filter(work=theirs, pseud__name=DELETED_ACCOUNT_PSEUD)
    assert kept.count() == 2
    assert theirs.comment_count == 3
    assert theirs.kudos_count == 1 == Kudos.objects.filter(work=theirs).count()
    assert theirs.bookmark_count == 0 == Bookmark.objects.filter(work=theirs).count()
    assert "Account deleted" in Client().get(f"/works/{theirs.pk}").content.decode()
    assert not Subscription.objects.filter(work=theirs).exists()
    assert not Reading.objects.filter(work=theirs).exists()
    assert not Pseud.objects.filter(user__username="leaver").exists()


def test_deleting_comments_keeps_other_peoples_replies(leaving: dict[str, Any]) -> None:
    w = leaving
    client = logged_in(w["leaver"])
    response = client.post(
        "/users/leaver/delete",
        {**choices(w, comments="delete"), "confirm": "True", "password": DEFAULT_PASSWORD},
    )
    assert response.status_code == 200
    theirs = Work.objects.get(pk=w["theirs"].pk)
    # The comment with a reply stays as a placeholder holding the friend's reply; the other
    # one is gone. The counter matches what readers see.
    assert list(
        Comment.objects.filter(work=theirs).order_by("pk").values_list("deleted", "content")
    ) == [(True, ""), (False, "Thank you!")]
    assert theirs.comment_count == 1


def test_anonymous_orphaning_on_deletion(leaving: dict[str, Any]) -> None:
    w = leaving
    logged_in(w["leaver"]).post(
        "/users/leaver/delete",
        {**choices(w, name_choice="anonymous"), "confirm": "True", "password": DEFAULT_PASSWORD},
    )
    posted = Work.objects.get(pk=w["posted"].pk)
    assert list(posted.creatorships.values_list("pseud__name", flat=True)) == [ORPHAN_USERNAME]
    assert posted.creator_sort_key == ORPHAN_USERNAME


@pytest.mark.parametrize(
    "change",
    [
        {"DRAFT": "orphan"},  # a draft cannot be orphaned
        {"POSTED": ""},  # every work needs a choice
        {"POSTED": "sideways"},
        {"comments": ""},
        {"comments": "maybe"},
        {"name_choice": ""},  # orphaning needs a name choice
    ],
)
def test_bad_choices_change_nothing(leaving: dict[str, Any], change: dict[str, str]) -> None:
    w = leaving
    keys = {"DRAFT": f"work_{w['draft'].pk}", "POSTED": f"work_{w['posted'].pk}"}
    data = choices(w)
    for key, value in change.items():
        data[keys.get(key, key)] = value
    before = snapshot()
    response = logged_in(w["leaver"]).post(
        "/users/leaver/delete", {**data, "confirm": "True", "password": DEFAULT_PASSWORD}
    )
    assert response.status_code == 400
    assert response.context["form"].errors
    assert snapshot() == before


@pytest.mark.parametrize("persona", ["guest", "friend", "admin"])
def test_only_the_owner_can_delete_the_account(leaving: dict[str, Any], persona: str) -> None:
    w = leaving
    admin = make_user("siteadmin")
    User.objects.filter(pk=admin.pk).update(is_staff=True, is_superuser=True)
    client = {"guest": Client(), "friend": logged_in(w["friend"]), "admin": logged_in(admin)}[
        persona
    ]
    before = snapshot()
    get = client.get("/users/leaver/delete")
    post = client.post(
        "/users/leaver/delete", {**choices(w), "confirm": "True", "password": DEFAULT_PASSWORD}
    )
    if persona == "guest":
        assert get.status_code == 302 and post.status_code == 302
        assert "/users/login" in post["Location"]
    else:
        assert get.status_code == 404 and post.status_code == 404
    assert snapshot() == before


def test_a_user_without_works_can_leave() -> None:
    user = make_user("quiet")
    pseud_create(user=user, name="Other Name")
    client = logged_in(user)
    response = client.post(
        "/users/quiet/delete",
        {"comments": "delete", "confirm": "True", "password": DEFAULT_PASSWORD},
    )
    assert response.status_code == 200
    assert not User.objects.filter(username="quiet").exists()
