"""Test-wide settings and the CI rule that suites needing a server must not be skipped."""

import os

import pytest

MUST_RUN_IN_CI = {"browser", "postgres", "clients"}


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


# Suites that need more than the database; with CI=true a run that means to include one must
# actually contain some of its tests (a missing or mis-marked suite fails instead of vanishing).
MUST_BE_COLLECTED_IN_CI = ("browser", "clients")


def pytest_collection_modifyitems(config, items):
    config._fanworks_selected = {
        name
        for name in MUST_BE_COLLECTED_IN_CI
        if any(item.get_closest_marker(name) for item in items)
    }


def pytest_sessionfinish(session, exitstatus):
    if not in_ci():
        return
    markexpr = session.config.getoption("-m") or ""
    selected = getattr(session.config, "_fanworks_selected", set())
    for name in MUST_BE_COLLECTED_IN_CI:
        if f"not {name}" not in markexpr and name not in selected:
            print(f"\nCI=true: no {name} tests were collected; failing.")
            session.exitstatus = 1
