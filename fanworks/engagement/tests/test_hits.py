"""Hits: once per visitor and work a day, not the creator's own views, not crawlers."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from fanworks.core.testing import make_user, make_work, run_together
from fanworks.engagement.actions import HIT_WINDOW, hit_record
from fanworks.engagement.models import HitVisit
from fanworks.search.models import SearchOutbox
from fanworks.works.models import Work

GOOGLEBOT = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"
FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"


def hits(work: Work) -> int:
    work.refresh_from_db()
    return work.hit_count


@pytest.mark.django_db
def test_a_guest_counts_once_a_day_and_another_address_counts_again() -> None:
    work = make_work(make_user())
    guest = Client(HTTP_USER_AGENT=FIREFOX)
    for _ in range(3):
        assert guest.get(f"/works/{work.pk}", REMOTE_ADDR="192.0.2.10").status_code == 200
    assert hits(work) == 1
    guest.get(f"/works/{work.pk}", REMOTE_ADDR="192.0.2.11")
    assert hits(work) == 2
    assert not HitVisit.objects.filter(visitor__contains="192.0.2").exists()
    page = guest.get(f"/works/{work.pk}", REMOTE_ADDR="192.0.2.12").content.decode()
    assert '<dt class="hits">Hits:</dt><dd class="hits">3</dd>' in page


@pytest.mark.django_db
def test_registered_readers_count_by_account_and_creators_and_crawlers_not_at_all() -> None:
    creator = make_user()
    work = make_work(creator)
    reader = Client(HTTP_USER_AGENT=FIREFOX)
    reader.force_login(make_user())
    reader.get(f"/works/{work.pk}", REMOTE_ADDR="192.0.2.20")
    reader.get(f"/works/{work.pk}", REMOTE_ADDR="192.0.2.21")  # another address, same reader
    assert hits(work) == 1
    own = Client()
    own.force_login(creator)
    own.get(f"/works/{work.pk}")
    Client(HTTP_USER_AGENT=GOOGLEBOT).get(f"/works/{work.pk}", REMOTE_ADDR="192.0.2.30")
    assert hits(work) == 1


@pytest.mark.django_db
def test_a_hit_counts_again_after_the_window_and_reaches_search() -> None:
    work = make_work(make_user())
    start = timezone.now()
    queued = SearchOutbox.objects.filter(work_id=work.pk).count()
    assert hit_record(work=work, visitor="u1", now=start)
    assert not hit_record(work=work, visitor="u1", now=start + HIT_WINDOW - timedelta(seconds=1))
    assert hit_record(work=work, visitor="u1", now=start + HIT_WINDOW)
    assert hits(work) == 2
    assert SearchOutbox.objects.filter(work_id=work.pk).count() == queued + 2


@pytest.mark.django_db
def test_pages_a_reader_cannot_see_count_nothing() -> None:
    creator = make_user()
    draft = make_work(creator, post=False)
    restricted = make_work(creator, restricted=True)
    reader = Client()
    reader.force_login(make_user())
    assert reader.get(f"/works/{draft.pk}").status_code == 404
    assert Client().get(f"/works/{restricted.pk}").status_code == 302  # to the login page
    assert hits(draft) == 0
    assert hits(restricted) == 0


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_parallel_first_visits_count_once() -> None:
    work = make_work(make_user())
    results, errors = run_together(6, lambda _: hit_record(work=work, visitor="guest-hash"))
    assert errors == []
    assert results.count(True) == 1
    assert hits(work) == 1
