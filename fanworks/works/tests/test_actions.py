import uuid

import pytest
from django.core.exceptions import ValidationError

from fanworks.core.testing import PROSE, make_user, make_work, work_data
from fanworks.tags.models import Tag
from fanworks.works import actions
from fanworks.works.actions import ChapterData, StaleEdit
from fanworks.works.models import Chapter, Work

pytestmark = pytest.mark.django_db


def test_work_create_saves_work_chapter_tags_and_counts():
    user = make_user("writer")
    work = make_work(
        user,
        title="Salt and Iron",
        relationships=["Mira/Tomas"],
        characters=["Mira", "Tomas"],
        freeforms=["Slow Burn", "Harbour Town"],
        categories=["F/M"],
        expected_chapters=3,
    )
    work.refresh_from_db()
    assert work.posted and work.first_posted_at and work.revised_at
    assert work.posted_chapter_count == 1
    assert work.word_count == Chapter.objects.get(work=work).word_count == 30
    names = set(work.tags.values_list("name", flat=True))
    assert {"General Audiences", "No Archive Warnings Apply", "F/M", "Mira/Tomas"} <= names
    assert work.pseuds.get() == user.pseuds.get(is_default=True)
    assert work.chapters_display == "1/3" and not work.is_complete


def test_draft_work_is_not_posted_until_work_post():
    work = make_work(post=False)
    assert not work.posted and work.first_posted_at is None
    assert not work.chapters.get().posted
    posted = actions.work_post(work=work)
    assert posted.posted and posted.chapters.get().posted and posted.posted_chapter_count == 1


def test_same_creation_key_creates_one_work():
    user = make_user()
    key = uuid.uuid4()
    first = actions.work_create(
        user=user,
        data=work_data(user),
        chapter=ChapterData(content=PROSE),
        post=True,
        creation_key=key,
    )
    second = actions.work_create(
        user=user,
        data=work_data(user),
        chapter=ChapterData(content=PROSE),
        post=True,
        creation_key=key,
    )
    assert first.pk == second.pk
    assert Work.objects.count() == 1


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"title": ""}, "title"),
        ({"title": "x" * 256}, "title"),
        ({"summary": "x" * 1251}, "summary"),
        ({"notes": "x" * 5001}, "notes"),
        ({"endnotes": "x" * 5001}, "endnotes"),
        ({"rating": "Very Spicy"}, "rating"),
        ({"warnings": []}, "warnings"),
        ({"fandoms": []}, "fandoms"),
        ({"freeforms": [f"tag {n}" for n in range(75)]}, "freeforms"),
        ({"freeforms": ["bad<tag>"]}, "freeforms"),
        ({"freeforms": ["y" * 151]}, "freeforms"),
        ({"characters": ["one%two"]}, "characters"),
        ({"expected_chapters": 0}, "expected_chapters"),
        ({"summary": "<div>" * 600}, "summary"),
    ],
)
def test_work_create_refuses_bad_metadata_and_saves_nothing(overrides, field):
    user = make_user()
    tags_before = Tag.objects.count()
    with pytest.raises(ValidationError) as problem:
        actions.work_create(
            user=user,
            data=work_data(user, **overrides),
            chapter=ChapterData(content=PROSE),
            post=True,
        )
    assert field in problem.value.message_dict
    assert Work.objects.count() == 0
    assert Tag.objects.count() == tags_before


@pytest.mark.parametrize("content", ["too short", "x" * 510_001, "<div>" * 513 + "text"])
def test_chapter_text_limits(content):
    user = make_user()
    with pytest.raises(ValidationError) as problem:
        actions.work_create(
            user=user, data=work_data(user), chapter=ChapterData(content=content), post=True
        )
    assert "content" in problem.value.message_dict
    assert Work.objects.count() == 0


def test_a_tag_name_cannot_change_type():
    user = make_user()
    make_work(user, fandoms=["Tidewater Chronicles"], characters=["Mira"])
    with pytest.raises(ValidationError) as problem:
        make_work(user, fandoms=["Mira"])
    assert "already a Character tag" in problem.value.message_dict["fandoms"][0]


def test_cannot_credit_another_users_pseud():
    owner, other = make_user(), make_user()
    with pytest.raises(ValidationError):
        actions.work_create(
            user=owner,
            data=work_data(owner, pseud_ids=[other.pseuds.get().pk]),
            chapter=ChapterData(content=PROSE),
            post=True,
        )
    assert Work.objects.count() == 0


def test_stale_work_edit_is_refused_and_changes_nothing():
    user = make_user()
    work = make_work(user, title="Original")
    actions.work_update(
        user=user,
        work=work,
        data=work_data(user, title="First edit"),
        expected_version=work.version,
    )
    with pytest.raises(StaleEdit) as conflict:
        actions.work_update(
            user=user,
            work=work,
            data=work_data(user, title="Second edit"),
            expected_version=work.version,
        )
    assert conflict.value.current.title == "First edit"
    work.refresh_from_db()
    assert work.title == "First edit"


def test_stale_chapter_edit_is_refused_and_changes_nothing():
    work = make_work()
    chapter = work.chapters.get()
    actions.chapter_update(
        chapter=chapter,
        data=ChapterData(content="Tab one's new words."),
        expected_version=chapter.version,
    )
    with pytest.raises(StaleEdit):
        actions.chapter_update(
            chapter=chapter,
            data=ChapterData(content="Tab two's words."),
            expected_version=chapter.version,
        )
    chapter.refresh_from_db()
    assert chapter.content == "Tab one's new words."
    assert chapter.version == 2


def test_chapters_add_reorder_delete_keep_counts_and_positions():
    work = make_work(expected_chapters=3)
    second = actions.chapter_create(work=work, data=ChapterData(content="Second " * 10), post=True)
    third = actions.chapter_create(work=work, data=ChapterData(content="Third " * 20), post=True)
    work.refresh_from_db()
    assert work.posted_chapter_count == 3 and work.is_complete
    first = work.chapters.get(position=1)
    actions.chapters_reorder(work=work, ordered_ids=[third.pk, first.pk, second.pk])
    assert list(work.chapters.order_by("position").values_list("pk", flat=True)) == [
        third.pk,
        first.pk,
        second.pk,
    ]
    actions.chapter_delete(chapter=first)
    work.refresh_from_db()
    assert list(work.chapters.order_by("position").values_list("position", flat=True)) == [1, 2]
    assert work.posted_chapter_count == 2
    assert work.word_count == 30


def test_reorder_must_name_every_chapter_once():
    work = make_work()
    actions.chapter_create(work=work, data=ChapterData(content="Second " * 10), post=True)
    only = work.chapters.get(position=1)
    with pytest.raises(ValidationError):
        actions.chapters_reorder(work=work, ordered_ids=[only.pk, only.pk])


def test_last_chapter_cannot_be_deleted():
    work = make_work()
    with pytest.raises(ValidationError):
        actions.chapter_delete(chapter=work.chapters.get())
    assert work.chapters.count() == 1


def test_draft_chapter_does_not_count_until_posted():
    work = make_work()
    draft = actions.chapter_create(work=work, data=ChapterData(content="Later " * 5), post=False)
    work.refresh_from_db()
    assert work.posted_chapter_count == 1
    actions.chapter_post(chapter=draft)
    work.refresh_from_db()
    assert work.posted_chapter_count == 2


def test_rich_text_keeps_raw_and_sanitised_versions():
    work = make_work(summary="<b>Bold</b><script>alert(1)</script>")
    assert work.summary == "<b>Bold</b><script>alert(1)</script>"
    assert "<script" not in work.summary_html and "<b>Bold</b>" in work.summary_html
    assert work.sanitizer_version >= 1


def test_cjk_work_counts_characters():
    work = make_work(content="她看着港口的灯光。船还没有回来。", language="zh")
    assert work.word_count == 14
