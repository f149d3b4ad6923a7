from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from fanworks.search.forms import QUERY_PARAM, BadSearch, read_params
from fanworks.search.parser import ParsedQuery, parse
from fanworks.search.queries import search_page
from fanworks.search.query import PER_PAGE, SORTS, WorkSearch


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
    result, page = search_page(request.user, search)
    context.update(
        searched=True,
        warnings=parsed.warnings,
        total=result.total,
        page=page,
        page_prefix="?" + urlencode({QUERY_PARAM: params.query}) + "&page=",
    )
    return render(request, "search/works.html", context)
