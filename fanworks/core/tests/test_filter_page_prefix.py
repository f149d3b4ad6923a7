"""Page links of filtered listings keep the filters: work search and bookmark filters share
one FilterPagePrefix."""

from fanworks.engagement.bookmark_search import BookmarkFilters, BookmarkSearch
from fanworks.search.forms import Filters
from fanworks.search.query import WorkSearch


def test_work_filters_keep_their_parameters_before_the_page_number() -> None:
    filters = Filters(
        search=WorkSearch(),
        params=[("work_search[language_id]", "de"), ("work_search[complete]", "T")],
    )
    assert filters.page_prefix == (
        "?work_search%5Blanguage_id%5D=de&work_search%5Bcomplete%5D=T&page="
    )


def test_bookmark_filters_keep_their_parameters_before_the_page_number() -> None:
    filters = BookmarkFilters(
        search=BookmarkSearch(), params=[("bookmark_search[rec]", "1"), ("q", "a&b")]
    )
    assert filters.page_prefix == "?bookmark_search%5Brec%5D=1&q=a%26b&page="


def test_unfiltered_listings_link_pages_alone() -> None:
    assert Filters(search=WorkSearch()).page_prefix == "?page="
    assert BookmarkFilters(search=BookmarkSearch()).page_prefix == "?page="
