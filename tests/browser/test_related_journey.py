"""Creator A posts a work; creator B posts a podfic of it, naming A's work by its address on
the posting form; A finds the request in the inbox and approves it on the Related Works page;
a guest sees "Podfics" on A's work and follows the link to B's podfic."""

from playwright.sync_api import Locator, Page, expect

from fanworks.core.testing import DEFAULT_PASSWORD, make_user

from .pages import BasePage, LoginPage, NewWorkPage

STORY = "The lighthouse keeper wrote one letter a year, and the sea carried every one away."
PODFIC = "A reading of the lighthouse keeper's letters, with the sound of the sea behind it."


class ParentWorkRow(BasePage):
    """One "Parent work N" group of the posting form."""

    def __init__(self, page: Page, number: int) -> None:
        super().__init__(page)
        self.group = page.get_by_role("group", name=f"Parent work {number}")

    def name_work(self, address: str, relation: str) -> None:
        self.group.get_by_label("Relation").select_option(label=relation)
        self.group.get_by_label("Work on this archive").fill(address)


class RelatedWorksPage(BasePage):
    def open(self, username: str) -> "RelatedWorksPage":
        self.page.goto(f"/users/{username}/related_works")
        expect(self.page.get_by_role("heading", name="Related works", exact=True)).to_be_visible()
        return self

    def request(self, title: str) -> Locator:
        return self.main.locator("li.related-request", has_text=title)


def test_a_podfic_is_approved_and_a_guest_follows_it(page: Page, new_context) -> None:
    make_user("keeperwriter")
    make_user("seavoice")

    LoginPage(page).open().log_in("keeperwriter", DEFAULT_PASSWORD)
    NewWorkPage(page).open().post_work(
        title="Letters to the Sea", fandoms=["Tidewater Chronicles"], text=STORY
    )
    parent_address = page.url

    voice = new_context().new_page()
    LoginPage(voice).open().log_in("seavoice", DEFAULT_PASSWORD)
    form = NewWorkPage(voice).open()
    form.fill(title="Letters to the Sea (Podfic)", fandoms=["Tidewater Chronicles"], text=PODFIC)
    ParentWorkRow(voice, 1).name_work(parent_address, "A podfic of")
    form.press_post()
    expect(voice.get_by_text("Work successfully posted.")).to_be_visible()
    associations = voice.locator("ul.associations")
    expect(associations).to_contain_text("A podfic of Letters to the Sea by keeperwriter")

    # A hears of it in the inbox, then approves it with the keyboard.
    page.goto("/users/keeperwriter/inbox")
    expect(page.get_by_role("main")).to_contain_text("a podfic of your work “Letters to the Sea”")
    related = RelatedWorksPage(page).open("keeperwriter")
    approve = related.request("Letters to the Sea (Podfic)").get_by_role("button", name="Approve")
    approve.focus()
    approve.press("Enter")
    expect(page.get_by_text("The link was approved")).to_be_visible()
    expect(
        related.request("Letters to the Sea (Podfic)").get_by_role(
            "button", name="Withdraw approval"
        )
    ).to_be_visible()

    guest = new_context().new_page()
    guest.goto(parent_address)
    children = guest.locator("#children")
    expect(children.get_by_role("heading", name="Podfics:")).to_be_visible()
    children.get_by_role("link", name="Letters to the Sea (Podfic)").click()
    expect(guest.locator("h2.title")).to_contain_text("Letters to the Sea (Podfic)")
    expect(guest.locator("#chapters")).to_contain_text(PODFIC)
    expect(guest.locator("ul.associations")).to_contain_text("A podfic of Letters to the Sea")
