"""People search and tag search pages (AO3's /people/search and /tags/search).

Both read a GET form. Until one of its fields is in the request, the page shows the empty
form. Bad input answers 400 with the form filled in and the reason beside the field it
concerns (the page number's reason sits in the summary above the form).
"""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from fanworks.search import people, tag_search


@require_http_methods(["GET", "HEAD"])
def people_search(request: HttpRequest) -> HttpResponse:
    form = people.PeopleSearchForm(request.GET)
    if not form.submitted():
        return render(request, "search/people.html", {"form": people.PeopleSearchForm()})
    page_number, page_error = people.read_page(request.GET, people.MAX_PAGE)
    context: dict[str, object] = {"form": form, "page_error": page_error}
    if not form.is_valid() or page_error:
        return render(request, "search/people.html", context, status=400)
    if form.is_empty():
        return render(request, "search/people.html", {**context, "empty": True})
    search = people.PeopleSearch(
        name=form.cleaned_data["name"],
        query=form.cleaned_data["query"],
        fandoms=form.fandoms,
        page=page_number,
    )
    context.update(
        searched=True,
        page=people.search_people(request.user, search),
        page_prefix=people.page_prefix(form),
    )
    return render(request, "search/people.html", context)


@require_http_methods(["GET", "HEAD"])
def tags_search(request: HttpRequest) -> HttpResponse:
    form = tag_search.TagSearchForm(request.GET)
    if not form.submitted():
        return render(request, "search/tags.html", {"form": tag_search.TagSearchForm()})
    page_number, page_error = people.read_page(request.GET, tag_search.MAX_PAGE)
    context: dict[str, object] = {"form": form, "page_error": page_error}
    if not form.is_valid() or page_error:
        return render(request, "search/tags.html", context, status=400)
    search = tag_search.TagSearch.from_form(form, page_number)
    context.update(
        searched=True,
        page=tag_search.search_tags(request.user, search),
        page_prefix=people.page_prefix(form),
    )
    return render(request, "search/tags.html", context)
