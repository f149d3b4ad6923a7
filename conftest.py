"""Test-wide settings and the CI rule that suites needing a server must not be skipped."""

import os

import pytest

MUST_RUN_IN_CI = {"browser", "postgres"}


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() in {"1", "true", "yes"}


@pytest.fixture(autouse=True)
def _fresh_search_index(settings, tmp_path_factory):
    # Each test starts without a search index: the database is rolled back after every test,
    # so an index kept from an earlier one would describe works that no longer exist. Pages
    # then answer from SQL until a test builds an index (indexer.run_round).
    from fanworks.search import indexer

    settings.SEARCH_INDEX_DIR = tmp_path_factory.mktemp("search-index")
    yield
    with indexer._indexes_lock:
        indexer._indexes.clear()


@pytest.fixture(autouse=True)
def _fast_test_settings(settings):
    # Argon2 is deliberately slow; tests that are not about hashing use a fast hasher.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Background jobs run as soon as the transaction that queued them commits.
    settings.JOBS_EAGER = True
    # Cached overviews (popular fandoms) must not leak from one test into the next.
    from django.core.cache import cache

    cache.clear()
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if report.skipped and in_ci() and MUST_RUN_IN_CI & {m.name for m in item.iter_markers()}:
        report.outcome = "failed"
        reason = report.longrepr[-1] if isinstance(report.longrepr, tuple) else report.longrepr
        report.longrepr = f"CI=true: this suite must run, but it was skipped: {reason}"


def pytest_collection_modifyitems(config, items):
    """With CI=true, a run that selects browser journeys must actually contain some."""
    config._fanworks_browser_selected = any(item.get_closest_marker("browser") for item in items)


def pytest_sessionfinish(session, exitstatus):
    markexpr = session.config.getoption("-m") or ""
    wants_browser = "not browser" not in markexpr
    if (
        in_ci()
        and wants_browser
        and not getattr(session.config, "_fanworks_browser_selected", False)
    ):
        print("\nCI=true: no browser journeys were collected; failing.")
        session.exitstatus = 1
