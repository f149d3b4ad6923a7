"""The search outbox: every change to a work, a bookmark or a series leaves a row here in the
same transaction.

Saving or deleting a `Work` or `Chapter` records the work through model signals (so admin edits
such as hiding a work count too); `refilter_works` records the works whose filter rows it
rewrote. Bulk `.update()` calls bypass signals, which is why every work action ends by saving
the work itself.
"""

from collections.abc import Iterable

from fanworks.search.models import SearchOutbox


def record_work_changes(work_ids: Iterable[int]) -> None:
    """Queue these works for re-indexing (one bulk insert; call inside the change's transaction)."""
    ids = sorted({int(pk) for pk in work_ids if pk is not None})
    if ids:
        SearchOutbox.objects.bulk_create([SearchOutbox(work_id=pk) for pk in ids], batch_size=500)


def record_bookmark_changes(bookmark_ids: Iterable[int]) -> None:
    """Queue these bookmarks for re-indexing: one created, edited or deleted (call inside the
    change's transaction). Changes to the bookmarked work reach its bookmarks through the
    work's own row (TantivyIndex.apply)."""
    ids = sorted({int(pk) for pk in bookmark_ids if pk is not None})
    if ids:
        SearchOutbox.objects.bulk_create(
            [SearchOutbox(bookmark_id=pk) for pk in ids], batch_size=500
        )


def record_series_changes(series_ids: Iterable[int]) -> None:
    """Queue the bookmarks of these series for re-indexing: a part added or removed, the
    series deleted (its bookmarks go with it) or its creators changed."""
    ids = sorted({int(pk) for pk in series_ids if pk is not None})
    if ids:
        SearchOutbox.objects.bulk_create([SearchOutbox(series_id=pk) for pk in ids], batch_size=500)
