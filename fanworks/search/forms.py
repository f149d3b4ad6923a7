"""Reading the work search request: AO3's ``work_search[query]`` (or ``q``) and ``page``."""

from dataclasses import dataclass

from django.http import QueryDict

QUERY_PARAM = "work_search[query]"
MAX_REQUEST_QUERY = 10_000
MAX_PAGE = 5_000


class BadSearch(ValueError):
    """A request we refuse with 400 and this message."""


@dataclass(frozen=True)
class SearchParams:
    query: str
    page: int
    submitted: bool


def read_params(data: QueryDict) -> SearchParams:
    submitted = QUERY_PARAM in data or "q" in data
    query = data.get(QUERY_PARAM)
    if query is None:
        query = data.get("q", "")
    if len(query) > MAX_REQUEST_QUERY:
        raise BadSearch(
            f"That search is too long: queries may have at most {MAX_REQUEST_QUERY:,} characters."
        )
    raw_page = data.get("page", "1").strip() or "1"
    if not raw_page.isdigit() or len(raw_page) > 9 or int(raw_page) < 1:
        raise BadSearch("That is not a page number.")
    page = int(raw_page)
    if page > MAX_PAGE:
        raise BadSearch(
            f"Search results stop at page {MAX_PAGE:,}. Please narrow your search to see more."
        )
    return SearchParams(query=query.strip(), page=page, submitted=submitted)
