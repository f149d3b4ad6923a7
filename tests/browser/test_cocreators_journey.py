"""A writer invites a friend as co-creator from the posting form; the friend finds the request
in the inbox, accepts it on the Co-Creator Requests page, and the byline shows both to a
guest. Until then the guest sees only the writer."""

from playwright.sync_api import Page, expect

from fanworks.core.testing import DEFAULT_PASSWORD, make_user

from .pages import LoginPage, NewWorkPage, WorkPage

TEXT = "The lighthouse keeper wrote the first half; the second half arrived by post."


def test_invite_accept_and_the_byline_shows_both(page: Page, new_context) -> None:
    make_user("keeper")
    make_user("postie")
    LoginPage(page).open().log_in("keeper", DEFAULT_PASSWORD)
    form = NewWorkPage(page).open()
    form.fill(title="Two Hands", fandoms=["Tidewater Chronicles"], text=TEXT)
    form.field("Invite co-creators").fill("nobody_at_all")
    form.press_post()
    expect(form.field_errors("Invite co-creators")).to_contain_text("nobody_at_all")
    expect(form.field("Work title")).to_have_value("Two Hands")  # nothing typed was lost
    form.field("Invite co-creators").fill("postie")
    form.chapter_text.fill(TEXT)
    form.press_post()
    expect(page.get_by_text("Work successfully posted.")).to_be_visible()
    work_id = WorkPage(page).work_id

    guest = new_context().new_page()
    WorkPage(guest).open(work_id)
    expect(guest.locator("h3.byline.heading")).to_have_text("keeper")

    friend = new_context().new_page()
    LoginPage(friend).open().log_in("postie", DEFAULT_PASSWORD)
    friend.goto("/users/postie/inbox")
    invitation = "keeper invited postie to be a co-creator of “Two Hands”"
    friend.get_by_role("link", name=invitation).click()
    expect(friend.get_by_role("heading", name="Co-Creator Requests")).to_be_visible()
    friend.get_by_label("Two Hands").check()
    friend.get_by_role("button", name="Accept").click()
    expect(friend.get_by_text("You accepted 1 co-creator request.")).to_be_visible()

    WorkPage(guest).open(work_id)
    expect(guest.locator("h3.byline.heading")).to_have_text("keeper, postie")
