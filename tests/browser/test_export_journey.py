"""A creator asks for an export of their archive on a phone, sees it ready, and downloads a
zip holding their work; someone else's browser gets nothing at the download address."""

import io
import zipfile
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from fanworks.core.testing import DEFAULT_PASSWORD, make_user, make_work
from fanworks.downloads.models import ExportState, UserExport

from .pages import BasePage, LoginPage
from .test_journeys import PHONE, assert_no_horizontal_scroll

STORY = "The lighthouse keeper kept a second logbook, and in it she wrote only the good nights."


@pytest.fixture(autouse=True)
def _own_var_dir(settings, tmp_path):
    settings.VAR_DIR = tmp_path


def test_export_requested_ready_and_downloaded_on_a_phone(new_context) -> None:
    keeper = make_user("lightkeeper")
    work = make_work(keeper, title="The Second Logbook", content=f"<p>{STORY}</p>")
    make_user("passerby")
    phone: Page = new_context(**PHONE).new_page()
    LoginPage(phone).open().log_in("lightkeeper", DEFAULT_PASSWORD)

    phone.goto("/users/lightkeeper")
    dashboard = phone.get_by_role("navigation", name="lightkeeper's pages")
    # On a phone the dashboard's links wait behind its closed "Menu".
    dashboard.locator("summary").click()
    dashboard.get_by_role("link", name="Export", exact=True).click()
    page = BasePage(phone)
    expect(phone.get_by_role("heading", name="Export your archive")).to_be_visible()
    expect(page.main).to_contain_text("You have no export at the moment.")
    assert_no_horizontal_scroll(phone)
    phone.get_by_role("button", name="Request an export").click()

    # The job runs as soon as the request commits here (JOBS_EAGER); a real server's
    # background process takes a moment, and the page says "Being prepared" until then.
    expect(phone.locator(".flash")).to_contain_text("Export requested")
    status = phone.get_by_role("region", name="Your export")
    expect(status).to_contain_text("Ready:")
    expect(status).to_contain_text("It will be deleted on")
    assert_no_horizontal_scroll(phone)
    with phone.expect_download() as waiting:
        status.get_by_role("link", name="Download your export").click()
    download = waiting.value
    assert download.suggested_filename.startswith("lightkeeper-export-")
    assert download.suggested_filename.endswith(".zip")
    archive = zipfile.ZipFile(io.BytesIO(Path(download.path()).read_bytes()))
    names = archive.namelist()
    html_name = f"works/{work.pk}-The_Second_Logbook.html"
    assert html_name in names and f"works/{work.pk}-The_Second_Logbook.epub" in names
    assert STORY in archive.read(html_name).decode()
    assert {"bookmarks.json", "comments.json", "profile.json"} <= set(names)
    assert UserExport.objects.get(user=keeper).state == ExportState.READY

    # Asking again at once is refused with the reason, and the export stays.
    phone.get_by_role("button", name="Request a new export").click()
    expect(phone.get_by_role("alert")).to_contain_text("You have asked for an export recently.")
    expect(status).to_contain_text("Ready:")

    stranger = new_context().new_page()
    LoginPage(stranger).open().log_in("passerby", DEFAULT_PASSWORD)
    response = stranger.request.get("/users/lightkeeper/export/download")
    assert response.status == 404
    assert response.headers["content-type"] != "application/zip"
