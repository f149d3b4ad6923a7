"""The archive's busiest writes stay cheap: an upper bound on the SQL statements of each.

Kudos, a comment and a bookmark (new, then edited) are posted by a logged-in reader through
the whole middleware stack, with real transactions (as the server runs them) and jobs left to
the runner. Every statement counts (session and user loads, savepoints, the writes) except
BEGIN and COMMIT, which only some databases log. bench/write_cost.py measures the CPU time
these bounds stand for; raise a bound only with a reason.
"""

import uuid
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from fanworks.core.models import Job
from fanworks.core.testing import make_user, make_work
from fanworks.engagement.models import Bookmark, Comment, Kudos, Notification
from fanworks.works.models import Work

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

# Statements per write. Before these were cut (bench/README.md, "write_cost.py"): kudos 10,
# comment 20, new bookmark 15, edited bookmark 10; bookmarks now also write their search
# outbox row (one INSERT each), so 16 and 11 on the old code.
KUDOS = 8
COMMENT = 17
BOOKMARK_NEW = 14
BOOKMARK_EDIT = 10


def statements(captured: CaptureQueriesContext) -> list[str]:
    return [
        query["sql"]
        for query in captured.captured_queries
        if not query["sql"].upper().startswith(("BEGIN", "COMMIT"))
    ]


@pytest.fixture
def scene(client, settings):
    settings.JOBS_EAGER = False  # as in production: the runner sends the e-mails later
    creator = make_user("creator")
    work = make_work(creator)
    reader = make_user("reader")
    # A reader of some standing, as most are: new accounts' comments are also rate-limited
    # (a counter read and written), which bench/writes.py's writers are not either.
    type(reader).objects.filter(pk=reader.pk).update(
        date_joined=timezone.now() - timedelta(days=90)
    )
    client.force_login(reader)
    return client, work, reader


def test_kudos_statements(scene):
    client, work, reader = scene
    with CaptureQueriesContext(connection) as captured:
        response = client.post(f"/works/{work.pk}/kudos")
    assert response.status_code == 302
    assert Kudos.objects.filter(work=work, user=reader).count() == 1
    assert Work.objects.get(pk=work.pk).kudos_count == 1
    assert len(statements(captured)) <= KUDOS, statements(captured)


def test_comment_statements(scene):
    client, work, reader = scene
    chapter = work.chapters.get()
    form = {"comment[comment_content]": "Lovely.", "comment[creation_key]": str(uuid.uuid4())}
    with CaptureQueriesContext(connection) as captured:
        response = client.post(f"/chapters/{chapter.pk}/comments", form)
    assert response.status_code == 302
    comment = Comment.objects.get(work=work, user=reader)
    # Everything the comment promises happened: the counter, the creator's inbox entry and
    # the job that will e-mail it.
    assert Work.objects.get(pk=work.pk).comment_count == 1
    assert Notification.objects.filter(event_key=f"comment:{comment.pk}").count() == 1
    assert Job.objects.filter(kind="engagement.comment_mail").count() == 1
    assert len(statements(captured)) <= COMMENT, statements(captured)


def test_bookmark_statements_new_then_edited(scene):
    client, work, reader = scene
    form = {
        "bookmark[notes]": "First.",
        # A tag that exists already, as most bookmark tags do (a new one is created first).
        "bookmark[tag_string]": "Tidewater Chronicles",
        "bookmark[pseud_id]": str(reader.pseuds.get(is_default=True).pk),
    }
    with CaptureQueriesContext(connection) as created:
        assert client.post(f"/works/{work.pk}/bookmarks", form).status_code == 302
    with CaptureQueriesContext(connection) as edited:
        form["bookmark[notes]"] = "Second."
        assert client.post(f"/works/{work.pk}/bookmarks", form).status_code == 302
    bookmark = Bookmark.objects.get(work=work, user=reader)
    assert bookmark.notes == "Second."
    assert [tag.name for tag in bookmark.tags.all()] == ["Tidewater Chronicles"]
    assert Work.objects.get(pk=work.pk).bookmark_count == 1
    assert len(statements(created)) <= BOOKMARK_NEW, statements(created)
    assert len(statements(edited)) <= BOOKMARK_EDIT, statements(edited)
