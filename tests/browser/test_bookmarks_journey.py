"""A reader bookmarks a work from its page, finds it in their bookmarks and filters by their
own tag, makes it private, and a guest no longer sees it; bad input comes back kept."""

from playwright.sync_api import Locator, Page, expect

from fanworks.core.testing import DEFAULT_PASSWORD, make_user, make_work
from fanworks.engagement.models import Bookmark
from fanworks.works.models import Work

from .pages import BasePage, LoginPage, WorkPage

STORY = "Snow fell on the observatory roof while the two of them argued about the comet's name."


class BookmarkPanel(BasePage):
    """The work page's bookmark form (a disclosure under the kudos)."""

    @property
    def panel(self) -> Locator:
        return self.page.locator("details#bookmark-form")

    def open(self) -> "BookmarkPanel":
        self.panel.locator("summary").click()
        return self

    def fill(self, *, notes: str = "", tags: str = "", rec: bool = False) -> None:
        self.page.locator("#bookmark_notes").fill(notes)
        self.page.locator("#bookmark_tag_string").fill(tags)
        if rec:
            self.page.locator("#bookmark_rec").check()

    def submit(self, name: str = "Create") -> None:
        self.panel.get_by_role("button", name=name).click()


class BookmarksPage(BasePage):
    @property
    def heading(self) -> Locator:
        return self.page.locator("h2.heading").first

    @property
    def blurbs(self) -> Locator:
        return self.page.locator("ol.bookmark.index.group > li.bookmark")


def test_a_reader_bookmarks_filters_and_hides_a_bookmark(page: Page, new_context) -> None:
    author = make_user("stargazer")
    make_user("cometfan")
    work = make_work(author, title="Comet Names", content=STORY)
    other = make_work(author, title="Unrelated", content=STORY)

    LoginPage(page).open().log_in("cometfan", DEFAULT_PASSWORD)
    WorkPage(page).open(work.pk)
    panel = BookmarkPanel(page).open()
    panel.fill(notes="The <em>argument</em> scene!", tags="x" * 160)
    panel.submit()
    # Refused beside the field, with what was typed kept.
    expect(page.locator("#bookmark_tag_string_error")).to_contain_text("at most 150")
    expect(page.locator("#bookmark_notes")).to_have_value("The <em>argument</em> scene!")
    assert Bookmark.objects.count() == 0
    page.locator("#bookmark_tag_string").fill("space, rivals")
    page.locator("#bookmark_rec").check()
    page.get_by_role("button", name="Create").click()
    expect(page.locator(".flash")).to_contain_text("Bookmark was successfully created.")
    expect(page.locator("blockquote.notes em")).to_have_text("argument")

    WorkPage(page).open(other.pk)
    BookmarkPanel(page).open().fill(tags="rivals")
    BookmarkPanel(page).submit()

    WorkPage(page).open(work.pk)
    expect(page.locator("details#bookmark-form summary")).to_have_text("Edit Bookmark")
    page.locator("dd.bookmarks a").click()
    listing = BookmarksPage(page)
    expect(listing.heading).to_have_text("1 - 1 of 1 Bookmarks for Comet Names")

    page.goto("/users/cometfan/bookmarks")
    expect(listing.heading).to_have_text("1 - 2 of 2 Bookmarks by cometfan")
    sidebar = page.locator("aside.listing-filters")
    sidebar.locator("fieldset", has_text="Bookmarker's Tags").locator(
        "li", has_text="space"
    ).get_by_label("Include").check()
    sidebar.get_by_role("button", name="Sort and Filter").click()
    expect(listing.heading).to_have_text("1 - 1 of 1 Bookmarks by cometfan")
    expect(listing.blurbs).to_contain_text("Comet Names")

    guest = new_context().new_page()
    guest.goto("/users/cometfan/bookmarks")
    expect(BookmarksPage(guest).heading).to_have_text("1 - 2 of 2 Bookmarks by cometfan")

    WorkPage(page).open(work.pk)
    BookmarkPanel(page).open()
    page.locator("#bookmark_private").check()
    BookmarkPanel(page).submit("Update")
    expect(page.locator(".flash")).to_contain_text("Bookmark was successfully updated.")
    guest.reload()
    expect(BookmarksPage(guest).heading).to_have_text("1 - 1 of 1 Bookmarks by cometfan")
    expect(BookmarksPage(guest).blurbs).not_to_contain_text("Comet Names")
    assert Work.objects.get(pk=work.pk).bookmark_count == 0
    assert Bookmark.objects.filter(private=True).count() == 1
