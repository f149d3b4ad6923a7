"""`fanworks demo` groups some creators' works into series, and a second run adds none."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client

from fanworks.works.models import Creatorship, Series, SeriesWork

pytestmark = pytest.mark.django_db
WORKS = 120


def demo() -> str:
    out = StringIO()
    call_command("demo", "--works", str(WORKS), stdout=out)
    return out.getvalue()


def test_demo_makes_series_of_a_creators_works_once() -> None:
    output = demo()
    assert "Series:" in output
    series = list(Series.objects.prefetch_related("creatorships", "series_works"))
    assert series, output
    assert any(s.complete for s in series) or len(series) < 3
    for one in series:
        parts = list(one.series_works.order_by("position").values_list("work_id", "position"))
        assert len(parts) >= 2
        assert [position for _, position in parts] == list(range(1, len(parts) + 1))
        creators = {ship.pseud_id for ship in one.creatorships.all()}
        for work_id, _ in parts:
            assert creators & set(
                Creatorship.objects.filter(work_id=work_id).values_list("pseud_id", flat=True)
            )
    first = series[0]
    page = Client().get(f"/series/{first.pk}")
    assert page.status_code == 200 and first.title in page.content.decode()

    counts = (Series.objects.count(), SeriesWork.objects.count())
    demo()
    assert (Series.objects.count(), SeriesWork.objects.count()) == counts
