from django.db import models


class SearchOutbox(models.Model):
    """One row per change to a work, a bookmark or a series, written in the transaction that
    made the change (exactly one of the three ids is set).

    Indexers apply rows in id order and remember the last id they applied, so every replica of
    the search index converges on the database. A work may appear many times; applying it again
    is harmless because the indexer rebuilds the whole document from the database.
    """

    id = models.BigAutoField(primary_key=True)
    work_id = models.BigIntegerField(null=True, blank=True)
    # A bookmark created, edited or deleted, or a series whose parts or creators changed (its
    # bookmarks carry its parts' tags): see search/bookmark_documents.py.
    bookmark_id = models.BigIntegerField(null=True, blank=True)
    series_id = models.BigIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        if self.bookmark_id is not None:
            return f"outbox {self.pk}: bookmark {self.bookmark_id}"
        if self.series_id is not None:
            return f"outbox {self.pk}: series {self.series_id}"
        return f"outbox {self.pk}: work {self.work_id}"
