"""gunicorn settings used by `fanworks serve`: each worker also runs background jobs."""

from typing import Any


def post_worker_init(worker: Any) -> None:
    from django.conf import settings

    if settings.JOBS_IN_SERVER:
        from fanworks.core.jobs import start_background_runner

        start_background_runner()
    if settings.SEARCH_INDEXER_IN_SERVER and settings.SEARCH_BACKEND == "tantivy":
        from fanworks.search.indexer import start_indexer_thread

        start_indexer_thread()
