"""Readers leaving kudos, as a guest and logged in, and the creator seeing them."""

from playwright.sync_api import Page, expect

from fanworks.core.testing import DEFAULT_PASSWORD, make_user, make_work
from fanworks.works.models import Work

from .pages import LoginPage, WorkPage

STORY = "The ferry left at dawn, and nobody on the quay waved it off except the gulls."


def test_guest_and_reader_leave_kudos_and_the_creator_sees_them(page: Page, new_context) -> None:
    author = make_user("quaywriter")
    make_user("gullwatcher")
    work = make_work(author, title="Dawn Ferry", content=STORY)

    guest = WorkPage(page).open(work.pk)
    guest.leave_kudos()
    expect(guest.kudos_message).to_contain_text("Thank you for leaving kudos!")
    expect(guest.kudos).to_contain_text("1 guest left kudos on this work!")
    assert page.url.endswith(f"/works/{work.pk}#kudos")
    guest.leave_kudos()
    expect(guest.kudos_message).to_contain_text("You have already left kudos here. :)")

    reader_page = new_context().new_page()
    LoginPage(reader_page).open().log_in("gullwatcher", DEFAULT_PASSWORD)
    reader = WorkPage(reader_page).open(work.pk)
    reader.leave_kudos()
    expect(reader.kudos).to_contain_text("gullwatcher as well as 1 guest left kudos on this work!")
    expect(reader_page.locator("dd.kudos")).to_have_text("2")

    creator_page = new_context().new_page()
    LoginPage(creator_page).open().log_in("quaywriter", DEFAULT_PASSWORD)
    creator = WorkPage(creator_page).open(work.pk)
    expect(creator_page.get_by_role("button", name="Kudos ♥")).to_have_count(0)
    creator.kudos.get_by_role("link", name="gullwatcher").click()
    assert creator_page.url.endswith("/users/gullwatcher")
    assert Work.objects.get(pk=work.pk).kudos_count == 2
