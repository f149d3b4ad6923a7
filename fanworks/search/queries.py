"""Reads for search: run a WorkSearch on the configured backend and load what the viewer may see."""

import math
from typing import Any

from django.conf import settings

from fanworks.core.pagination import Page
from fanworks.search.forms import MAX_PAGE
from fanworks.search.query import Backend, SearchResult, SqlBackend, WorkSearch
from fanworks.works.queries import visible_works, with_listing_data


def search_backend() -> Backend:
    if settings.SEARCH_BACKEND == "sql":
        return SqlBackend()
    from fanworks.search.indexer import get_index
    from fanworks.search.tantivy_index import TantivyBackend

    return TantivyBackend(get_index())


def search_page(viewer: Any, search: WorkSearch) -> tuple[SearchResult, Page]:
    """The backend's result and the page of works to show.

    The backend finds ids, counts and facets; the visibility query loads the works, so a stale
    index never shows a work that is now hidden.
    """
    result = search_backend().search(search)
    works = with_listing_data(visible_works(viewer).filter(pk__in=result.work_ids))
    by_id = {work.pk: work for work in works}
    items = [by_id[pk] for pk in result.work_ids if pk in by_id]
    num_pages = min(max(math.ceil(result.total / search.per_page), 1), MAX_PAGE)
    start = (search.page - 1) * search.per_page
    page = Page(
        items=items,
        number=search.page,
        num_pages=num_pages,
        count=result.total,
        start_index=start + 1 if items else 0,
        end_index=start + len(items) if items else 0,
    )
    return result, page
