"""Parallel submits of the bookmark form make one bookmark, on the real database with real
connections (SQLite here, PostgreSQL with DATABASE_URL)."""

import pytest
from django.test import Client

from fanworks.core.testing import make_user, make_work, run_together
from fanworks.engagement.actions import (
    BookmarkData,
    ExternalWorkData,
    bookmark_save,
    external_bookmark_save,
)
from fanworks.engagement.models import Bookmark, ExternalWork

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_parallel_bookmarks_of_one_work_by_one_reader_make_one() -> None:
    work = make_work(make_user())
    reader = make_user()
    pseud = reader.pseuds.get()
    results, errors = run_together(
        6,
        lambda n: bookmark_save(
            user=reader,
            pseud=pseud,
            data=BookmarkData(notes=f"try {n}", tag_names=["race", f"t{n}"]),
            work=work,
        ),
    )
    assert errors == []
    assert len({bookmark.pk for bookmark in results}) == 1
    bookmark = Bookmark.objects.get()
    work.refresh_from_db()
    assert work.bookmark_count == 1
    # Whichever submit came last wins whole: its notes with its own tags.
    n = bookmark.notes.removeprefix("try ")
    assert sorted(bookmark.tags.values_list("name", flat=True)) == ["race", f"t{n}"]


def test_parallel_form_posts_make_one_bookmark() -> None:
    work = make_work(make_user())
    reader = make_user()

    def submit(n: int) -> int:
        client = Client()
        client.force_login(reader)
        response = client.post(
            f"/works/{work.pk}/bookmarks", {"bookmark[notes]": f"n{n}", "bookmark[rec]": "1"}
        )
        return response.status_code

    results, errors = run_together(4, submit)
    assert errors == []
    assert results == [302] * 4
    assert Bookmark.objects.count() == 1
    work.refresh_from_db()
    assert work.bookmark_count == 1


def test_parallel_external_bookmarks_of_one_address_share_one_external_work() -> None:
    readers = [make_user() for _ in range(4)]
    pseuds = [reader.pseuds.get() for reader in readers]
    results, errors = run_together(
        4,
        lambda n: external_bookmark_save(
            user=readers[n],
            pseud=pseuds[n],
            external=ExternalWorkData(url="https://example.org/x", title="X", creator="Y"),
            data=BookmarkData(),
        ),
    )
    assert errors == []
    assert len({bookmark.pk for bookmark in results}) == 4
    assert {bookmark.external_work_id for bookmark in results} == {ExternalWork.objects.get().pk}
    assert Bookmark.objects.count() == 4
