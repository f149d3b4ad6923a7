"""A wrangler makes a tag a synonym; a reader then finds its works under the canonical tag."""

import re
from collections.abc import Callable

from playwright.sync_api import BrowserContext, Locator, Page, expect

from fanworks.accounts.models import User
from fanworks.core.testing import DEFAULT_PASSWORD, make_user, make_work
from fanworks.tags import wrangling
from fanworks.tags.models import Tag, tag_url_name

from .pages import BasePage, LoginPage

FANDOM = "Starfall Saga"
CANONICAL = "Vesper Kane/Orrin Hale"
SYNONYM = "Orrin Hale/Vesper Kane"


class TagEditPage(BasePage):
    def open(self, name: str) -> "TagEditPage":
        self.page.goto(f"/tags/{tag_url_name(name)}/edit")
        expect(self.page.get_by_role("heading", name=f"Edit tag: {name}")).to_be_visible()
        return self

    def make_synonym_of(self, name: str) -> None:
        self.field("Synonym of").fill(name)
        self.main.get_by_role("button", name="Make synonym", exact=True).click()


class TagWorksPage(BasePage):
    def open(self, name: str) -> "TagWorksPage":
        self.page.goto(f"/tags/{tag_url_name(name)}/works")
        return self

    @property
    def work_titles(self) -> Locator:
        return self.page.locator("li.work.blurb h4.heading > a:first-child")


def _admin() -> User:
    admin = make_user("maria_admin")
    admin.is_superuser = True
    admin.save(update_fields=["is_superuser"])
    return admin


def test_wrangler_makes_a_synonym_and_a_guest_finds_its_work_under_the_canonical(
    page: Page, new_context: Callable[..., BrowserContext]
) -> None:
    writer = make_user("writer")
    make_work(writer, title="Written Canonically", fandoms=[FANDOM], relationships=[CANONICAL])
    make_work(writer, title="Written The Other Way", fandoms=[FANDOM], relationships=[SYNONYM])
    admin = _admin()
    fandom = wrangling.tag_make_canonical(actor=admin, tag=Tag.objects.get(name=FANDOM))
    wrangling.tag_make_canonical(actor=admin, tag=Tag.objects.get(name=CANONICAL))
    wrangler = make_user("wrangler")
    wrangling.wrangler_assign(actor=admin, user=wrangler, fandom=fandom)

    # Before wrangling, the canonical tag finds only the work tagged with it.
    guest = new_context().new_page()
    works = TagWorksPage(guest).open(CANONICAL)
    expect(works.work_titles).to_have_text(["Written Canonically"])

    LoginPage(page).open().log_in("wrangler", DEFAULT_PASSWORD)
    edit = TagEditPage(page).open(SYNONYM)
    edit.make_synonym_of(CANONICAL)
    expect(page.get_by_role("status")).to_contain_text(
        f"“{SYNONYM}” is now a synonym of “{CANONICAL}”."
    )
    expect(edit.main.locator("dl.tag-facts")).to_contain_text(f"Synonym of {CANONICAL}")
    assert Tag.objects.get(name=SYNONYM).synonym_of == Tag.objects.get(name=CANONICAL)

    # A guest (no cookies from the wrangler) now finds both works under the canonical tag,
    # and the synonym's works page sends them there.
    works.open(CANONICAL)
    expect(works.work_titles).to_have_text(["Written The Other Way", "Written Canonically"])
    works.open(SYNONYM)
    expect(guest).to_have_url(re.compile(rf"/tags/{re.escape(tag_url_name(CANONICAL))}/works$"))
    expect(works.page.get_by_role("heading", level=2)).to_contain_text("of 2 Works in")
