"""The dashboard's page links: one closed "Menu" on a phone, opened from the keyboard; every
group in view on a desktop; the current page marked; focus always visible."""

import re

import pytest
from playwright.sync_api import Locator, Page, expect

from fanworks.core.testing import make_user

from .artifacts import artifact_path
from .test_journeys import PHONE, assert_no_horizontal_scroll, log_in

pytestmark = pytest.mark.browser

DESKTOP = {"viewport": {"width": 1280, "height": 900}}


def dashboard_nav(page: Page) -> Locator:
    return page.get_by_role("navigation", name="nav_owner's pages")


def has_visible_focus(page: Page) -> bool:
    """The focused element draws an outline (the site's :focus-visible ring)."""
    return bool(
        page.evaluate(
            "(() => { const s = getComputedStyle(document.activeElement);"
            " return s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0; })()"
        )
    )


def test_phone_menu_is_one_closed_disclosure_opened_from_the_keyboard(new_context) -> None:
    make_user("nav_owner")
    page: Page = new_context(**PHONE).new_page()
    log_in(page, "nav_owner")
    page.goto("/users/nav_owner/inbox")
    nav = dashboard_nav(page)
    summary = nav.locator("summary")
    expect(summary).to_have_text("Menu: Inbox")
    # Closed: no link of the menu takes room or focus, so the page starts right away.
    expect(nav.get_by_role("link", name="Preferences")).to_be_hidden()
    box = nav.bounding_box()
    assert box is not None and box["height"] < 60, box
    page.screenshot(path=artifact_path("phone-dashboard-menu-closed"), full_page=True)
    assert_no_horizontal_scroll(page)

    summary.focus()
    assert has_visible_focus(page)
    page.keyboard.press("Enter")
    expect(nav.locator("details")).to_have_attribute("open", "")
    page.keyboard.press("Tab")
    expect(nav.get_by_role("link", name="Dashboard")).to_be_focused()
    assert has_visible_focus(page)
    for group in ("Creations", "Activity", "Account"):
        expect(nav.get_by_role("list", name=group)).to_be_visible()
    expect(nav.get_by_role("link", name="Inbox", exact=True)).to_have_attribute(
        "aria-current", "page"
    )
    page.screenshot(path=artifact_path("phone-dashboard-menu-open"), full_page=True)
    assert_no_horizontal_scroll(page)
    nav.get_by_role("link", name="Preferences").click()
    expect(page).to_have_url(re.compile(r"/users/nav_owner/preferences$"))


def test_desktop_shows_every_link_without_the_summary(new_context) -> None:
    make_user("nav_owner")
    make_user("nav_visitor")
    page: Page = new_context(**DESKTOP).new_page()
    log_in(page, "nav_owner")
    page.goto("/users/nav_owner/preferences")
    nav = dashboard_nav(page)
    expect(nav.locator("summary")).to_be_hidden()
    for name in ("Dashboard", "Drafts", "Related works", "Delete account", "Log out"):
        expect(nav.get_by_role("link", name=name, exact=True)).to_be_visible()
    # Keyboard: Tab from the page heading reaches the first link, with a visible ring.
    page.get_by_role("heading", level=1).click()
    page.keyboard.press("Tab")
    expect(nav.get_by_role("link", name="Dashboard")).to_be_focused()
    assert has_visible_focus(page)
    page.screenshot(path=artifact_path("desktop-dashboard-menu"), full_page=True)

    # Someone else's pages: only the public links, in one unlabelled list.
    page.goto("/users/nav_visitor/works")
    others = page.get_by_role("navigation", name="nav_visitor's pages")
    expect(others.get_by_role("link")).to_have_count(7)
    expect(others.get_by_role("link", name="Preferences")).to_have_count(0)
