"""The worker processes of a parallel index build (see index_build.py).

A worker is a fresh interpreter that imports this module before Django is set up, so nothing
here may import a model at module level: `start` sets Django up, then imports what it needs.
"""

import gc
import os
from typing import Any

# Set by `start`: builds the documents of an id range as JSON lines, with the tags read so far
# kept for all the worker's batches; or the error that stopped the start.
_build: Any = None
_failed: BaseException | None = None


def start(database_name: Any) -> None:
    """Django's settings and apps, and the parent's database (under tests, say, that is not
    the one the settings name). An error is kept for `batch` to raise: an initializer that
    fails would only make the pool start another worker, and another."""
    global _build, _failed
    try:
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fanworks.settings")
        import django
        from django.conf import settings

        django.setup()
        settings.DATABASES["default"]["NAME"] = database_name

        from fanworks.search.documents import TagNames, work_documents_between
        from fanworks.search.tantivy_index import tantivy_json

        tags = TagNames()

        def build(first: int, last: int) -> list[str]:
            return [tantivy_json(doc) for doc in work_documents_between(first, last, tags)]

        _build = build
        # As in the parent: documents hold no cycles, and collecting costs time.
        gc.disable()
    except BaseException as error:
        _failed = error


def batch(first: int, last: int) -> list[str]:
    """JSON lines (tantivy_json) of the posted works with ids from `first` to `last`."""
    if _failed is not None:
        raise RuntimeError(f"the index build's worker could not start: {_failed!r}")
    result: list[str] = _build(first, last)
    return result
