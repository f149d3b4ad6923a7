"""A reader subscribes to a work; its creator posts a chapter; the reader's inbox shows it.

The live server runs background jobs as soon as the posting commits (JOBS_EAGER), so the
notification is there when the creator's "Post" returns: no waiting or polling needed.
"""

from playwright.sync_api import Locator, Page, expect

from fanworks.core.testing import DEFAULT_PASSWORD, make_user, make_work
from fanworks.engagement.models import Notification, Subscription

from .pages import BasePage, LoginPage, WorkPage

STORY = "The ferry left at dawn, and nobody on the quay waved it off except the gulls."
NEXT = "By noon the ferry had reached the island, and the gulls had gone back to the quay."


class SubscribableWorkPage(WorkPage):
    @property
    def subscribe_button(self) -> Locator:
        return self.page.get_by_role("button", name="Subscribe", exact=True)

    @property
    def unsubscribe_button(self) -> Locator:
        return self.page.get_by_role("button", name="Unsubscribe", exact=True)


class InboxPage(BasePage):
    def open(self, username: str) -> "InboxPage":
        self.page.goto(f"/users/{username}/inbox")
        return self

    @property
    def notifications(self) -> Locator:
        return self.main.locator("li.notification")

    @property
    def header_link(self) -> Locator:
        return self.header.get_by_role("link", name="Inbox")


def test_subscribe_then_see_the_new_chapter_in_the_inbox(page: Page, new_context) -> None:
    author = make_user("quaywriter")
    make_user("gullwatcher")
    work = make_work(author, title="Dawn Ferry", content=STORY)

    LoginPage(page).open().log_in("gullwatcher", DEFAULT_PASSWORD)
    reader = SubscribableWorkPage(page).open(work.pk)
    reader.subscribe_button.click()
    expect(page.get_by_text("You are now following Dawn Ferry.")).to_be_visible()
    expect(reader.unsubscribe_button).to_be_visible()
    assert Subscription.objects.filter(user__username="gullwatcher", work=work).count() == 1
    inbox = InboxPage(page).open("gullwatcher")
    expect(inbox.notifications).to_have_count(0)
    expect(inbox.header_link).to_have_text("Inbox")

    creator_page = new_context().new_page()
    LoginPage(creator_page).open().log_in("quaywriter", DEFAULT_PASSWORD)
    creator = SubscribableWorkPage(creator_page).open(work.pk)
    expect(creator.subscribe_button).to_have_count(0)  # not on one's own work
    creator.add_chapter().post_chapter(NEXT, title="Noon")

    inbox.open("gullwatcher")
    expect(inbox.notifications).to_have_count(1)
    entry = inbox.notifications.first
    expect(entry).to_contain_text("“Dawn Ferry” has a new chapter: Chapter 2: Noon")
    expect(entry).to_have_class("notification chapter unread")
    expect(inbox.header_link).to_contain_text("(1")
    entry.get_by_role("button", name="Mark read").click()
    expect(inbox.notifications.first).to_have_class("notification chapter read")
    expect(inbox.header_link).to_have_text("Inbox")

    inbox.notifications.first.get_by_role("link").click()
    expect(page.locator("#chapters")).to_contain_text(NEXT)
    assert Notification.objects.filter(recipient__username="quaywriter").count() == 0
