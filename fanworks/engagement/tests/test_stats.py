"""A creator's statistics page: figures per work and in total, hits per day, for the owner only."""

from datetime import UTC, datetime, timedelta

import pytest
from django.test import Client

from fanworks.core.testing import make_user, make_work
from fanworks.engagement.actions import hit_record, kudos_leave
from fanworks.engagement.models import HitDay
from fanworks.engagement.stats import daily_hits, hits_chart, work_stats
from fanworks.works.models import Work

pytestmark = pytest.mark.django_db

NOON = datetime(2026, 11, 20, 12, tzinfo=UTC)


def test_figures_per_work_and_totals_sorted_as_asked() -> None:
    creator = make_user()
    quiet = make_work(creator, title="Quiet One")
    loved = make_work(creator, title="Loved One")
    make_work(creator, title="Draft One", post=False)
    make_work(make_user(), title="Someone Else's")
    for n in range(3):
        hit_record(work=loved, visitor=f"v{n}", now=NOON)
        kudos_leave(work=loved, user=make_user())
    hit_record(work=quiet, visitor="v9", now=NOON)

    works, totals = work_stats(creator, "hits")
    assert [w.title for w in works] == ["Loved One", "Quiet One"]
    assert works[0].values["hits"] == 3 and works[0].values["kudos"] == 3
    assert totals["hits"] == 4 and totals["kudos"] == 3
    assert totals["words"] == sum(
        Work.objects.filter(pk__in=[quiet.pk, loved.pk]).values_list("word_count", flat=True)
    )
    assert [w.title for w in work_stats(creator, "title")[0]] == ["Loved One", "Quiet One"]


def test_hits_per_day_fill_the_chart_and_empty_days_are_zero() -> None:
    creator = make_user()
    work = make_work(creator)
    hit_record(work=work, visitor="a", now=NOON - timedelta(days=2))
    hit_record(work=work, visitor="b", now=NOON - timedelta(days=2))
    hit_record(work=work, visitor="a", now=NOON)
    assert HitDay.objects.get(work=work, day=NOON.date()).hits == 1
    points = daily_hits(creator, NOON.date(), days=5)
    assert [hits for _, hits in points] == [0, 0, 2, 0, 1]
    chart = hits_chart(points)
    assert chart.count("<rect") == 5
    assert "3 hits from 16 Nov 2026 to 20 Nov 2026; the busiest day had 2." in chart
    assert "18 Nov: 2 hits" in chart


def test_the_page_is_the_owners_alone() -> None:
    creator = make_user()
    work = make_work(creator, title="Lantern <b>Song</b>")
    owner = Client()
    owner.force_login(creator)
    page = owner.get(f"/users/{creator.username}/stats?sort=kudos").content.decode()
    assert "Lantern &lt;b&gt;Song&lt;/b&gt;" in page
    assert f'href="/works/{work.pk}"' in page
    assert 'role="img"' in page
    assert owner.get(f"/users/{creator.username}/stats?sort=nonsense").status_code == 200
    assert Client().get(f"/users/{creator.username}/stats").status_code == 302
    other = Client()
    other.force_login(make_user())
    assert other.get(f"/users/{creator.username}/stats").status_code == 404
