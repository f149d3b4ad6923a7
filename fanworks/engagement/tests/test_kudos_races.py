"""Parallel clicks on "Kudos ♥" make one kudos, on the real database with real connections."""

import pytest

from fanworks.core.testing import make_user, make_work, run_together
from fanworks.engagement.actions import kudos_leave
from fanworks.engagement.models import Kudos

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_parallel_kudos_from_one_reader_make_one() -> None:
    work = make_work(make_user())
    reader = make_user()
    results, errors = run_together(6, lambda _: kudos_leave(work=work, user=reader))
    assert errors == []
    assert sum(result is not None for result in results) == 1
    work.refresh_from_db()
    assert Kudos.objects.filter(work=work).count() == 1
    assert work.kudos_count == 1


def test_parallel_kudos_from_one_guest_make_one() -> None:
    work = make_work(make_user())
    results, errors = run_together(
        6, lambda _: kudos_leave(work=work, user=None, visitor_hash="c" * 64)
    )
    assert errors == []
    assert sum(result is not None for result in results) == 1
    work.refresh_from_db()
    assert work.kudos_count == 1
