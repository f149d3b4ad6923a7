"""Headless Chromium journeys against pytest-django's live server.

Every test under tests/browser is marked `browser`; the root conftest turns a skip of those into a
failure when CI=true. Each test gets a fresh browser context, so cookies never leak between
tests, and a failing test leaves a screenshot of each of its pages in test-artifacts/.
"""

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright

from .artifacts import artifact_path

# Playwright's sync API keeps an asyncio loop running in the test thread; Django would otherwise
# refuse ORM calls made from the tests (creating users and works, checking what was saved).
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

HERE = Path(__file__).resolve().parent
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
DEFAULT_TIMEOUT_MS = 10_000
REPORTS = pytest.StashKey[dict[str, pytest.TestReport]]()


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if HERE not in item.path.resolve().parents:
            continue
        item.add_marker(pytest.mark.browser)
        if item.get_closest_marker("django_db") is None:
            # The live server needs a transactional database, which is emptied after each test,
            # migration-seeded rows (ratings, warnings, categories) included. serialized_rollback
            # puts them back, so every journey starts from the database a fresh install has.
            item.add_marker(pytest.mark.django_db(transaction=True, serialized_rollback=True))


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo) -> Iterator[None]:
    outcome = yield
    report = outcome.get_result()
    item.stash.setdefault(REPORTS, {})[report.when] = report


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    executable = os.environ.get("CHROMIUM_PATH") or "/usr/bin/chromium"
    if not Path(executable).is_file():
        pytest.skip(f"Chromium not found at {executable} (apt-get install chromium)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=executable, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture
def new_context(
    browser: Browser, live_server, request: pytest.FixtureRequest
) -> Iterator[Callable[..., BrowserContext]]:
    """Make browser contexts (separate cookie jars) on the live server; screenshot on failure."""
    contexts: list[BrowserContext] = []

    def make(**options) -> BrowserContext:
        context = browser.new_context(base_url=live_server.url, **options)
        context.set_default_timeout(DEFAULT_TIMEOUT_MS)
        contexts.append(context)
        return context

    yield make

    reports = request.node.stash.get(REPORTS, {})
    failed = any(r.failed for r in reports.values())
    number = 0
    for context in contexts:
        if failed:
            for page in context.pages:
                number += 1
                suffix = "" if number == 1 else f"-{number}"
                try:
                    page.screenshot(path=artifact_path(request.node.name + suffix), full_page=True)
                except Exception as error:  # the page may have crashed; keep the real failure
                    print(f"Could not take a screenshot of {page.url}: {error}")
        context.close()


@pytest.fixture
def context(new_context: Callable[..., BrowserContext]) -> BrowserContext:
    return new_context()


@pytest.fixture
def new_page(context: BrowserContext) -> Callable[[], Page]:
    """Open another tab in this test's context (same cookies)."""
    return context.new_page


@pytest.fixture
def page(new_page: Callable[[], Page]) -> Page:
    return new_page()
