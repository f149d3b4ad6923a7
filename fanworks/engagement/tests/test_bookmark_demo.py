"""`fanworks demo` fills in bookmarks with a real archive's long tail, keeping each work's
public bookmark count in step with its rows."""

from io import StringIO
from statistics import median

import pytest
from django.core.management import call_command
from django.db.models import Count, Exists, F, OuterRef, Q

from fanworks.core.testing import restart_id_sequences
from fanworks.engagement.models import Bookmark, BookmarkTag, ExternalWork
from fanworks.works.models import Creatorship, SeriesCreatorship, SeriesWork, Work

pytestmark = pytest.mark.django_db


def run_demo(works: int) -> None:
    call_command("demo", "--works", str(works), stdout=StringIO())


def test_demo_bookmarks_are_long_tailed_varied_and_counted() -> None:
    # Which series a 120-work demo makes, and which of them readers bookmark, follows the
    # ids: the same ones in every run, whatever ran before on PostgreSQL.
    restart_id_sequences()
    run_demo(120)
    bookmarks = Bookmark.objects.all()
    assert bookmarks.count() > 50
    per_work = list(
        Work.objects.filter(posted=True).annotate(n=Count("bookmarks")).values_list("n", flat=True)
    )
    assert max(per_work) >= 4 * max(median(per_work), 1)  # a long tail, not a flat spread
    assert bookmarks.filter(private=True).exists() and bookmarks.filter(private=False).exists()
    assert bookmarks.filter(rec=True).exists()
    assert bookmarks.exclude(notes_html="").exists()
    assert BookmarkTag.objects.values("tag").distinct().count() >= 5
    assert ExternalWork.objects.exists()
    assert bookmarks.filter(external_work__isnull=False).exists()
    assert not bookmarks.filter(work__posted=False).exists()
    # Nobody bookmarks their own demo work, and every count matches the public rows.
    own = Creatorship.objects.filter(
        work_id=OuterRef("work_id"), pseud__user_id=OuterRef("user_id")
    )
    assert not bookmarks.filter(Exists(own)).exists()
    mismatched = Work.objects.annotate(
        public=Count("bookmarks", filter=Q(bookmarks__private=False))
    ).exclude(bookmark_count=F("public"))
    assert not mismatched.exists()

    # Some bookmarks are of series, never by the series' own creators, and every series
    # bookmarked has a work readers may see.
    of_series = bookmarks.filter(series__isnull=False)
    assert of_series.exists()
    assert of_series.filter(private=False).exists()
    assert BookmarkTag.objects.filter(bookmark__series__isnull=False).exists()
    by_creator = SeriesCreatorship.objects.filter(
        series_id=OuterRef("series_id"), pseud__user_id=OuterRef("user_id")
    )
    assert not of_series.filter(Exists(by_creator)).exists()
    seen_part = SeriesWork.objects.filter(
        series_id=OuterRef("series_id"), work__posted=True, work__hidden_by_admin=False
    )
    assert not of_series.exclude(Exists(seen_part)).exists()

    before = (Bookmark.objects.count(), BookmarkTag.objects.count(), ExternalWork.objects.count())
    run_demo(120)
    assert (
        Bookmark.objects.count(),
        BookmarkTag.objects.count(),
        ExternalWork.objects.count(),
    ) == before
