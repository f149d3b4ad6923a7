"""Subscriptions to series: subscribing through the page, and subscribers hearing of the
works posted into a series once."""

from typing import Any

import pytest
from django.db import IntegrityError, transaction
from django.test import Client

from fanworks.accounts.actions import block_user, mute_user
from fanworks.accounts.models import User
from fanworks.core.testing import make_user, make_work
from fanworks.engagement.models import Notification, Subscription
from fanworks.works.actions import work_post
from fanworks.works.models import Series, Work
from fanworks.works.series_actions import (
    series_add_work,
    series_remove_work,
)
from fanworks.works.tests.series_helpers import (
    form_post,
    logged_in,
    series_of,
    snapshot,
)

pytestmark = pytest.mark.django_db


# ---------------------------------------------------------------------------------------------
# Subscriptions to series


def subscribe(client: Client, owner: str, series: Series) -> Any:
    return client.post(
        f"/users/{owner}/subscriptions",
        {
            "subscription[subscribable_type]": "Series",
            "subscription[subscribable_id]": str(series.pk),
        },
    )


def series_notifications(user: User) -> list[str]:
    return list(
        Notification.objects.filter(recipient=user, event_key__startswith="series:")
        .order_by("pk")
        .values_list("event_key", flat=True)
    )


def test_subscribing_to_a_series_through_the_page(django_capture_on_commit_callbacks) -> None:
    writer = make_user("writer")
    series = series_of(writer, make_work(writer))
    reader = make_user("reader")
    client = logged_in(reader)
    page = client.get(f"/series/{series.pk}").content.decode()
    assert 'name="subscription[subscribable_type]" value="Series"' in page
    response = subscribe(client, "reader", series)
    assert response.status_code == 302 and response["Location"] == f"/series/{series.pk}"
    subscribe(client, "reader", series)
    assert Subscription.objects.filter(user=reader, series=series).count() == 1
    page = client.get(f"/series/{series.pk}").content.decode()
    assert 'value="Unsubscribe"' in page
    listing = client.get("/users/reader/subscriptions?type=series").content.decode()
    assert f'href="/series/{series.pk}"' in listing and "(Series)" in listing
    # The creator gets no button and is refused.
    assert 'value="Subscribe"' not in logged_in(writer).get(f"/series/{series.pk}").content.decode()
    before = snapshot()
    subscribe(logged_in(writer), "writer", series)
    assert snapshot() == before


def test_subscribing_to_an_invisible_series_is_404_and_changes_nothing() -> None:
    writer = make_user("writer")
    drafts = series_of(writer, make_work(writer, post=False))
    reader = make_user("reader")
    blocked = make_user("blocked")
    block_user(blocker=writer, blocked=blocked)
    public = series_of(writer, make_work(writer), title="Public")
    before = snapshot()
    assert subscribe(logged_in(reader), "reader", drafts).status_code == 404
    subscribe(logged_in(blocked), "blocked", public)
    response = logged_in(reader).post(
        "/users/reader/subscriptions",
        {"subscription[subscribable_type]": "Series", "subscription[subscribable_id]": "x1"},
    )
    assert response.status_code == 400
    assert subscribe(Client(), "reader", public).status_code == 302
    assert snapshot() == before


def test_series_subscribers_hear_of_posted_works_once(django_capture_on_commit_callbacks) -> None:
    writer = make_user("writer")
    reader, muter, stranger = make_user("reader"), make_user("muter"), make_user("stranger")
    first = make_work(writer)
    series = series_of(writer, first)
    for user in (reader, muter):
        Subscription.objects.create(user=user, series=series)
    mute_user(muter=muter, muted=writer)

    with django_capture_on_commit_callbacks(execute=True):
        posted = make_work(writer, title="Posted Later", restricted=True)
        series_add_work(user=writer, series=series, work=posted)
    assert series_notifications(reader) == [f"series:{series.pk}:work:{posted.pk}"]
    assert series_notifications(muter) == [] and series_notifications(stranger) == []
    text = Notification.objects.get(recipient=reader, event_key__startswith="series:").text
    assert "Posted Later" in text and "Tidewater Cycle" in text

    # Removing and adding again does not announce it twice.
    with django_capture_on_commit_callbacks(execute=True):
        series_remove_work(user=writer, series=series, work=posted)
        series_add_work(user=writer, series=series, work=posted)
    assert len(series_notifications(reader)) == 1

    # A draft is announced when it is posted, not before.
    with django_capture_on_commit_callbacks(execute=True):
        draft = make_work(writer, title="Draft Part", post=False)
        series_add_work(user=writer, series=series, work=draft)
    assert len(series_notifications(reader)) == 1
    with django_capture_on_commit_callbacks(execute=True):
        work_post(work=draft)
    assert series_notifications(reader)[-1] == f"series:{series.pk}:work:{draft.pk}"

    # A work hidden by an admin is not announced.
    hidden = make_work(writer, title="Hidden Part")
    Work.objects.filter(pk=hidden.pk).update(hidden_by_admin=True)
    with django_capture_on_commit_callbacks(execute=True):
        series_add_work(user=writer, series=series, work=hidden)
    assert len(series_notifications(reader)) == 2


def test_posting_into_a_series_from_the_form_notifies_subscribers(
    django_capture_on_commit_callbacks,
) -> None:
    writer, reader = make_user("writer"), make_user("reader")
    series = series_of(writer, make_work(writer))
    Subscription.objects.create(user=reader, series=series)
    with django_capture_on_commit_callbacks(execute=True):
        response = logged_in(writer).post(
            "/works/new", form_post(writer, title="Via Form", series_id=str(series.pk))
        )
    assert response.status_code == 302
    work = Work.objects.get(title="Via Form")
    assert series_notifications(reader) == [f"series:{series.pk}:work:{work.pk}"]


def test_following_the_creator_and_the_series_gives_one_entry_per_work(
    django_capture_on_commit_callbacks,
) -> None:
    writer, reader = make_user("writer"), make_user("reader")
    series = series_of(writer, make_work(writer))
    Subscription.objects.create(user=reader, series=series)
    Subscription.objects.create(user=reader, target_user=writer)
    with django_capture_on_commit_callbacks(execute=True):
        response = logged_in(writer).post(
            "/works/new", form_post(writer, title="Both Ways", series_id=str(series.pk))
        )
    assert response.status_code == 302
    work = Work.objects.get(title="Both Ways")
    assert Notification.objects.filter(recipient=reader, work=work).count() == 1


def test_the_subscription_check_constraint_takes_exactly_one_target() -> None:
    writer, reader = make_user("writer"), make_user("reader")
    work = make_work(writer)
    series = series_of(writer, work)
    with pytest.raises(IntegrityError), transaction.atomic():
        Subscription.objects.create(user=reader, series=series, work=work)
    Subscription.objects.create(user=reader, series=series)
    with pytest.raises(IntegrityError), transaction.atomic():
        Subscription.objects.create(user=reader, series=series)
