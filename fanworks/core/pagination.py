"""One paginator for every listing, so page sizes and bad page numbers behave the same."""

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.core.paginator import EmptyPage, Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest

PER_PAGE = 20


@dataclass(frozen=True)
class Page:
    items: list[Any]
    number: int
    num_pages: int
    count: int
    start_index: int
    end_index: int

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.num_pages

    @property
    def page_range(self) -> list[int | None]:
        """Page numbers to link, with None where a run of pages is skipped."""
        shown: list[int | None] = []
        for n in range(1, self.num_pages + 1):
            if n <= 2 or n > self.num_pages - 2 or abs(n - self.number) <= 2:
                shown.append(n)
            elif shown and shown[-1] is not None:
                shown.append(None)
        return shown


def requested_page(request: HttpRequest, param: str = "page") -> int:
    """The page number asked for in the query string (`param`, for a page with two listings)."""
    try:
        number = int(request.GET.get(param, "1"))
    except ValueError:
        raise Http404("No such page") from None
    if number < 1:
        raise Http404("No such page")
    return number


def page_prefix(request: HttpRequest, param: str = "page") -> str:
    """The start of a link to another page of one listing, the number to follow: the current
    query string without `param`, so a page with two listings keeps the other one's page."""
    query = request.GET.copy()
    query.pop(param, None)
    kept = query.urlencode()
    return f"?{kept}&{param}=" if kept else f"?{param}="


class FilterPagePrefix:
    """For a filter form's reading of the request: `page_prefix` starts a link to another page
    of the same results, keeping the filters (`params`) and ending in `page=`."""

    # The filter parameters to keep in page links, in the order the form shows them.
    params: list[tuple[str, str]]

    @property
    def page_prefix(self) -> str:
        query = urlencode(self.params)
        return f"?{query}&page=" if query else "?page="


def paginate(queryset: QuerySet[Any], number: int, per_page: int = PER_PAGE) -> Page:
    paginator = Paginator(queryset, per_page, allow_empty_first_page=True)
    try:
        page = paginator.page(number)
    except EmptyPage:
        raise Http404("No such page") from None
    count = paginator.count
    return Page(
        items=list(page.object_list),
        number=page.number,
        num_pages=paginator.num_pages,
        count=count,
        start_index=page.start_index() if count else 0,
        end_index=page.end_index() if count else 0,
    )
