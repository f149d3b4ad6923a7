"""A reader bookmarks a series from its page (a refused submit keeps what was typed), finds
it as a series blurb in their bookmarks and the series' bookmarks, edits it to private, and a
guest no longer sees it."""

from playwright.sync_api import Locator, Page, expect

from fanworks.core.testing import DEFAULT_PASSWORD, make_user, make_work
from fanworks.engagement.models import Bookmark
from fanworks.works.series_actions import SeriesData, series_add_work, series_create

from .pages import BasePage, LoginPage

STORY = "The lighthouse keeper counted ships each night and wrote their names in the margin."


class SeriesBookmarkPanel(BasePage):
    """The series page's bookmark form (a disclosure under the series' stats)."""

    @property
    def panel(self) -> Locator:
        return self.page.locator("details#bookmark-form")

    def open(self, series_id: int) -> "SeriesBookmarkPanel":
        self.page.goto(f"/series/{series_id}")
        self.panel.locator("summary").click()
        return self

    def submit(self, name: str = "Create") -> None:
        self.panel.get_by_role("button", name=name).click()


def test_a_reader_bookmarks_a_series_and_makes_it_private(page: Page, new_context) -> None:
    author = make_user("keeper")
    make_user("shipcounter")
    series = series_create(user=author, data=SeriesData(title="Margin Ships"))
    for title in ("First Night", "Second Night"):
        series_add_work(
            user=author, series=series, work=make_work(author, title=title, content=STORY)
        )
    series_add_work(
        user=author, series=series, work=make_work(author, title="Unposted", post=False)
    )

    LoginPage(page).open().log_in("shipcounter", DEFAULT_PASSWORD)
    panel = SeriesBookmarkPanel(page).open(series.pk)
    expect(panel.panel.locator("summary")).to_have_text("Bookmark Series")
    page.locator("#bookmark_notes").fill("Read <em>in order</em>.")
    page.locator("#bookmark_tag_string").fill("y" * 160)
    panel.submit()
    expect(page.locator("#bookmark_tag_string_error")).to_contain_text("at most 150")
    expect(page.locator("#bookmark_notes")).to_have_value("Read <em>in order</em>.")
    assert Bookmark.objects.count() == 0
    page.locator("#bookmark_tag_string").fill("lighthouses")
    page.locator("#bookmark_rec").check()
    page.get_by_role("button", name="Create").click()
    expect(page.locator(".flash")).to_contain_text("Bookmark was successfully created.")
    blurb = page.locator("li.bookmark.blurb")
    expect(blurb.locator("h4.heading")).to_contain_text("Margin Ships by keeper")
    expect(blurb.locator("dd.works")).to_have_text("2")  # the draft is not counted
    expect(blurb.locator("blockquote.notes em")).to_have_text("in order")

    page.goto(f"/series/{series.pk}")
    expect(page.locator("details#bookmark-form summary")).to_have_text("Edit Bookmark")
    page.locator("dd.bookmarks a").click()
    expect(page.locator("li.bookmark.blurb")).to_have_count(1)

    page.goto("/users/shipcounter/bookmarks")
    expect(page.locator("li.bookmark.blurb")).to_contain_text("Margin Ships")
    page.locator("li.bookmark.blurb").get_by_role("link", name="Edit").click()
    page.locator("#bookmark_private").check()
    page.get_by_role("button", name="Update").click()
    expect(page.locator(".flash")).to_contain_text("Bookmark was successfully updated.")
    assert Bookmark.objects.get().private

    guest = new_context().new_page()
    guest.goto(f"/series/{series.pk}/bookmarks")
    expect(guest.locator("li.bookmark.blurb")).to_have_count(0)
    guest.goto("/users/shipcounter/bookmarks")
    expect(guest.locator("#main")).to_contain_text("Bookmarks by shipcounter")
    expect(guest.locator("#main")).not_to_contain_text("Margin Ships")
