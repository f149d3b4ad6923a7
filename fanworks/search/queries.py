"""Reads for search: run a WorkSearch on the configured backend and load what the viewer may see."""

import math
from typing import Any

from django.conf import settings
from django.http import Http404

from fanworks.accounts.queries import muted_pseud_ids
from fanworks.core.pagination import Page
from fanworks.search.forms import MAX_PAGE
from fanworks.search.query import Backend, SearchResult, SqlBackend, WorkSearch
from fanworks.tags.models import CATEGORIES, RATINGS, WARNINGS, Tag, TagType
from fanworks.works.queries import visible_works, with_listing_data


def search_backend() -> Backend:
    if settings.SEARCH_BACKEND == "sql":
        return SqlBackend()
    from fanworks.search.indexer import get_index
    from fanworks.search.tantivy_index import TantivyBackend

    index = get_index()
    if not index.ready:
        # No index of this version yet (new server, or an upgrade changed the documents): the
        # indexer thread is building one; the database answers until it is current.
        return SqlBackend()
    return TantivyBackend(index)


def search_page(viewer: Any, search: WorkSearch) -> tuple[SearchResult, Page]:
    """The backend's result and the page of works to show.

    The backend finds ids, counts and facets; the visibility query loads the works, so a stale
    index never shows a work that is now hidden.
    """
    result = search_backend().search(search)
    return result, result_page(viewer, search, result, max_pages=MAX_PAGE)


def result_page(
    viewer: Any, search: WorkSearch, result: SearchResult, *, max_pages: int | None
) -> Page:
    """The works of `result` that `viewer` may see, in the backend's order, as a Page."""
    works = with_listing_data(visible_works(viewer).filter(pk__in=result.work_ids), viewer)
    by_id = {work.pk: work for work in works}
    items = [by_id[pk] for pk in result.work_ids if pk in by_id]
    num_pages = max(math.ceil(result.total / search.per_page), 1)
    if max_pages is not None:
        num_pages = min(num_pages, max_pages)
    start = (search.page - 1) * search.per_page
    page = Page(
        items=items,
        number=search.page,
        num_pages=num_pages,
        count=result.total,
        start_index=start + 1 if items else 0,
        end_index=start + len(items) if items else 0,
    )
    return page


def indexed_listing_page(viewer: Any, tag_id: int | None, number: int) -> Page | None:
    """Page `number` of a canonical tag's works (or, with no tag, of every work) by date
    updated, without filters or facets, from the search index: what the database pages through
    slowly for a big tag or the whole archive (a count and an offset over many rows). None when
    the index cannot be trusted to answer as the database would: no index (or the SQL backend),
    an index still being built, or, for a tag, a re-filter job under way (the index catches up
    with the filter table only after it).

    Numbers past the last page raise Http404, as the database listing does.
    """
    from fanworks.tags.filters import filters_settling

    if number > MAX_PAGE:
        return None
    from fanworks.search.tantivy_index import TantivyBackend

    backend = search_backend()
    if not isinstance(backend, TantivyBackend):
        return None
    if tag_id is not None and filters_settling():
        return None
    search = WorkSearch(
        include_filter_ids=[] if tag_id is None else [tag_id],
        page=number,
        viewer_is_registered=bool(viewer.is_authenticated),
        exclude_pseud_ids=muted_pseud_ids(viewer),
    )
    result = backend.search(search, facets=False)
    page = result_page(viewer, search, result, max_pages=None)
    if number > page.num_pages:
        raise Http404("No such page")
    return page


def tags_by_id(tag_ids: set[int]) -> dict[int, dict[str, Any]]:
    """Name and type of these tags, in one query (none when there are no ids)."""
    if not tag_ids:
        return {}
    rows = Tag.objects.filter(pk__in=tag_ids).values("pk", "name", "type")
    return {row["pk"]: dict(row) for row in rows}


def closed_tag_choices() -> dict[str, list[tuple[int, str]]]:
    """The ratings, warnings and categories a search form offers: (filter id, name) per type,
    in one query. Their filter is the canonical tag (they are canonical from the start)."""
    wanted = (TagType.RATING, TagType.WARNING, TagType.CATEGORY)
    choices: dict[str, list[tuple[int, str]]] = {t: [] for t in wanted}
    rows = Tag.objects.filter(type__in=wanted, canonical=True).order_by("pk")
    for pk, name, tag_type in rows.values_list("pk", "name", "type"):
        choices[tag_type].append((pk, name))
    # In the order the posting form lists them; a renamed one goes last.
    listed = {name: i for i, name in enumerate(RATINGS + WARNINGS + CATEGORIES)}
    for pairs in choices.values():
        pairs.sort(key=lambda pair: (listed.get(pair[1], len(listed)), pair[0]))
    return choices
