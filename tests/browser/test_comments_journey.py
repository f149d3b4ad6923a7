"""A guest leaves kudos and a comment; the creator logs in and replies; the reply shows nested
under the guest's comment. Also: a bad comment comes back with its text, on a phone."""

from playwright.sync_api import Locator, Page, expect

from fanworks.core.testing import DEFAULT_PASSWORD, make_user, make_work
from fanworks.engagement.models import Comment
from fanworks.works.models import CommentPermission, Work

from .pages import BasePage, LoginPage, WorkPage

STORY = "The lighthouse keeper wrote letters to the sea, and one morning the sea wrote back."


class CommentsBox(BasePage):
    """The comments under a work, and the reply page a "Reply" link opens."""

    @property
    def box(self) -> Locator:
        return self.page.locator("#comments")

    def heading(self) -> Locator:
        return self.box.get_by_role("heading", name="Comments (")

    def post_as_guest(self, name: str, email: str, text: str) -> None:
        self.field("Guest name").fill(name)
        self.field("Guest e-mail").fill(email)
        self.post(text)

    def post(self, text: str) -> None:
        self.field("Comment").fill(text)
        self.page.get_by_role("button", name="Comment", exact=True).click()

    def comment(self, text: str) -> Locator:
        return self.box.locator("li.comment", has_text=text).last

    def reply_to(self, text: str, answer: str) -> None:
        self.comment(text).get_by_role("link", name="Reply").first.click()
        expect(self.page.get_by_role("heading", name="Reply to comment")).to_be_visible()
        self.post(answer)


def test_guest_comments_and_the_creator_replies_nested(page: Page, new_context) -> None:
    author = make_user("keeper")
    work = make_work(
        author,
        title="Letters to the Sea",
        content=STORY,
        comment_permission=CommentPermission.EVERYONE,
    )

    guest = WorkPage(page).open(work.pk)
    guest.leave_kudos()
    expect(guest.kudos).to_contain_text("1 guest left kudos on this work!")
    comments = CommentsBox(page)
    expect(comments.heading()).to_have_text("Comments (0)")
    comments.post_as_guest("Gull", "gull@example.org", "The sea writing back! I loved it.")
    expect(page.get_by_text("Comment created!")).to_be_visible()
    expect(comments.heading()).to_have_text("Comments (1)")
    guest_comment = comments.comment("The sea writing back!")
    expect(guest_comment.get_by_role("heading")).to_contain_text("Gull (Guest)")
    expect(page.get_by_text("gull@example.org")).to_have_count(0)

    creator_page = new_context().new_page()
    LoginPage(creator_page).open().log_in("keeper", DEFAULT_PASSWORD)
    WorkPage(creator_page).open(work.pk)
    creator = CommentsBox(creator_page)
    creator.reply_to("The sea writing back!", "Thank you, Gull! The sea says hello.")
    expect(creator_page.get_by_text("Comment created!")).to_be_visible()
    nested = creator.comment("The sea writing back!").locator("ol.thread > li.comment")
    expect(nested).to_have_count(1)
    expect(nested).to_contain_text("Thank you, Gull! The sea says hello.")
    expect(nested.get_by_role("link", name="keeper")).to_be_visible()
    expect(creator.heading()).to_have_text("Comments (2)")

    # The guest sees the reply under their comment too, after a reload.
    page.reload()
    expect(comments.comment("The sea writing back!").locator("ol.thread")).to_contain_text(
        "The sea says hello."
    )
    stored = Work.objects.get(pk=work.pk)
    assert (stored.kudos_count, stored.comment_count) == (1, 2)
    reply = Comment.objects.get(parent__isnull=False)
    assert reply.user == author and reply.depth == 1


def test_an_empty_comment_comes_back_with_the_reason_on_a_phone(new_context) -> None:
    work = make_work(make_user(), title="Small Screen", content=STORY)
    make_user("thumbtyper")
    phone = new_context(viewport={"width": 375, "height": 740}, is_mobile=True).new_page()
    LoginPage(phone).open().log_in("thumbtyper", DEFAULT_PASSWORD)
    WorkPage(phone).open(work.pk)
    comments = CommentsBox(phone)
    comments.post("   ")
    expect(phone.get_by_text("Please write a comment before posting.")).to_be_visible()
    comments.post("Read this on the bus, lovely.")
    expect(comments.comment("Read this on the bus")).to_be_visible()
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, f"the page scrolls sideways on a phone ({width}px)"
