from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render

from fanworks.core.pagination import paginate, requested_page
from fanworks.tags import autocomplete as tag_autocomplete
from fanworks.tags import queries, views_pages
from fanworks.works import queries as work_queries


def tag_works(request: HttpRequest, url_name: str) -> HttpResponse:
    tag = queries.tag_by_url_name(url_name)
    if tag is None:
        raise Http404("No such tag")
    shown = tag.synonym_of if tag.synonym_of_id and tag.synonym_of else tag
    if shown != tag:
        return redirect(shown.get_absolute_url())
    from fanworks.search import filters
    from fanworks.search.queries import indexed_listing_page

    action = tag.get_absolute_url()
    if tag.canonical and filters.has_filters(request.GET):
        context, status = filters.filtered_listing(request, action=action, base_tag_id=tag.pk)
        context["tag"] = tag
        return render(request, "tags/works.html", context, status=status)
    number = requested_page(request)
    # A canonical tag's works come from the search index when it can answer (see
    # indexed_listing_page); otherwise, and for tags not wrangled yet, from the database.
    page = indexed_listing_page(request.user, tag.pk, number) if tag.canonical else None
    if page is None:
        page = paginate(work_queries.works_tagged(request.user, tag), number)
    context = filters.plain_sidebar(request, action) if tag.canonical else {"page_prefix": "?page="}
    context.update(tag=tag, page=page)
    return render(request, "tags/works.html", context)


def tag_show(request: HttpRequest, url_name: str) -> HttpResponse:
    return views_pages.tag_show(request, url_name)


def fandom_index(request: HttpRequest) -> HttpResponse:
    return views_pages.fandom_index(request)


def autocomplete(request: HttpRequest) -> JsonResponse:
    """/autocomplete/tags?type=TYPE&term=TEXT[&fandom=NAME…]: suggestions for a tag field
    (see tags.autocomplete). Bad input answers an empty list, never an error."""
    fandoms = [
        name.strip()
        for value in request.GET.getlist("fandom")[: tag_autocomplete.MAX_FANDOMS * 2]
        for name in value.split(",")
        if name.strip()
    ]
    suggestions = tag_autocomplete.autocomplete(
        request.GET.get("term", ""), request.GET.get("type", ""), fandoms=fandoms
    )
    return JsonResponse({"results": [suggestion.as_json() for suggestion in suggestions]})
