"""A creator gives a work as a gift from the edit form (a name that blocked them is refused
next to the field, what was typed kept); the recipient finds it in their gifts and refuses it;
the creator then orphans the work anonymously after a confirmation page."""

from playwright.sync_api import Page, expect

from fanworks.accounts.actions import block_user
from fanworks.core.testing import DEFAULT_PASSWORD, make_user, make_work
from fanworks.works.models import Gift

from .pages import BasePage, LoginPage

STORY = "The ferry ran twice a day, and twice a day she wrote a letter she never posted."


def test_gift_refused_then_work_orphaned(page: Page, new_context) -> None:
    writer = make_user("ferrywriter")
    make_user("letterfriend")
    stranger = make_user("grumpyone")
    block_user(blocker=stranger, blocked=writer)
    work = make_work(writer, title="Twice a Day", content=STORY)

    LoginPage(page).open().log_in("ferrywriter", DEFAULT_PASSWORD)
    form = BasePage(page)
    page.goto(f"/works/{work.pk}/edit")
    form.field("Gift this work to").fill("letterfriend, grumpyone, the ferry captain")
    page.get_by_role("button", name="Update").click()
    expect(form.field_errors("Gift this work to")).to_contain_text(
        "You can't give a gift to grumpyone."
    )
    expect(form.field("Gift this work to")).to_have_value(
        "letterfriend, grumpyone, the ferry captain"
    )
    assert not Gift.objects.exists()
    form.field("Gift this work to").fill("letterfriend, the ferry captain")
    page.get_by_role("button", name="Update").click()
    notes = page.locator("#workskin .preface ul.associations")
    expect(notes).to_have_text("For letterfriend, the ferry captain.")

    friend_page = new_context().new_page()
    LoginPage(friend_page).open().log_in("letterfriend", DEFAULT_PASSWORD)
    friend_page.goto("/users/letterfriend/gifts")
    expect(friend_page.locator("li.work.blurb h4.heading")).to_contain_text(
        "Twice a Day by ferrywriter for letterfriend"
    )
    friend_page.get_by_role("button", name="Refuse gift").click()
    expect(friend_page.locator(".flash")).to_contain_text("You refused the gift")
    expect(friend_page.locator("li.work.blurb")).to_have_count(0)

    page.goto(f"/works/{work.pk}")
    expect(notes).to_have_text("For the ferry captain.")
    page.get_by_role("link", name="Orphan work").click()
    expect(page.get_by_role("heading", name="Orphan “Twice a Day”?")).to_be_visible()
    page.get_by_label("Make the work anonymous").check()
    page.get_by_role("button", name="Yes, orphan this work").click()
    expect(page.locator(".flash")).to_contain_text("is orphaned")
    expect(page.locator("h3.byline")).to_have_text("orphan_account")
    expect(page.get_by_role("link", name="Orphan work")).to_have_count(0)
