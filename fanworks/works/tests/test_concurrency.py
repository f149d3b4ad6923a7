"""Races that real servers see: the same form posted twice at once, two tabs saving at once."""

import uuid

import pytest

from fanworks.core.testing import PROSE, make_user, make_work, run_together, work_data
from fanworks.works import actions
from fanworks.works.actions import ChapterData, StaleEdit
from fanworks.works.models import Work

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_parallel_double_submit_creates_one_work():
    user = make_user()
    key = uuid.uuid4()

    def submit(_):
        return actions.work_create(
            user=user,
            data=work_data(user),
            chapter=ChapterData(content=PROSE),
            post=True,
            creation_key=key,
        ).pk

    results, errors = run_together(4, submit)
    assert not errors
    assert len(set(results)) == 1
    assert Work.objects.count() == 1


def test_parallel_edits_from_the_same_version_let_exactly_one_win():
    work = make_work()
    chapter = work.chapters.get()

    def save(index):
        return actions.chapter_update(
            chapter=chapter,
            data=ChapterData(content=f"Edit number {index} of the chapter."),
            expected_version=chapter.version,
        ).content

    results, errors = run_together(4, save)
    assert len(results) == 1
    assert len(errors) == 3 and all(isinstance(e, StaleEdit) for e in errors)
    chapter.refresh_from_db()
    assert chapter.content == results[0] and chapter.version == 2


def test_ratings_survive_a_flushed_database():
    """Transactional tests flush the seeded closed tags; posting must still record the rating."""
    from fanworks.tags.models import Tag

    Tag.objects.all().delete()
    work = make_work(rating="Mature", categories=["F/F"])
    assert set(work.tags.values_list("name", flat=True)) >= {"Mature", "F/F"}
