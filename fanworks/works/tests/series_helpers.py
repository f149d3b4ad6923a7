"""Helpers shared by the series tests (test_series*.py)."""

from typing import Any

from django.test import Client

from fanworks.accounts.models import User
from fanworks.core.testing import PROSE
from fanworks.engagement.models import Subscription
from fanworks.works.models import Series, SeriesCreatorship, SeriesWork, Work
from fanworks.works.series_actions import SeriesData, series_add_work, series_create


def logged_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def snapshot() -> dict[str, list[tuple[Any, ...]]]:
    """Every series row and series subscription, to assert a refusal changed nothing."""
    return {
        "series": list(
            Series.objects.order_by("pk").values_list(
                "pk", "title", "summary", "notes", "complete", "updated_at"
            )
        ),
        "parts": list(
            SeriesWork.objects.order_by("pk").values_list("pk", "series", "work", "position")
        ),
        "creators": list(
            SeriesCreatorship.objects.order_by("pk").values_list("pk", "series", "pseud")
        ),
        "subscriptions": list(
            Subscription.objects.order_by("pk").values_list("pk", "user", "series")
        ),
        "works": list(Work.objects.order_by("pk").values_list("pk", "version", "title")),
    }


def new_series(user: User, title: str = "Tidewater Cycle", **fields: Any) -> Series:
    return series_create(user=user, data=SeriesData(title=title, **fields))


def series_of(user: User, *works: Work, title: str = "Tidewater Cycle") -> Series:
    series = new_series(user, title)
    for work in works:
        series_add_work(user=user, series=series, work=work)
    return series


def positions(series: Series) -> list[tuple[int, int]]:
    return list(series.series_works.order_by("position").values_list("work_id", "position"))


def form_post(user: User, **overrides: Any) -> dict[str, Any]:
    """The posting form's fields for a new work by `user`."""
    data = {
        "title": "Harbour Lights",
        "pseuds": [str(user.pseuds.get(is_default=True).pk)],
        "rating": "General Audiences",
        "warnings": ["No Archive Warnings Apply"],
        "fandoms": "Tidewater Chronicles",
        "language": "en",
        "expected_chapters": "1",
        "comment_permission": "registered",
        "content": PROSE,
        "post": "1",
    }
    data.update(overrides)
    return data
