from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from fanworks.search.edit_form import edit_search_context
from fanworks.search.filters import run_filters, sidebar_context
from fanworks.search.forms import QUERY_PARAM, BadSearch, Filters, has_filters
from fanworks.search.query import WorkSearch
from fanworks.search.snippets import attach_snippets

ACTION = "/works/search"


def work_search(request: HttpRequest) -> HttpResponse:
    """AO3's work search: the query and the search form's fields, with the filter sidebar.

    Best match is the default order once there is text to match; otherwise date updated.
    """
    if not (has_filters(request.GET) or "q" in request.GET):
        blank = Filters(WorkSearch(sort="relevance"))
        return render(request, "search/works.html", edit_search_context(blank))
    try:
        filters, result, page = run_filters(request, default_sort="relevance")
    except BadSearch as error:
        context = edit_search_context(Filters(WorkSearch()))
        context["query"] = request.GET.get(QUERY_PARAM, request.GET.get("q", ""))[:1000]
        context["error"] = str(error)
        return render(request, "search/works.html", context, status=400)
    attach_snippets(page.items, filters.search.text)
    context = sidebar_context(filters, result, ACTION, with_query=True)
    context.update(edit_search_context(filters))
    context.update(
        searched=True,
        warnings=filters.warnings,
        total=result.total,
        page=page,
        page_prefix=filters.page_prefix,
    )
    return render(request, "search/works.html", context)
