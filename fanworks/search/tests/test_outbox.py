from typing import Any

import pytest
from django.db import transaction

from fanworks.core.testing import make_user, make_work, work_data
from fanworks.search.models import SearchOutbox
from fanworks.search.outbox import record_work_changes
from fanworks.tags.models import Tag
from fanworks.tags.wrangling import tag_make_canonical, tag_make_synonym
from fanworks.works import actions
from fanworks.works.actions import ChapterData
from fanworks.works.models import Chapter, Work

pytestmark = pytest.mark.django_db

MORE = "Another chapter of harbour lights and quiet water under the pier."


def outbox_after(last: int) -> list[int]:
    """The works queued after outbox row `last` (bookmark and series rows left out)."""
    rows = SearchOutbox.objects.filter(pk__gt=last, work_id__isnull=False)
    return [pk for pk in rows.values_list("work_id", flat=True) if pk is not None]


def last_id() -> int:
    return SearchOutbox.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def test_record_work_changes_bulk_inserts_each_work_once() -> None:
    record_work_changes([3, 1, 3, 2])
    assert sorted(outbox_after(0)) == [1, 2, 3]
    record_work_changes([])
    assert SearchOutbox.objects.count() == 3


def test_every_work_action_writes_the_outbox() -> None:
    user = make_user()
    mark = last_id()
    work = make_work(user, post=False)
    assert set(outbox_after(mark)) == {work.pk}

    steps = [
        lambda w: actions.work_update(
            user=user, work=w, data=work_data(user, title="New"), expected_version=w.version
        ),
        lambda w: actions.work_post(work=w),
        lambda w: actions.chapter_create(work=w, data=ChapterData(content=MORE), post=False),
        lambda w: actions.chapter_post(chapter=w.chapters.get(position=2)),
        lambda w: actions.chapter_update(
            chapter=w.chapters.get(position=2),
            data=ChapterData(content=MORE + " Changed."),
            expected_version=w.chapters.get(position=2).version,
        ),
        lambda w: actions.chapters_reorder(
            work=w, ordered_ids=list(w.chapters.order_by("-position").values_list("pk", flat=True))
        ),
        lambda w: actions.chapter_delete(chapter=w.chapters.get(position=1)),
        lambda w: actions.work_delete(work=w),
    ]
    for step in steps:
        mark = last_id()
        step(Work.objects.get(pk=work.pk))
        assert set(outbox_after(mark)) == {work.pk}, step
    assert not Work.objects.filter(pk=work.pk).exists()
    assert not Chapter.objects.filter(work_id=work.pk).exists()


def test_hiding_a_work_in_the_admin_writes_the_outbox(admin_client: Any) -> None:
    work = make_work()
    mark = last_id()
    response = admin_client.post(f"/admin/works/work/{work.pk}/change/", {"hidden_by_admin": "on"})
    assert response.status_code == 302
    work.refresh_from_db()
    assert work.hidden_by_admin
    assert outbox_after(mark) == [work.pk]


def test_rolled_back_action_writes_nothing() -> None:
    user = make_user()
    work = make_work(user)
    mark = last_id()

    class Boom(Exception):
        pass

    with pytest.raises(Boom), transaction.atomic():
        actions.work_update(
            user=user, work=work, data=work_data(user, title="Gone"), expected_version=work.version
        )
        actions.chapter_create(work=work, data=ChapterData(content=MORE), post=True)
        assert set(outbox_after(mark)) == {work.pk}
        raise Boom
    assert outbox_after(mark) == []
    work.refresh_from_db()
    assert work.title == "Harbour Lights"


def test_refilter_records_works_whose_filters_change() -> None:
    wrangler = make_user()
    wrangler.is_staff = True
    wrangler.save()
    a = make_work(freeforms=["Fluff"])
    b = make_work(freeforms=["fluffy"])
    make_work(freeforms=["Angst"])
    fluff = Tag.objects.get(name="Fluff")
    fluffy = Tag.objects.get(name="fluffy")
    mark = last_id()
    tag_make_canonical(actor=wrangler, tag=fluff)
    assert set(outbox_after(mark)) == {a.pk}
    mark = last_id()
    tag_make_synonym(actor=wrangler, tag=fluffy, canonical=fluff)
    assert set(outbox_after(mark)) == {b.pk}
