"""Kudos: one per reader and work, held by the database; refused where AO3 refuses them."""

import pytest
from django.db import IntegrityError, transaction
from django.test import Client

from fanworks.core.testing import make_user, make_work
from fanworks.engagement.actions import kudos_leave
from fanworks.engagement.models import Kudos
from fanworks.engagement.queries import KudosSummary, kudos_summary
from fanworks.search.models import SearchOutbox
from fanworks.works.models import Work

pytestmark = pytest.mark.django_db


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def leave(client: Client, work: Work, ip: str = "203.0.113.7", **data: str):
    return client.post(f"/works/{work.pk}/kudos", data, REMOTE_ADDR=ip)


def kudos_count(work: Work) -> int:
    work.refresh_from_db()
    assert work.kudos_count == Kudos.objects.filter(work=work).count()
    return work.kudos_count


def test_a_reader_leaves_kudos_once_and_the_count_reaches_search() -> None:
    work = make_work(make_user())
    reader = make_user("annie")
    client = logged_in(reader)
    queued = SearchOutbox.objects.filter(work_id=work.pk).count()
    revised = Work.objects.get(pk=work.pk).revised_at

    response = leave(client, work, return_to=f"/works/{work.pk}")
    assert response.status_code == 302
    assert response["Location"] == f"/works/{work.pk}#kudos"
    assert kudos_count(work) == 1
    assert SearchOutbox.objects.filter(work_id=work.pk).count() == queued + 1
    assert work.revised_at == revised  # kudos are not an update of the work
    page = client.get(f"/works/{work.pk}").content.decode()
    assert "Thank you for leaving kudos!" in page
    assert '<a href="/users/annie">annie</a> left kudos on this work!' in page

    leave(client, work)
    assert kudos_count(work) == 1
    again = client.get(f"/works/{work.pk}").content.decode()
    assert "You have already left kudos here. :)" in again


def test_guests_are_counted_once_per_address_and_the_address_is_not_stored() -> None:
    work = make_work(make_user())
    leave(Client(), work, ip="198.51.100.23")
    leave(Client(), work, ip="198.51.100.23")
    leave(Client(), work, ip="198.51.100.99")
    assert kudos_count(work) == 2
    hashes = list(Kudos.objects.values_list("visitor_hash", flat=True))
    assert all(len(value) == 64 and "198.51" not in value for value in hashes)
    page = Client().get(f"/works/{work.pk}").content.decode()
    assert "2 guests left kudos on this work!" in page


def test_names_and_guests_share_one_sentence_newest_first() -> None:
    work = make_work(make_user())
    for name in ("bob", "cyd"):
        kudos_leave(work=work, user=make_user(name))
    kudos_leave(work=work, user=None, visitor_hash="f" * 64)
    work.refresh_from_db()
    summary = kudos_summary(work)
    assert summary == KudosSummary(usernames=["cyd", "bob"], more_users=0, guests=1)
    assert summary.sentence() == (
        '<a href="/users/cyd">cyd</a>, <a href="/users/bob">bob</a> as well as 1 guest '
        "left kudos on this work!"
    )
    assert KudosSummary(usernames=["a"], more_users=2, guests=0).sentence() == (
        '<a href="/users/a">a</a> and 2 more users left kudos on this work!'
    )


def test_creators_cannot_leave_kudos_on_their_own_work() -> None:
    creator = make_user()
    work = make_work(creator)
    client = logged_in(creator)
    response = leave(client, work)
    assert response.status_code == 302
    assert kudos_count(work) == 0
    page = client.get(f"/works/{work.pk}").content.decode()
    assert "You can&#x27;t leave kudos on your own work." in page
    assert 'id="kudo_submit"' not in page


def test_works_a_reader_may_not_see_take_no_kudos() -> None:
    creator = make_user()
    restricted = make_work(creator, restricted=True)
    draft = make_work(creator, post=False)
    hidden = make_work(creator)
    Work.objects.filter(pk=hidden.pk).update(hidden_by_admin=True)
    reader = logged_in(make_user())
    assert leave(Client(), restricted).status_code == 404
    assert leave(reader, draft).status_code == 404
    assert leave(reader, hidden).status_code == 404
    assert leave(Client(), Work(pk=999_999)).status_code == 404
    assert Kudos.objects.count() == 0
    # A registered reader may leave kudos on the restricted work.
    assert leave(reader, restricted).status_code == 302
    assert kudos_count(restricted) == 1


def test_only_post_and_only_back_to_the_same_work() -> None:
    work = make_work(make_user())
    other = make_work(make_user())
    client = logged_in(make_user())
    assert client.get(f"/works/{work.pk}/kudos").status_code == 405
    for target in ("https://example.org/", "//example.org/x", f"/works/{other.pk}", "/works/1x"):
        response = leave(client, work, return_to=target)
        assert response["Location"] == f"/works/{work.pk}#kudos", target
    chapter = work.chapters.get()
    response = leave(client, work, return_to=f"/works/{work.pk}/chapters/{chapter.pk}")
    assert response["Location"] == f"/works/{work.pk}/chapters/{chapter.pk}#kudos"


def test_the_database_refuses_a_second_kudos_and_kudos_from_nobody() -> None:
    work = make_work(make_user())
    reader = make_user()
    Kudos.objects.create(work=work, user=reader)
    with pytest.raises(IntegrityError), transaction.atomic():
        Kudos.objects.create(work=work, user=reader)
    Kudos.objects.create(work=work, visitor_hash="a" * 64)
    with pytest.raises(IntegrityError), transaction.atomic():
        Kudos.objects.create(work=work, visitor_hash="a" * 64)
    with pytest.raises(IntegrityError), transaction.atomic():
        Kudos.objects.create(work=work)
    with pytest.raises(IntegrityError), transaction.atomic():
        Kudos.objects.create(work=work, user=make_user(), visitor_hash="b" * 64)


def test_a_work_without_kudos_costs_no_kudos_query(django_assert_num_queries) -> None:
    work = make_work(make_user())
    with django_assert_num_queries(0):
        assert kudos_summary(work).total == 0


def test_the_button_is_on_every_chapter_page_for_readers() -> None:
    work = make_work(make_user())
    page = Client().get(f"/works/{work.pk}").content.decode()
    assert 'id="kudo_submit"' in page
    assert f'action="/works/{work.pk}/kudos"' in page
