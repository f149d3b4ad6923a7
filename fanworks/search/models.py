from django.db import models


class SearchOutbox(models.Model):
    """One row per change to a work, written in the transaction that made the change.

    Indexers apply rows in id order and remember the last id they applied, so every replica of
    the search index converges on the database. A work may appear many times; applying it again
    is harmless because the indexer rebuilds the whole document from the database.
    """

    id = models.BigAutoField(primary_key=True)
    work_id = models.BigIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"outbox {self.pk}: work {self.work_id}"
