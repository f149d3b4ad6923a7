"""Comments: posting, replies nested five deep, editing, deleting and freezing."""

import re
import uuid

import pytest
from django.test import Client

from fanworks.accounts.models import User
from fanworks.core.testing import make_work
from fanworks.engagement.comment_actions import (
    comment_create,
    comment_delete,
)
from fanworks.engagement.models import Comment
from fanworks.engagement.tests.comment_helpers import (
    by,
    counted,
    established,
    logged_in,
    post,
    reply,
    snapshot,
)
from fanworks.search.models import SearchOutbox
from fanworks.works.actions import ChapterData, chapter_create, chapter_delete
from fanworks.works.models import CommentPermission

pytestmark = pytest.mark.django_db

# Posting


def test_a_reader_comments_and_the_count_reaches_search() -> None:
    work = make_work(established())
    reader = established("harbourfan")
    queued = SearchOutbox.objects.filter(work_id=work.pk).count()
    response = post(logged_in(reader), work, "<p>Loved <em>this</em>!</p>")
    comment = Comment.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/works/{work.pk}#comment_{comment.pk}"
    assert comment.pseud is not None and comment.pseud.name == "harbourfan"
    assert (comment.user, comment.depth, comment.thread) == (reader, 0, None)
    assert comment.content_html == "<p>Loved <em>this</em>!</p>"
    assert counted(work) == 1
    assert SearchOutbox.objects.filter(work_id=work.pk).count() == queued + 1
    page = Client().get(f"/works/{work.pk}").content.decode()
    assert "Comments (1)" in page
    assert f'id="comment_{comment.pk}"' in page
    assert '<dd class="comments">1</dd>' in page


def test_comments_are_sanitised_and_scripts_never_reach_the_page() -> None:
    work = make_work(established())
    post(logged_in(established()), work, 'Hi<script>alert(1)</script><img src=x onerror="a()">')
    comment = Comment.objects.get()
    assert "<script" not in comment.content_html and "onerror" not in comment.content_html
    assert "script" in comment.content  # the raw input is kept, the HTML is what is shown
    page = Client().get(f"/works/{work.pk}").content.decode()
    assert "alert(1)" not in page and "onerror" not in page


def test_guests_comment_with_a_name_and_email_that_is_never_shown() -> None:
    work = make_work(established(), comment_permission=CommentPermission.EVERYONE)
    response = post(Client(), work, "From a lurker", name="Lurker", email="lurk@example.org")
    assert response.status_code == 302
    comment = Comment.objects.get()
    assert (comment.user, comment.guest_name, comment.guest_email) == (
        None, "Lurker", "lurk@example.org",
    )  # fmt: skip
    page = Client().get(f"/works/{work.pk}").content.decode()
    assert 'Lurker <span class="role">(Guest)</span>' in page
    assert "lurk@example.org" not in page


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"name": "", "email": "a@example.org"}, "name", "Please enter your name."),
        ({"name": "Ann", "email": "not-an-address"}, "email", "valid e-mail address"),
        ({"name": "Ann", "email": ""}, "email", "valid e-mail address"),
    ],
)
def test_guests_need_a_name_and_a_valid_email(data: dict, field: str, message: str) -> None:
    work = make_work(established(), comment_permission=CommentPermission.EVERYONE)
    response = post(Client(), work, "Kept text, not lost", **data)
    assert response.status_code == 400
    page = response.content.decode()
    assert message in page
    assert "Kept text, not lost" in page
    assert Comment.objects.count() == 0
    assert counted(work) == 0


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "Please write a comment before posting."),
        ("   \n ", "Please write a comment before posting."),
        ("x" * 10_001, "at most 10,000 characters"),
        ("<div>" * 600 + "deep", "nested more than 512 levels"),
    ],
)
def test_bad_comments_come_back_with_the_reason_and_change_nothing(text: str, message: str) -> None:
    work = make_work(established())
    response = post(logged_in(established()), work, text)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert Comment.objects.count() == 0
    assert counted(work) == 0


def test_malformed_requests_are_4xx_never_500() -> None:
    work = make_work(established())
    client = logged_in(established())
    chapter = work.chapters.get()
    assert client.post("/chapters/999999/comments", {}).status_code == 404
    assert client.post("/comments/999999/comments", {}).status_code == 404
    assert client.get("/comments/abc").status_code == 404
    assert client.get(f"/chapters/{chapter.pk}/comments/x").status_code == 404
    response = client.post(
        f"/chapters/{chapter.pk}/comments",
        {"comment[comment_content]": "ok text", "comment[creation_key]": "not-a-uuid"},
    )
    assert response.status_code == 400
    assert "please reload the page" in response.content.decode()
    assert client.post(f"/chapters/{chapter.pk}/comments", {}).status_code == 400
    assert client.delete(f"/chapters/{chapter.pk}/comments").status_code == 405
    assert client.get("/comments/1/freeze").status_code == 405
    assert Comment.objects.count() == 0


def test_a_double_submit_posts_one_comment() -> None:
    work = make_work(established())
    client = logged_in(established())
    key = str(uuid.uuid4())
    first = post(client, work, "Only once please", creation_key=key)
    second = post(client, work, "Only once please", creation_key=key)
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    assert Comment.objects.count() == 1
    assert counted(work) == 1


def test_the_work_page_form_carries_a_fresh_key() -> None:
    work = make_work(established())
    page = logged_in(established()).get(f"/works/{work.pk}").content.decode()
    keys = re.findall(r'name="comment\[creation_key\]" value="([0-9a-f-]{36})"', page)
    assert len(keys) == 1
    assert f'action="/chapters/{work.chapters.get().pk}/comments"' in page
    assert 'name="comment[comment_content]"' in page


def test_comments_belong_to_chapters_and_each_chapter_shows_its_own() -> None:
    creator = established()
    work = make_work(creator)
    second = chapter_create(work=work, data=ChapterData(content="Second chapter text."), post=True)
    first = work.chapters.get(position=1)
    reader = established()
    comment_create(work=work, chapter=first, by=by(reader), content="On one")
    comment_create(work=work, chapter=second, by=by(reader), content="On two")
    client = Client()
    one = client.get(f"/works/{work.pk}/chapters/{first.pk}").content.decode()
    two = client.get(f"/works/{work.pk}/chapters/{second.pk}").content.decode()
    full = client.get(f"/works/{work.pk}?view_full_work=true").content.decode()
    assert "On one" in one and "On two" not in one and "Comments (1)" in one
    assert "On two" in two and "On one" not in two
    assert "On one" in full and "On two" in full and "Comments (2)" in full
    # A chapter deleted takes its comments, and the count follows.
    chapter_delete(chapter=second)
    assert counted(work) == 1


def test_threads_are_paginated_oldest_first_and_bad_pages_give_the_nearest() -> None:
    work = make_work(established())
    chapter = work.chapters.get()
    reader = established()
    for n in range(23):
        comment_create(work=work, chapter=chapter, by=by(reader), content=f"thread number {n}")
    client = Client()
    first = client.get(f"/works/{work.pk}").content.decode()
    assert "thread number 0<" in first and "thread number 19<" in first
    assert "thread number 20<" not in first
    assert "Page 1 of 2" in first
    second = client.get(f"/works/{work.pk}?page=2").content.decode()
    assert "thread number 22<" in second and "thread number 0<" not in second
    for bad in ("0", "-3", "abc", "999"):
        assert client.get(f"/works/{work.pk}?page={bad}").status_code == 200
    response = post(logged_in(reader), work, "the newest thread")
    newest = Comment.objects.get(content="the newest thread")
    assert response["Location"] == f"/works/{work.pk}?page=2#comment_{newest.pk}"


# ---------------------------------------------------------------------------------------------
# Replies and threads


def test_replies_nest_and_the_creator_reply_shows_under_the_comment() -> None:
    creator = established("skipper")
    work = make_work(creator)
    reader = established()
    post(logged_in(reader), work, "Top level")
    top = Comment.objects.get()
    response = reply(logged_in(creator), top, "Creator says thanks")
    assert response.status_code == 302
    answer = Comment.objects.get(parent=top)
    assert (answer.thread, answer.depth, answer.chapter_id) == (top, 1, top.chapter_id)
    page = Client().get(f"/works/{work.pk}").content.decode()
    nested = re.search(
        rf'id="comment_{top.pk}".*?<ol class="thread">\s*<li[^>]*id="comment_{answer.pk}"',
        page,
        re.S,
    )
    assert nested is not None
    assert counted(work) == 2


def test_threads_show_five_levels_then_continue_this_thread() -> None:
    work = make_work(established())
    chapter = work.chapters.get()
    people = [established() for _ in range(2)]
    chain = [comment_create(work=work, chapter=chapter, by=by(people[0]), content="level 0")]
    for level in range(1, 8):
        chain.append(
            comment_create(
                work=work, chapter=chapter, by=by(people[level % 2]), parent=chain[-1],
                content=f"level {level}",
            )
        )  # fmt: skip
    assert [c.depth for c in chain] == list(range(8))
    assert {c.thread_id for c in chain[1:]} == {chain[0].pk}
    page = Client().get(f"/works/{work.pk}").content.decode()
    for level in range(5):
        assert f"level {level}<" in page
    assert "level 5<" not in page
    assert f'<a href="/comments/{chain[4].pk}">Continue this thread →</a>' in page
    deeper = Client().get(f"/comments/{chain[4].pk}").content.decode()
    assert "level 4<" in deeper and "level 7<" in deeper and "level 3<" not in deeper
    assert "Continue this thread" not in deeper


def test_edit_marks_the_comment_edited_and_only_its_author_may() -> None:
    work = make_work(established())
    author = established()
    client = logged_in(author)
    post(client, work, "Frist")
    comment = Comment.objects.get()
    form = client.get(f"/comments/{comment.pk}/edit").content.decode()
    assert "Frist</textarea>" in form
    response = client.post(f"/comments/{comment.pk}/edit", {"comment[comment_content]": "First"})
    assert response.status_code == 302
    comment.refresh_from_db()
    assert comment.content == "First" and comment.edited_at is not None
    assert "Last edited" in Client().get(f"/works/{work.pk}").content.decode()
    bad = client.post(f"/comments/{comment.pk}/edit", {"comment[comment_content]": ""})
    assert bad.status_code == 400
    before = snapshot()
    other = logged_in(established())
    refused = other.post(f"/comments/{comment.pk}/edit", {"comment[comment_content]": "X"})
    assert refused.status_code == 403
    assert snapshot() == before


def test_deleting_a_comment_with_replies_leaves_a_placeholder() -> None:
    work = make_work(established())
    chapter = work.chapters.get()
    author, answerer = established(), established()
    top = comment_create(work=work, chapter=chapter, by=by(author), content="Going away")
    answer = comment_create(work=work, chapter=chapter, by=by(answerer), parent=top, content="Stay")
    assert counted(work) == 2
    response = logged_in(author).post(f"/comments/{top.pk}/delete")
    assert response.status_code == 302
    top.refresh_from_db()
    assert top.deleted and top.content == "" and top.content_html == ""
    assert counted(work) == 1
    page = Client().get(f"/works/{work.pk}").content.decode()
    assert "(Previous comment deleted.)" in page and "Going away" not in page and "Stay<" in page
    # Deleting twice changes nothing; the placeholder goes with its last reply.
    comment_delete(comment=top)
    assert counted(work) == 1
    logged_in(answerer).post(f"/comments/{answer.pk}/delete")
    assert Comment.objects.count() == 0
    assert counted(work) == 0


def test_the_creator_and_admins_delete_comments_on_the_work() -> None:
    creator = established()
    work = make_work(creator)
    chapter = work.chapters.get()
    admin = established()
    User.objects.filter(pk=admin.pk).update(is_staff=True)
    first = comment_create(work=work, chapter=chapter, by=by(established()), content="one")
    second = comment_create(work=work, chapter=chapter, by=by(established()), content="two")
    assert logged_in(creator).get(f"/comments/{first.pk}/delete").status_code == 200
    assert logged_in(creator).post(f"/comments/{first.pk}/delete").status_code == 302
    as_admin = logged_in(User.objects.get(pk=admin.pk))
    assert as_admin.post(f"/comments/{second.pk}/delete").status_code == 302
    assert Comment.objects.count() == 0
    assert counted(work) == 0


def test_a_frozen_thread_takes_no_replies_or_edits() -> None:
    creator = established()
    work = make_work(creator)
    chapter = work.chapters.get()
    author = established()
    top = comment_create(work=work, chapter=chapter, by=by(author), content="Top")
    below = comment_create(work=work, chapter=chapter, by=by(author), parent=top, content="Below")
    assert logged_in(author).post(f"/comments/{top.pk}/freeze").status_code == 403
    assert not Comment.objects.filter(frozen=True).exists()
    assert logged_in(creator).post(f"/comments/{top.pk}/freeze").status_code == 302
    assert Comment.objects.filter(frozen=True).count() == 2
    before = snapshot()
    response = reply(logged_in(established()), below, "Too late")
    assert response.status_code == 403
    assert "This thread is frozen" in response.content.decode()
    assert "Too late" in response.content.decode()  # given back to copy
    edit = logged_in(author).post(f"/comments/{below.pk}/edit", {"comment[comment_content]": "E"})
    assert edit.status_code == 403
    assert snapshot() == before
    page = logged_in(author).get(f"/works/{work.pk}").content.decode()
    assert f"/comments/{below.pk}/comments" not in page and f"/comments/{below.pk}/edit" not in page
    logged_in(creator).post(f"/comments/{top.pk}/unfreeze")
    assert not Comment.objects.filter(frozen=True).exists()
    assert reply(logged_in(established()), below, "Now fine").status_code == 302
