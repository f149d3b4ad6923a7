"""A writer starts a series from the posting form, posts a second part into it, reorders the
parts on the manage page with the keyboard alone, and a guest reads the series in order."""

from playwright.sync_api import Locator, Page, expect

from fanworks.core.testing import DEFAULT_PASSWORD, make_user
from fanworks.works.models import Series

from .pages import BasePage, LoginPage, NewWorkPage, WorkPage

FIRST = "The ferry left at dawn, and nobody on the quay waved it off except the gulls."
SECOND = "By noon the ferry had reached the island, and the gulls had gone back to the quay."


class SeriesPage(BasePage):
    def open(self, series_id: int) -> "SeriesPage":
        self.page.goto(f"/series/{series_id}")
        return self

    @property
    def title(self) -> Locator:
        return self.main.locator("h2.heading").first

    @property
    def work_titles(self) -> Locator:
        return self.main.locator("li.work.blurb h4.heading > a:first-child")

    @property
    def stats(self) -> Locator:
        return self.main.locator("dl.series dl.stats")


class SeriesManagePage(BasePage):
    def open(self, series_id: int) -> "SeriesManagePage":
        self.page.goto(f"/series/{series_id}/manage")
        return self

    def position(self, title: str) -> Locator:
        return self.page.get_by_role("spinbutton", name=title)


class SeriesWorkPage(WorkPage):
    @property
    def part(self) -> Locator:
        return self.page.locator("dd.series span.position")

    def next_work(self) -> None:
        self.page.get_by_role("link", name="Next Work →").click()


def test_a_series_from_the_posting_form_to_a_reader(page: Page, new_context) -> None:
    make_user("ferrywriter")
    LoginPage(page).open().log_in("ferrywriter", DEFAULT_PASSWORD)

    form = NewWorkPage(page).open()
    form.fill(title="Dawn", fandoms=["Tidewater Chronicles"], text=FIRST)
    form.field("Or start a new series called").fill("Ferry Tales")
    form.press_post()
    expect(page.get_by_text("Work successfully posted.")).to_be_visible()
    work = SeriesWorkPage(page)
    expect(work.part).to_have_text("Part 1 of Ferry Tales")
    series = Series.objects.get(title="Ferry Tales")

    form = NewWorkPage(page).open()
    form.fill(title="Noon", fandoms=["Tidewater Chronicles"], text=SECOND)
    form.field("Add to one of your series").select_option(label="Ferry Tales")
    form.press_post()
    expect(work.part).to_have_text("Part 2 of Ferry Tales")
    page.get_by_role("link", name="← Previous Work").click()
    expect(page.locator("h2.title")).to_contain_text("Dawn")

    # Reorder with the keyboard: type the new positions and press Enter.
    manage = SeriesManagePage(page).open(series.pk)
    manage.position("Noon").fill("1")
    manage.position("Dawn").fill("2")
    manage.position("Dawn").press("Enter")
    expect(page.get_by_text("Series order updated.")).to_be_visible()
    shown = SeriesPage(page)
    expect(shown.title).to_have_text("Ferry Tales")
    expect(shown.work_titles).to_have_text(["Noon", "Dawn"])

    guest = new_context().new_page()
    reader = SeriesPage(guest).open(series.pk)
    expect(reader.stats).to_contain_text("Works:2")
    expect(reader.stats).to_contain_text("Complete:No")
    reader.work_titles.first.click()
    guest_work = SeriesWorkPage(guest)
    expect(guest_work.part).to_have_text("Part 1 of Ferry Tales")
    guest_work.next_work()
    expect(guest_work.part).to_have_text("Part 2 of Ferry Tales")
    expect(guest.locator("#chapters")).to_contain_text(FIRST)
