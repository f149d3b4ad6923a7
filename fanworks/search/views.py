import math
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from fanworks.core.pagination import Page
from fanworks.search.forms import MAX_PAGE, QUERY_PARAM, BadSearch, read_params
from fanworks.search.parser import ParsedQuery, parse
from fanworks.search.query import PER_PAGE, SORTS, Backend, SearchResult, SqlBackend, WorkSearch
from fanworks.works.models import Work
from fanworks.works.queries import visible_works, with_listing_data


def search_backend() -> Backend:
    if settings.SEARCH_BACKEND == "sql":
        return SqlBackend()
    from fanworks.search.indexer import get_index
    from fanworks.search.tantivy_index import TantivyBackend

    return TantivyBackend(get_index())


def build_request(parsed: ParsedQuery, page: int, registered: bool) -> WorkSearch:
    request = WorkSearch(
        text=parsed.root,
        ranges=list(parsed.ranges),
        page=page,
        per_page=PER_PAGE,
        viewer_is_registered=registered,
    )
    if parsed.sort is not None and parsed.sort.field in SORTS:
        request.sort = parsed.sort.field
        request.descending = parsed.sort.descending
    return request


def _works_in_order(request: HttpRequest, result: SearchResult) -> list[Work]:
    """The result's works this viewer may see, in the backend's order. The visibility query
    decides, not the index: a stale index never shows a work that is now hidden."""
    works = with_listing_data(visible_works(request.user).filter(pk__in=result.work_ids))
    by_id = {work.pk: work for work in works}
    return [by_id[pk] for pk in result.work_ids if pk in by_id]


def _page(result: SearchResult, items: list[Work], number: int) -> Page:
    total = result.total
    num_pages = min(max(math.ceil(total / PER_PAGE), 1), MAX_PAGE)
    start = (number - 1) * PER_PAGE
    return Page(
        items=items,
        number=number,
        num_pages=num_pages,
        count=total,
        start_index=start + 1 if items else 0,
        end_index=start + len(items) if items else 0,
    )


def work_search(request: HttpRequest) -> HttpResponse:
    context: dict[str, object] = {"query": "", "query_param": QUERY_PARAM}
    try:
        params = read_params(request.GET)
    except BadSearch as error:
        context["query"] = request.GET.get(QUERY_PARAM, request.GET.get("q", ""))[:1000]
        context["error"] = str(error)
        return render(request, "search/works.html", context, status=400)
    context["query"] = params.query
    if not params.submitted:
        return render(request, "search/works.html", context)
    parsed = parse(params.query, now=timezone.now())
    search = build_request(parsed, params.page, bool(request.user.is_authenticated))
    result = search_backend().search(search)
    items = _works_in_order(request, result)
    context.update(
        searched=True,
        warnings=parsed.warnings,
        total=result.total,
        page=_page(result, items, params.page),
        page_prefix="?" + urlencode({QUERY_PARAM: params.query}) + "&page=",
    )
    return render(request, "search/works.html", context)
