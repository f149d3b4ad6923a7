"""Reading history and "Marked for Later": private, switchable, and only ever works one may see."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from fanworks.accounts.models import User
from fanworks.core.testing import make_user, make_work
from fanworks.engagement.actions import READING_VISIT_GAP, reading_record
from fanworks.engagement.models import Reading
from fanworks.works.models import Work

pytestmark = pytest.mark.django_db


def logged_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def history_page(client: Client, user: User, query: str = "") -> str:
    response = client.get(f"/users/{user.username}/readings{query}")
    assert response.status_code == 200
    return response.content.decode()


def test_reading_a_work_puts_it_in_the_readers_history_newest_first() -> None:
    first = make_work(make_user(), title="Harbour Lights")
    second = make_work(make_user(), title="Salt Roads")
    reader = make_user()
    client = logged_in(reader)
    client.get(f"/works/{first.pk}")
    client.get(f"/works/{second.pk}")
    page = history_page(client, reader)
    assert page.index("Salt Roads") < page.index("Harbour Lights")
    assert "visited 1 time)" in page
    # Reloads within the visit gap are one visit; a later visit counts again.
    client.get(f"/works/{first.pk}")
    assert Reading.objects.get(user=reader, work=first).view_count == 1
    later = timezone.now() + READING_VISIT_GAP + timedelta(minutes=1)
    reading_record(user=reader, work=first, now=later)
    assert Reading.objects.get(user=reader, work=first).view_count == 2


def test_history_is_private_to_its_owner() -> None:
    reader = make_user()
    make_work(make_user())
    assert Client().get(f"/users/{reader.username}/readings").status_code == 302
    other = logged_in(make_user())
    assert other.get(f"/users/{reader.username}/readings").status_code == 404
    assert (
        other.post(f"/users/{reader.username}/readings/change", {"change": "clear"}).status_code
        == 404
    )


def test_creators_own_works_and_guests_leave_no_history() -> None:
    creator = make_user()
    work = make_work(creator)
    logged_in(creator).get(f"/works/{work.pk}")
    Client().get(f"/works/{work.pk}")
    assert Reading.objects.count() == 0


def test_turning_history_off_clears_it_and_stops_recording_but_keeps_marks() -> None:
    reader = make_user()
    client = logged_in(reader)
    read, saved = make_work(make_user()), make_work(make_user(), title="For The Train")
    client.get(f"/works/{read.pk}")
    client.post(f"/works/{saved.pk}/mark_for_later", {"return_to": f"/works/{saved.pk}"})
    client.post(f"/users/{reader.username}/readings/change", {"change": "off"})
    reader.refresh_from_db()
    assert not reader.history_enabled
    assert not Reading.objects.filter(user=reader, last_viewed_at__isnull=False).exists()
    client.get(f"/works/{read.pk}")
    assert not Reading.objects.filter(user=reader, work=read).exists()
    assert "For The Train" in history_page(client, reader, "?show=to-read")
    client.post(f"/users/{reader.username}/readings/change", {"change": "on"})
    client.get(f"/works/{read.pk}")
    assert Reading.objects.filter(user=reader, work=read, view_count=1).exists()


def test_clear_and_delete_one() -> None:
    reader = make_user()
    client = logged_in(reader)
    one, two = make_work(make_user()), make_work(make_user())
    client.get(f"/works/{one.pk}")
    client.get(f"/works/{two.pk}")
    change = f"/users/{reader.username}/readings/change"
    client.post(change, {"change": "delete", "work_id": str(one.pk)})
    assert list(Reading.objects.filter(user=reader).values_list("work_id", flat=True)) == [two.pk]
    client.post(change, {"change": "clear"})
    assert Reading.objects.filter(user=reader).count() == 0
    assert client.post(change, {"change": "explode"}).status_code == 400
    assert client.post(change, {"change": "delete", "work_id": "x"}).status_code == 400


def test_mark_for_later_and_as_read_from_the_work_page() -> None:
    reader = make_user()
    client = logged_in(reader)
    work = make_work(make_user(), title="Later Please")
    page = client.get(f"/works/{work.pk}").content.decode()
    assert f'action="/works/{work.pk}/mark_for_later"' in page
    response = client.post(f"/works/{work.pk}/mark_for_later", {"return_to": f"/works/{work.pk}"})
    assert response["Location"] == f"/works/{work.pk}#main"
    assert "Later Please" in history_page(client, reader, "?show=to-read")
    page = client.get(f"/works/{work.pk}").content.decode()
    assert f'action="/works/{work.pk}/mark_as_read"' in page
    client.post(f"/works/{work.pk}/mark_as_read")
    assert "Later Please" not in history_page(client, reader, "?show=to-read")
    # Guests are sent to log in; works one may not see are 404.
    assert Client().post(f"/works/{work.pk}/mark_for_later").status_code == 302
    draft = make_work(make_user(), post=False)
    assert client.post(f"/works/{draft.pk}/mark_for_later").status_code == 404


def test_a_work_hidden_since_drops_out_of_the_history() -> None:
    reader = make_user()
    client = logged_in(reader)
    work = make_work(make_user(), title="Soon Hidden")
    client.get(f"/works/{work.pk}")
    assert "Soon Hidden" in history_page(client, reader)
    Work.objects.filter(pk=work.pk).update(hidden_by_admin=True)
    assert "Soon Hidden" not in history_page(client, reader)
