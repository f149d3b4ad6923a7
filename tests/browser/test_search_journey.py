"""A reader searches chapter text, sees where each work matched, and narrows the results."""

import re

from playwright.sync_api import BrowserContext, Locator, Page, expect

from fanworks.core.testing import make_user, make_work
from fanworks.search.indexer import get_index, run_round
from fanworks.tags import wrangling
from fanworks.tags.models import Tag
from fanworks.works.models import Work

from .pages import BasePage


class SearchPage(BasePage):
    def open(self) -> "SearchPage":
        self.page.goto("/works/search")
        expect(self.page.get_by_role("heading", name="Search works", level=2)).to_be_visible()
        return self

    def search(self, query: str) -> None:
        self.page.get_by_role("searchbox", name="Search works").fill(query)
        self.page.get_by_role("search").get_by_role("button", name="Search").click()

    def results(self) -> Locator:
        return self.page.locator("li.work.blurb h4.heading > a:first-child")

    def exclude(self, tag_name: str) -> None:
        facet = self.filters.locator("li").filter(has_text=tag_name)
        facet.get_by_label("Exclude").check()

    @property
    def filters(self) -> Locator:
        return self.page.get_by_role("form", name="Sort and filter works")

    def sort_by(self, label: str) -> None:
        self.filters.get_by_label("Sort by").select_option(label=label)

    def apply_filters(self) -> None:
        self.filters.get_by_role("button", name="Sort and Filter").click()


def test_reader_finds_chapter_text_sees_the_snippet_and_narrows_the_results(page: Page) -> None:
    writer = make_user("lamplighter")
    glowing = make_work(
        writer,
        title="Tidepool Nights",
        freeforms=["Fluff"],
        content="<p>The water was bioluminescent that night, and they swam until dawn.</p>",
    )
    sad = make_work(
        writer,
        title="Cold Current",
        freeforms=["Angst"],
        content="<p>Even the bioluminescent plankton could not warm the harbour.</p>",
    )
    make_work(writer, title="Dry Land", content="<p>No sea in this one at all, only dust.</p>")
    admin = make_user("archivist")
    admin.is_superuser = True
    admin.save(update_fields=["is_superuser"])
    for name in ["Fluff", "Angst"]:  # only canonical tags are filters
        wrangling.tag_make_canonical(actor=admin, tag=Tag.objects.get(name=name))
    Work.objects.filter(pk=glowing.pk).update(kudos_count=3)
    Work.objects.filter(pk=sad.pk).update(kudos_count=40)
    run_round(get_index())  # what the indexer thread of `fanworks serve` does every round

    search = SearchPage(page).open()
    search.search("bioluminescent")
    expect(page.get_by_role("heading", name="2 Found")).to_be_visible()
    snippet = page.locator(f"#work_{glowing.pk} .search-snippet")
    expect(snippet.locator("mark")).to_have_text("bioluminescent")
    expect(snippet.get_by_role("link", name="Chapter 1")).to_have_attribute(
        "href", re.compile(rf"^/works/{glowing.pk}/chapters/\d+$")
    )

    search.sort_by("Kudos")
    search.apply_filters()
    expect(search.results()).to_have_text(["Cold Current", "Tidepool Nights"])
    expect(page).to_have_url(re.compile(r"work_search%5Bsort_column%5D=kudos_count"))

    search.exclude("Angst")
    search.apply_filters()
    expect(page.get_by_role("heading", name="1 Found")).to_be_visible()
    expect(search.results()).to_have_text(["Tidepool Nights"])
    # The choices live in the URL: reloading (or sharing the link) gives the same listing.
    page.reload()
    expect(search.results()).to_have_text(["Tidepool Nights"])


def test_both_directory_searches_fit_a_phone_screen(new_context) -> None:
    """At 390 px the forms and results of people and tag search need no sideways scrolling."""
    writer = make_user("a_writer_with_a_rather_long_login_name")
    make_work(
        writer,
        fandoms=["A Fandom With A Very Long Name Indeed"],
        relationships=["Someone With A Long Name/Someone Else With An Even Longer Name"],
    )
    context: BrowserContext = new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    paths = [
        "/people/search?people_search[name]=writer"
        "&people_search[fandom]=A+Fandom+With+A+Very+Long+Name+Indeed",
        "/tags/search?tag_search[name]=long&tag_search[sort_column]=uses",
        "/tags/search?tag_search[type]=Banana&page=100000",
    ]
    for path in paths:
        response = page.goto(path)
        assert response is not None and response.status in {200, 400}, path
        expect(page.locator("h1").first).to_be_visible()
        expect(page.get_by_role("button", name=re.compile("Search")).first).to_be_visible()
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, (path, width)
    page.goto("/tags/search")
    page.get_by_label("Tag name").fill("long")
    page.get_by_label("Type").select_option("Relationship")
    page.get_by_role("button", name="Search tags").click()
    expect(page.get_by_role("heading", name="1 Found")).to_be_visible()
    page.get_by_role("link", name=re.compile("Someone With A Long Name")).click()
    expect(page).to_have_url(re.compile(r"/tags/Someone"))
