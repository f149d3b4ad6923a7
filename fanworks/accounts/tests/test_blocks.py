"""Blocking: private list, one button on profiles, kudos refused from the blocked."""

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from fanworks.accounts import models as account_models
from fanworks.accounts.actions import block_user, unblock_user
from fanworks.accounts.models import Block
from fanworks.core.testing import make_user, make_work
from fanworks.engagement.models import Kudos

pytestmark = pytest.mark.django_db


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_block_from_a_profile_then_unblock_from_the_list() -> None:
    me, them = make_user("blocker"), make_user("pest")
    client = logged_in(me)
    profile = client.get("/users/pest").content.decode()
    assert "Block pest" in profile
    response = client.post(
        "/users/blocker/blocked",
        {"username": "pest", "change": "block", "return_to": "/users/pest"},
    )
    assert response["Location"] == "/users/pest"
    assert Block.objects.filter(blocker=me, blocked=them).exists()
    assert "Unblock pest" in client.get("/users/pest").content.decode()
    listing = client.get("/users/blocker/blocked").content.decode()
    assert '<a href="/users/pest">pest</a>' in listing
    client.post("/users/blocker/blocked", {"username": "pest", "change": "unblock"})
    assert not Block.objects.exists()


def test_the_list_and_the_form_are_the_owners_alone() -> None:
    me = make_user("owner")
    make_user("someone")
    assert Client().get("/users/owner/blocked").status_code == 302
    other = logged_in(make_user())
    assert other.get("/users/owner/blocked").status_code == 404
    assert other.post("/users/owner/blocked", {"username": "someone"}).status_code == 404
    assert not Block.objects.exists()
    assert logged_in(me).post("/users/owner/blocked", {"username": "nobody"}).status_code == 404
    response = logged_in(me).post(
        "/users/owner/blocked", {"username": "someone", "return_to": "https://evil.example/"}
    )
    assert response["Location"] == "/users/owner/blocked"


def test_not_oneself_and_not_past_the_limit(monkeypatch) -> None:
    me = make_user()
    with pytest.raises(ValidationError):
        block_user(blocker=me, blocked=me)
    monkeypatch.setattr(account_models, "MAX_BLOCKS", 2)
    monkeypatch.setattr("fanworks.accounts.actions.MAX_BLOCKS", 2)
    block_user(blocker=me, blocked=make_user())
    block_user(blocker=me, blocked=make_user())
    with pytest.raises(ValidationError, match="the most allowed"):
        block_user(blocker=me, blocked=make_user())
    assert Block.objects.filter(blocker=me).count() == 2
    assert not unblock_user(blocker=me, blocked=make_user())


def test_a_blocked_reader_cannot_leave_kudos_on_the_blockers_works() -> None:
    creator, pest = make_user(), make_user()
    work = make_work(creator)
    block_user(blocker=creator, blocked=pest)
    client = logged_in(pest)
    client.post(f"/works/{work.pk}/kudos")
    assert not Kudos.objects.exists()
    page = client.get(f"/works/{work.pk}").content.decode()
    assert "blocked by one or more of this work&#x27;s creators" in page
    assert 'id="kudo_submit"' not in page
    # Others still can, and the blocked reader can on other creators' works.
    logged_in(make_user()).post(f"/works/{work.pk}/kudos")
    other_work = make_work(make_user())
    client.post(f"/works/{other_work.pk}/kudos")
    assert Kudos.objects.count() == 2
