"""Builders for tests: they go through the real actions, so tests see what users would."""

import itertools
import threading
from collections.abc import Callable
from typing import Any

from django.db import connection

from fanworks.accounts.actions import user_create
from fanworks.accounts.models import User
from fanworks.works.actions import ChapterData, WorkData, work_create
from fanworks.works.models import Work

_counter = itertools.count(1)
DEFAULT_PASSWORD = "correct-horse-battery-staple-42"  # noqa: S105 (test accounts only)
PROSE = (
    "The lanterns along the harbour wall flickered as Mira counted the ships coming home. "
    "None of them carried the flag she was waiting for, and the tide was already turning."
)


def make_user(username: str | None = None, *, password: str = DEFAULT_PASSWORD) -> User:
    name = username or f"reader{next(_counter)}"
    return user_create(username=name, email=f"{name}@example.org", password=password)


def work_data(user: User, **overrides: Any) -> WorkData:
    values: dict[str, Any] = {
        "title": "Harbour Lights",
        "rating": "General Audiences",
        "warnings": ["No Archive Warnings Apply"],
        "fandoms": ["Tidewater Chronicles"],
        "language": "en",
        "pseud_ids": [user.pseuds.get(is_default=True).pk],
    }
    values.update(overrides)
    return WorkData(**values)


def make_work(
    user: User | None = None,
    *,
    post: bool = True,
    content: str = PROSE,
    chapter_title: str = "",
    **overrides: Any,
) -> Work:
    creator = user or make_user()
    return work_create(
        user=creator,
        data=work_data(creator, **overrides),
        chapter=ChapterData(content=content, title=chapter_title),
        post=post,
    )


def run_together(count: int, target: Callable[[int], Any]) -> tuple[list[Any], list[Exception]]:
    """Call `target(0)` … `target(count - 1)` in `count` threads released at the same moment,
    each on its own database connection (closed afterwards): what parallel requests do.
    Returns the results and the exceptions raised, for the test to assert on."""
    barrier = threading.Barrier(count)
    results: list[Any] = []
    errors: list[Exception] = []

    def worker(index: int) -> None:
        try:
            barrier.wait(timeout=10)
            results.append(target(index))
        except Exception as error:  # collected and asserted on by the test
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results, errors


def restart_id_sequences() -> None:
    """Set each table's id sequence back to just above its highest id, as on a fresh database.

    The demo decides what it makes from the seed and row ids. On SQLite a test's rolled-back
    rows take their ids with them, so every run sees the same ids; PostgreSQL's sequences keep
    counting across tests, so what the demo makes would depend on which tests ran before in
    the same process. Call this first in such a test (it changes no row)."""
    if connection.vendor != "postgresql":
        return
    from django.apps import apps
    from django.core.management.color import no_style

    statements = connection.ops.sequence_reset_sql(no_style(), apps.get_models())
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)
