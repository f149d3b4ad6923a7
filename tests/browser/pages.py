"""Page objects: what a person does on each page, found the way they find it (labels, roles).

Labels are matched from their start, because required fields append "(required)" to the label
("Work title (required)") and "Password" must not also match "Confirm password".
"""

import re
from collections.abc import Iterable

from playwright.sync_api import Locator, Page, expect


def label(text: str) -> re.Pattern[str]:
    """A label that starts with `text` as a whole word, ignoring any "(required)" after it."""
    return re.compile(rf"^{re.escape(text)}(?![\w-])", re.IGNORECASE)


class BasePage:
    def __init__(self, page: Page) -> None:
        self.page = page

    @property
    def main(self) -> Locator:
        return self.page.get_by_role("main")

    @property
    def header(self) -> Locator:
        return self.page.get_by_role("banner")

    def field(self, text: str) -> Locator:
        return self.page.get_by_label(label(text))

    def field_errors(self, text: str) -> Locator:
        """The error list shown with one field (inside the same field block)."""
        return self.page.locator(".field", has=self.field(text)).locator(".errorlist")

    @property
    def log_out_control(self) -> Locator:
        """The header's "Log out": a button in a form, or a link to a confirmation page."""
        return self.header.get_by_role("button", name="Log out").or_(
            self.header.get_by_role("link", name="Log out")
        )

    def log_out(self) -> None:
        self.log_out_control.click()
        confirm = self.main.get_by_role("button", name="Log out")
        logged_out = self.header.get_by_role("link", name="Log in")
        expect(confirm.or_(logged_out)).to_be_visible()
        if confirm.is_visible():
            confirm.click()
        expect(logged_out).to_be_visible()
        expect(self.log_out_control).to_have_count(0)

    def expect_logged_in_as(self, username: str) -> None:
        expect(self.log_out_control).to_be_visible()
        expect(self.header.get_by_role("link", name=username, exact=True)).to_be_visible()


class SignUpPage(BasePage):
    def open(self) -> "SignUpPage":
        self.page.goto("/signup")
        return self

    def sign_up(self, username: str, email: str, password: str) -> None:
        self.field("Username").fill(username)
        self.field("E-mail").fill(email)
        self.field("Password").fill(password)
        self.field("Confirm password").fill(password)
        self.main.get_by_role("button", name="Create account").click()


class LoginPage(BasePage):
    def open(self) -> "LoginPage":
        self.page.goto("/users/login")
        return self

    def log_in(self, username: str, password: str) -> None:
        self.field("Username or e-mail").fill(username)
        self.field("Password").fill(password)
        self.main.get_by_role("button", name="Log in").click()
        self.expect_logged_in_as(username)


class WorkPage(BasePage):
    """A work or one of its chapters, as a reader sees it."""

    @property
    def work_id(self) -> int:
        match = re.search(r"/works/(\d+)", self.page.url)
        assert match, f"not on a work page: {self.page.url}"
        return int(match.group(1))

    def open(self, work_id: int) -> "WorkPage":
        self.page.goto(f"/works/{work_id}")
        return self

    @property
    def chapters_stat(self) -> Locator:
        return self.page.locator("dd.chapters")

    @property
    def text(self) -> Locator:
        return self.page.locator("#chapters")

    def tags(self, tag_type: str) -> Locator:
        """The tag links of one kind: rating, warning, fandom, relationship, character, freeform."""
        return self.page.locator(f"dd.{tag_type}.tags").get_by_role("link")

    def add_chapter(self) -> "ChapterEditPage":
        self.page.get_by_role("link", name="Add chapter").click()
        return ChapterEditPage(self.page)

    def next_chapter(self) -> None:
        self.page.get_by_role("link", name="Next Chapter →").first.click()

    def entire_work(self) -> None:
        self.page.get_by_role("link", name="Entire Work").click()

    def leave_kudos(self) -> None:
        self.page.get_by_role("button", name="Kudos ♥").click()

    @property
    def kudos_message(self) -> Locator:
        return self.page.locator("#kudos_message")

    @property
    def kudos(self) -> Locator:
        """The line naming who left kudos."""
        return self.page.locator("#kudos")


class NewWorkPage(BasePage):
    def open(self) -> "NewWorkPage":
        self.page.goto("/works/new")
        expect(self.page.get_by_role("heading", name="Post a new work")).to_be_visible()
        return self

    @property
    def form(self) -> Locator:
        return self.page.locator("form.work-form")

    @property
    def chapter_text(self) -> Locator:
        return self.field("Work text")

    def fill(
        self,
        *,
        title: str = "",
        fandoms: Iterable[str] = (),
        rating: str | None = "General Audiences",
        warnings: Iterable[str] = ("No Archive Warnings Apply",),
        relationships: Iterable[str] = (),
        characters: Iterable[str] = (),
        additional_tags: Iterable[str] = (),
        summary: str = "",
        language: str | None = "English",
        expected_chapters: str | int | None = None,
        text: str = "",
    ) -> None:
        if rating:
            self.field("Rating").select_option(label=rating)
        for warning in warnings:
            self.page.get_by_label(warning, exact=True).check()
        self.field("Fandoms").fill(", ".join(fandoms))
        self.field("Relationships").fill(", ".join(relationships))
        self.field("Characters").fill(", ".join(characters))
        self.field("Additional Tags").fill(", ".join(additional_tags))
        self.field("Work title").fill(title)
        self.field("Summary").fill(summary)
        if language:
            self.field("Language").select_option(label=language)
        if expected_chapters is not None:
            self.field("Expected number of chapters").fill(str(expected_chapters))
        self.chapter_text.fill(text)

    def press_post(self) -> None:
        self.form.get_by_role("button", name="Post", exact=True).click()

    def post_work(self, **fields) -> WorkPage:
        self.fill(**fields)
        self.press_post()
        expect(self.page.get_by_text("Work successfully posted.")).to_be_visible()
        return WorkPage(self.page)


class ChapterEditPage(BasePage):
    """The chapter form: adding a chapter (Post) or editing one (Update)."""

    def open(self, work_id: int, chapter_id: int) -> "ChapterEditPage":
        self.page.goto(f"/works/{work_id}/chapters/{chapter_id}/edit")
        return self

    @property
    def text(self) -> Locator:
        return self.field("Chapter text")

    @property
    def stale_notice(self) -> Locator:
        return self.main.get_by_role("alert")

    @property
    def saved_text(self) -> Locator:
        """The other edit's text, shown when this chapter changed since the form was opened."""
        return self.stale_notice.locator(".other-edit")

    def post_chapter(self, text: str, *, title: str = "") -> WorkPage:
        if title:
            self.field("Chapter title").fill(title)
        self.text.fill(text)
        self.main.get_by_role("button", name="Post", exact=True).click()
        expect(self.page.get_by_text("Chapter successfully posted.")).to_be_visible()
        return WorkPage(self.page)

    def change_text(self, text: str) -> None:
        self.text.fill(text)

    def press_update(self) -> None:
        self.main.get_by_role("button", name="Update").click()
