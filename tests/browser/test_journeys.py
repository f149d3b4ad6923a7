"""Real people's paths through real pages, in headless Chromium against the live server."""

import re

import pytest
from playwright.sync_api import Page, expect

from fanworks.core.testing import DEFAULT_PASSWORD, make_user, make_work
from fanworks.works.actions import ChapterData, chapter_create
from fanworks.works.models import Chapter, Work

from .artifacts import artifact_path
from .pages import ChapterEditPage, LoginPage, NewWorkPage, SignUpPage, WorkPage

pytestmark = pytest.mark.browser

CHAPTER_ONE = "The lanterns along the harbour wall flickered as Mira counted the ships coming home."
CHAPTER_TWO = "At dawn the missing sloop rounded the point, its sails patched with a red shirt."
ADULT_NOTICE = "This work could have adult content"


def log_in(page: Page, username: str, password: str = DEFAULT_PASSWORD) -> None:
    LoginPage(page).open().log_in(username, password)


def test_sign_up_post_a_two_chapter_work_and_read_it_as_a_guest(page: Page) -> None:
    SignUpPage(page).open().sign_up("mira_writes", "mira@example.org", "lantern-harbour-tide-77")
    SignUpPage(page).expect_logged_in_as("mira_writes")

    work = (
        NewWorkPage(page)
        .open()
        .post_work(
            rating="General Audiences",
            warnings=["No Archive Warnings Apply"],
            fandoms=["Tidewater Chronicles"],
            relationships=["Mira/Jonah"],
            characters=["Mira Salt"],
            additional_tags=["Harbour Town", "Slow Burn"],
            title="Harbour Lights",
            summary="Mira waits for a ship that is late.",
            language="English",
            expected_chapters=2,
            text=CHAPTER_ONE,
        )
    )
    work_id = work.work_id
    expect(work.chapters_stat).to_have_text("1/2")
    expect(work.text).to_contain_text(CHAPTER_ONE)

    work = work.add_chapter().post_chapter(CHAPTER_TWO)
    expect(work.text).to_contain_text(CHAPTER_TWO)
    expect(work.chapters_stat).to_have_text("2/2")
    work.open(work_id)
    expect(work.chapters_stat).to_have_text("2/2")
    expect(work.tags("rating")).to_have_text(["General Audiences"])
    expect(work.tags("warning")).to_have_text(["No Archive Warnings Apply"])
    expect(work.tags("fandom")).to_have_text(["Tidewater Chronicles"])
    expect(work.tags("relationship")).to_have_text(["Mira/Jonah"])
    expect(work.tags("character")).to_have_text(["Mira Salt"])
    expect(work.tags("freeform")).to_have_text(["Harbour Town", "Slow Burn"])
    saved = Work.objects.get(pk=work_id)
    assert (saved.title, saved.posted_chapter_count, saved.expected_chapters) == (
        "Harbour Lights",
        2,
        2,
    )

    work.log_out()

    # As a guest: chapter 1, then the next chapter, then the entire work.
    work.open(work_id)
    expect(page).to_have_url(re.compile(rf"/works/{work_id}/chapters/\d+$"))
    expect(page.get_by_role("heading", name="Harbour Lights")).to_be_visible()
    expect(work.text).to_contain_text(CHAPTER_ONE)
    expect(work.text).not_to_contain_text(CHAPTER_TWO)
    work.next_chapter()
    expect(work.text).to_contain_text(CHAPTER_TWO)
    expect(work.text).not_to_contain_text(CHAPTER_ONE)
    work.entire_work()
    expect(page).to_have_url(re.compile(rf"/works/{work_id}\?view_full_work=true$"))
    expect(work.text).to_contain_text(CHAPTER_ONE)
    expect(work.text).to_contain_text(CHAPTER_TWO)


def test_adult_notice_is_shown_once_per_visit(page: Page, new_context) -> None:
    work = make_work(rating="Explicit", title="After the Storm", content=CHAPTER_ONE)
    second = chapter_create(work=work, data=ChapterData(content=CHAPTER_TWO), post=True)

    reader = WorkPage(page).open(work.pk)
    expect(page.get_by_text(ADULT_NOTICE)).to_be_visible()
    expect(reader.text).to_have_count(0)
    page.get_by_role("link", name="Yes, Continue").click()
    expect(reader.text).to_contain_text(CHAPTER_ONE)
    expect(page.get_by_text(ADULT_NOTICE)).to_have_count(0)

    # Another page of the same work: the choice is remembered for this visit.
    page.goto(f"/works/{work.pk}/chapters/{second.pk}")
    expect(reader.text).to_contain_text(CHAPTER_TWO)
    expect(page.get_by_text(ADULT_NOTICE)).to_have_count(0)

    # A new visit (fresh cookies) asks again.
    other = new_context().new_page()
    WorkPage(other).open(work.pk)
    expect(other.get_by_text(ADULT_NOTICE)).to_be_visible()
    expect(WorkPage(other).text).to_have_count(0)


def test_saving_a_chapter_edited_in_two_tabs_overwrites_nothing_silently(
    page: Page, new_page
) -> None:
    author = make_user("tidewriter")
    work = make_work(author, title="Two Tabs", content=CHAPTER_ONE)
    chapter = Chapter.objects.get(work=work)
    log_in(page, "tidewriter")

    tab1 = ChapterEditPage(page).open(work.pk, chapter.pk)
    tab2 = ChapterEditPage(new_page()).open(work.pk, chapter.pk)
    expect(tab1.text).to_have_value(CHAPTER_ONE)
    expect(tab2.text).to_have_value(CHAPTER_ONE)

    text1 = "Tab one: the lanterns were lit early, before the storm reached the harbour."
    text2 = "Tab two: the lanterns stayed dark all night, and nobody came to the wall."
    tab1.change_text(text1)
    tab1.press_update()
    expect(tab1.page.get_by_text("Chapter successfully updated.")).to_be_visible()

    tab2.change_text(text2)
    tab2.press_update()
    expect(tab2.stale_notice).to_contain_text("changed somewhere else")
    expect(tab2.text).to_have_value(text2)
    expect(tab2.saved_text).to_have_text(text1)
    chapter.refresh_from_db()
    assert chapter.content == text1

    # Pressing Update again is a deliberate choice to replace the other tab's text.
    tab2.press_update()
    expect(tab2.page.get_by_text("Chapter successfully updated.")).to_be_visible()
    expect(WorkPage(tab2.page).text).to_contain_text(text2)
    chapter.refresh_from_db()
    assert chapter.content == text2


def test_guest_opening_a_restricted_work_logs_in_and_lands_on_it(page: Page) -> None:
    make_user("harbour_reader")
    work = make_work(title="Members Only", restricted=True, content=CHAPTER_ONE)

    WorkPage(page).open(work.pk)
    expect(page).to_have_url(re.compile(r"/users/login\?"))
    expect(
        page.get_by_text("This work is only available to registered users of the Archive.")
    ).to_be_visible()
    expect(page.get_by_text(CHAPTER_ONE)).to_have_count(0)

    LoginPage(page).log_in("harbour_reader", DEFAULT_PASSWORD)
    expect(page).to_have_url(re.compile(rf"/works/{work.pk}$"))
    expect(WorkPage(page).text).to_contain_text(CHAPTER_ONE)


def test_posting_without_title_or_fandom_shows_errors_and_keeps_the_text(page: Page) -> None:
    make_user("hasty_poster")
    log_in(page, "hasty_poster")

    form = NewWorkPage(page).open()
    form.fill(title="", fandoms=[], text=CHAPTER_ONE)
    form.press_post()

    expect(page.get_by_role("alert")).to_contain_text("We couldn't save that")
    expect(form.field_errors("Work title")).to_be_visible()
    expect(form.field_errors("Work title")).not_to_be_empty()
    expect(form.field("Work title")).to_have_attribute("aria-invalid", "true")
    expect(form.field_errors("Fandoms")).to_be_visible()
    expect(form.field_errors("Fandoms")).not_to_be_empty()
    expect(form.field("Fandoms")).to_have_attribute("aria-invalid", "true")
    expect(form.chapter_text).to_have_value(CHAPTER_ONE)
    # Fields that were fine keep what was chosen.
    expect(form.field("Rating")).to_have_value("General Audiences")
    assert Work.objects.count() == 0


PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}


def assert_no_horizontal_scroll(page: Page) -> None:
    widths = page.evaluate(
        "({scroll: document.documentElement.scrollWidth, inner: window.innerWidth})"
    )
    assert widths["inner"] == 390, f"{page.url}: layout viewport grew to {widths['inner']}px"
    assert widths["scroll"] <= widths["inner"] + 1, f"{page.url} scrolls sideways: {widths}"


def test_phone_layout_has_no_sideways_scrolling(new_context) -> None:
    author = make_user("pocket_author")
    work = make_work(
        author,
        title="A Rather Long Title About Lanterns, Harbours and the Ships That Come Home Late",
        fandoms=["Tidewater Chronicles - Original Work", "Harbour Lights (TV 2019)"],
        relationships=["Mira Salt/Jonah Reed", "Mira Salt & Old Tom"],
        characters=["Mira Salt", "Jonah Reed", "Old Tom"],
        freeforms=["Hurt/Comfort", "Fluff and Angst", "Slow Burn", "Harbour Town Festival"],
        summary="Mira waits on the harbour wall for a ship that is late, again.",
        content=CHAPTER_ONE,
    )
    page = new_context(**PHONE).new_page()

    for name, url in [("home", "/"), ("works", "/works"), ("work", f"/works/{work.pk}")]:
        page.goto(url)
        page.screenshot(path=artifact_path(f"phone-{name}"), full_page=True)
        assert_no_horizontal_scroll(page)

    log_in(page, "pocket_author")
    NewWorkPage(page).open()
    page.screenshot(path=artifact_path("phone-works-new"), full_page=True)
    assert_no_horizontal_scroll(page)

    page.goto("/")
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Skip to content")).to_be_focused()
    expect(page.get_by_role("link", name="Skip to content")).to_be_in_viewport()


def test_first_tab_focuses_the_skip_link(page: Page) -> None:
    page.goto("/works")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to content")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()  # hidden off-screen until focused, then shown
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/works#main$"))
