"""Comments: posting, replies nested five deep, editing, deleting, freezing, moderation, rate
limits, and the work page that shows them."""

import re
import uuid
from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import IntegrityError, transaction
from django.test import Client
from django.utils import timezone

from fanworks.accounts.models import User
from fanworks.core.models import RateLimitCounter
from fanworks.core.testing import make_user, make_work
from fanworks.engagement.comment_actions import (
    Commenter,
    comment_approve,
    comment_create,
    comment_delete,
)
from fanworks.engagement.models import Comment, CommentState
from fanworks.search.models import SearchOutbox
from fanworks.works.actions import ChapterData, chapter_create, chapter_delete
from fanworks.works.models import CommentPermission, Work

pytestmark = pytest.mark.django_db


def logged_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def established(name: str | None = None) -> User:
    """A user old enough not to be rate-limited."""
    user = make_user(name)
    User.objects.filter(pk=user.pk).update(date_joined=timezone.now() - timedelta(days=30))
    user.refresh_from_db()
    return user


def by(user: User) -> Commenter:
    return Commenter(user=user, pseud=user.pseuds.get(is_default=True))


def post(client: Client, work: Work, text: str = "Loved the harbour scene!", **extra: str):
    chapter = work.chapters.order_by("position")[0]
    data = {"comment[comment_content]": text, **{f"comment[{k}]": v for k, v in extra.items()}}
    return client.post(f"/chapters/{chapter.pk}/comments", data, REMOTE_ADDR="203.0.113.5")


def reply(client: Client, parent: Comment, text: str = "Thank you!", **extra: str):
    data = {"comment[comment_content]": text, **{f"comment[{k}]": v for k, v in extra.items()}}
    return client.post(f"/comments/{parent.pk}/comments", data, REMOTE_ADDR="203.0.113.5")


def counted(work: Work) -> int:
    """The work's stored comment count, checked against the rows."""
    work.refresh_from_db()
    rows = Comment.objects.filter(work=work, state=CommentState.APPROVED, deleted=False).count()
    assert work.comment_count == rows
    return work.comment_count


def snapshot() -> list[tuple]:
    return list(Comment.objects.order_by("pk").values_list())


# ---------------------------------------------------------------------------------------------
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


# ---------------------------------------------------------------------------------------------
# Permission settings, moderation, blocking, muting


def test_the_works_comment_setting_decides_who_may_comment() -> None:
    creator = established()
    nobody = make_work(creator, comment_permission=CommentPermission.NOBODY)
    registered = make_work(creator, comment_permission=CommentPermission.REGISTERED)
    reader = logged_in(established())
    response = post(reader, nobody, "Hello")
    assert response.status_code == 403
    assert "doesn&#x27;t allow comments" in response.content.decode()
    guest = post(Client(), registered, "Hello", name="G", email="g@example.org")
    assert guest.status_code == 403
    assert "only allows comments from users with an Archive account" in guest.content.decode()
    assert Comment.objects.count() == 0
    page = Client().get(f"/works/{registered.pk}").content.decode()
    assert "only allows comments from users with an Archive account" in page
    assert 'name="comment[comment_content]"' not in page
    assert post(reader, registered, "Hello").status_code == 302


def test_moderated_comments_wait_for_the_creator() -> None:
    creator = established()
    work = make_work(creator, comment_permission=CommentPermission.EVERYONE)
    Work.objects.filter(pk=work.pk).update(moderate_comments=True)
    author = established()
    response = post(logged_in(author), work, "Please approve me")
    assert response.status_code == 302
    comment = Comment.objects.get()
    assert comment.state == CommentState.UNREVIEWED
    assert counted(work) == 0
    assert "Please approve me" not in Client().get(f"/works/{work.pk}").content.decode()
    assert "Please approve me" in logged_in(author).get(f"/works/{work.pk}").content.decode()
    assert Client().get(f"/comments/{comment.pk}").status_code == 404
    assert reply(logged_in(creator), comment, "Not yet").status_code == 403
    queue = logged_in(creator).get(f"/works/{work.pk}/comments/unreviewed")
    assert queue.status_code == 200 and "Please approve me" in queue.content.decode()
    assert logged_in(author).get(f"/works/{work.pk}/comments/unreviewed").status_code == 404
    assert Client().get(f"/works/{work.pk}/comments/unreviewed").status_code == 302
    assert logged_in(author).post(f"/comments/{comment.pk}/approve").status_code == 403
    assert counted(work) == 0
    approve = logged_in(creator).post(
        f"/comments/{comment.pk}/approve", {"return_to": "unreviewed"}
    )
    assert approve["Location"] == f"/works/{work.pk}/comments/unreviewed"
    assert counted(work) == 1
    comment_approve(comment=comment)  # twice counts once
    assert counted(work) == 1
    assert "Please approve me" in Client().get(f"/works/{work.pk}").content.decode()
    # The creator's own comments never wait.
    reply(logged_in(creator), comment, "Thanks!")
    assert Comment.objects.get(parent=comment).state == CommentState.APPROVED


def test_blocked_users_cannot_comment_or_reply_to_the_blocker() -> None:
    from fanworks.accounts.models import Block

    creator = established()
    work = make_work(creator)
    chapter = work.chapters.get()
    pest, reader = established(), established()
    theirs = comment_create(work=work, chapter=chapter, by=by(reader), content="A reader's")
    Block.objects.create(blocker=reader, blocked=pest)
    before = snapshot()
    response = reply(logged_in(pest), theirs, "Hey")
    assert response.status_code == 403 and "blocked by that user" in response.content.decode()
    assert snapshot() == before
    assert post(logged_in(pest), work, "Top-level is fine").status_code == 302
    Block.objects.create(blocker=creator, blocked=pest)
    before = snapshot()
    response = post(logged_in(pest), work, "Not any more")
    assert response.status_code == 403
    assert "blocked by one or more of this work" in response.content.decode()
    mine = Comment.objects.get(user=pest)
    edit = logged_in(pest).post(f"/comments/{mine.pk}/edit", {"comment[comment_content]": "E"})
    assert edit.status_code == 403
    assert snapshot() == before


def test_muted_users_comments_disappear_for_the_muter_only() -> None:
    from fanworks.accounts.models import Mute

    creator = established()
    work = make_work(creator)
    chapter = work.chapters.get()
    loud, muter = established("loud"), established("muter")
    top = comment_create(work=work, chapter=chapter, by=by(loud), content="LOUD OPINION")
    comment_create(work=work, chapter=chapter, by=by(creator), content="Quiet one")
    Mute.objects.create(muter=muter, muted=loud)
    page = logged_in(muter).get(f"/works/{work.pk}").content.decode()
    assert "LOUD OPINION" not in page and "Quiet one" in page
    assert "Comments (1)" in page and '<dd class="comments">1</dd>' in page
    assert logged_in(muter).get(f"/comments/{top.pk}").status_code == 404
    # Nor do they wait in the muter's moderation queue.
    Work.objects.filter(pk=work.pk).update(moderate_comments=True)
    work.refresh_from_db()
    Mute.objects.create(muter=creator, muted=loud)
    comment_create(work=work, chapter=chapter, by=by(loud), content="LOUD AND WAITING")
    queue = logged_in(creator).get(f"/works/{work.pk}/comments/unreviewed").content.decode()
    assert "LOUD AND WAITING" not in queue and "No comments are waiting" in queue
    others = Client().get(f"/works/{work.pk}").content.decode()
    assert "LOUD OPINION" in others and "Comments (2)" in others


def test_unposted_chapters_and_drafts_take_no_comments() -> None:
    creator = established()
    work = make_work(creator)
    draft_chapter = chapter_create(
        work=work, data=ChapterData(content="Draft chapter."), post=False
    )
    reader = logged_in(established())
    data = {"comment[comment_content]": "Hi"}
    assert reader.post(f"/chapters/{draft_chapter.pk}/comments", data).status_code == 404
    creator_response = logged_in(creator).post(f"/chapters/{draft_chapter.pk}/comments", data)
    assert creator_response.status_code == 403
    assert Comment.objects.count() == 0


def test_the_database_holds_the_comment_rules() -> None:
    work = make_work(established())
    chapter = work.chapters.get()
    user = established()
    pseud = user.pseuds.get()
    with pytest.raises(IntegrityError), transaction.atomic():
        Comment.objects.create(work=work, chapter=chapter, content="nobody")
    with pytest.raises(IntegrityError), transaction.atomic():
        Comment.objects.create(
            work=work, chapter=chapter, user=user, pseud=pseud, guest_name="x",
            guest_email="x@example.org", content="both",
        )  # fmt: skip
    top = Comment.objects.create(work=work, chapter=chapter, user=user, pseud=pseud, content="t")
    with pytest.raises(IntegrityError), transaction.atomic():
        Comment.objects.create(
            work=work, chapter=chapter, user=user, pseud=pseud, parent=top, content="no thread"
        )
    key = uuid.uuid4()
    Comment.objects.create(work=work, chapter=chapter, user=user, pseud=pseud, creation_key=key)
    with pytest.raises(IntegrityError), transaction.atomic():
        Comment.objects.create(work=work, chapter=chapter, user=user, pseud=pseud, creation_key=key)


# ---------------------------------------------------------------------------------------------
# Rate limits


def test_guests_are_rate_limited_and_told_when_to_retry(settings) -> None:
    settings.COMMENT_THROTTLE_GUEST = 2
    work = make_work(established(), comment_permission=CommentPermission.EVERYONE)
    client = Client()
    guest = {"name": "Gull", "email": "gull@example.org"}
    assert post(client, work, "one", **guest).status_code == 302
    assert post(client, work, "two", **guest).status_code == 302
    response = post(client, work, "three, kept", **guest)
    assert response.status_code == 429
    wait = int(response["Retry-After"])
    assert 0 < wait <= 600
    page = response.content.decode()
    assert "Please try again in" in page and "UTC" in page
    assert "three, kept" in page
    assert Comment.objects.count() == 2
    assert counted(work) == 2
    # Another guest (another address) is not held back by this one.
    other = Client().post(
        f"/chapters/{work.chapters.get().pk}/comments",
        {"comment[comment_content]": "me too", "comment[name]": "B", "comment[email]": "b@e.org"},
        REMOTE_ADDR="198.51.100.1",
    )
    assert other.status_code == 302


def test_new_accounts_are_rate_limited_and_older_ones_are_not(settings) -> None:
    settings.COMMENT_THROTTLE_NEW_ACCOUNT = 1
    work = make_work(established())
    fresh = logged_in(make_user())
    assert post(fresh, work, "one").status_code == 302
    assert post(fresh, work, "two").status_code == 429
    older = established()
    old = logged_in(older)
    for n in range(3):
        assert post(old, work, f"old {n}").status_code == 302
    assert not RateLimitCounter.objects.filter(key=f"comment:user:{older.pk}").exists()
    assert RateLimitCounter.objects.filter(key__startswith="comment:user:").count() == 1


# ---------------------------------------------------------------------------------------------
# Pages


def test_the_comment_form_link_from_downloads_leads_to_the_work() -> None:
    work = make_work(established())
    response = Client().get(f"/works/{work.pk}/comments/new")
    assert response["Location"] == f"/works/{work.pk}#add_comment"
    draft = make_work(established(), post=False)
    assert Client().get(f"/works/{draft.pk}/comments/new").status_code == 404


def test_a_work_without_comments_costs_no_comment_query(django_assert_max_num_queries) -> None:
    from fanworks.engagement.queries import chapter_threads, comment_viewer

    work = make_work(established())
    who = comment_viewer(AnonymousUser(), work)
    chapters = list(work.chapters.all())
    with django_assert_max_num_queries(0):
        assert chapter_threads(who, work, chapters, None).threads == []


def test_the_stats_page_counts_comment_threads_per_work_and_in_total() -> None:
    creator = established("statwriter")
    busy, quiet = make_work(creator, title="Busy"), make_work(creator, title="Quiet")
    reader = established()
    first = comment_create(
        work=busy, chapter=busy.chapters.get(), by=by(reader), content="thread one"
    )
    comment_create(
        work=busy, chapter=busy.chapters.get(), by=by(creator), parent=first, content="r"
    )
    comment_create(work=busy, chapter=busy.chapters.get(), by=by(reader), content="thread two")
    comment_create(work=quiet, chapter=quiet.chapters.get(), by=by(reader), content="only one")
    from fanworks.engagement.stats import work_stats

    works, totals = work_stats(creator, "comments")
    assert [(w.title, w.values["comments"]) for w in works] == [("Busy", 2), ("Quiet", 1)]
    assert totals["comments"] == 3
    page = logged_in(creator).get("/users/statwriter/stats").content.decode()
    assert "Comment threads" in page
    assert '<td class="number comments">3</td>' in page


def test_the_posting_form_turns_moderation_on_and_off() -> None:
    creator = established()
    work = make_work(creator)
    client = logged_in(creator)
    form = client.get(f"/works/{work.pk}/edit").content.decode()
    assert 'name="moderate_comments"' in form
    from fanworks.works.actions import work_update
    from fanworks.works.forms import EditWorkForm

    data = EditWorkForm.initial_for(work)
    data.update(moderate_comments=True, version=work.version)
    bound = EditWorkForm(data, user=creator)
    assert bound.is_valid(), bound.errors
    work_update(user=creator, work=work, data=bound.work_data(), expected_version=work.version)
    work.refresh_from_db()
    assert work.moderate_comments
    page = logged_in(established()).get(f"/works/{work.pk}").content.decode()
    assert "Comments on this work are moderated" in page


def test_a_creation_key_from_another_form_posts_nothing_and_shows_nothing() -> None:
    work = make_work(established())
    key = str(uuid.uuid4())
    post(logged_in(established()), work, "Mine", creation_key=key)
    other = post(logged_in(established()), work, "Someone else's", creation_key=key)
    assert other.status_code == 400
    assert "This form was already used" in other.content.decode()
    assert "Someone else&#x27;s" in other.content.decode()
    assert list(Comment.objects.values_list("content", flat=True)) == ["Mine"]


def test_the_work_page_costs_the_same_queries_for_few_or_many_comments() -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    creator = established()
    work = make_work(creator)
    chapter = work.chapters.get()
    viewer = logged_in(established())
    people = [established() for _ in range(3)]

    def add(count: int) -> None:
        for n in range(count):
            top = comment_create(work=work, chapter=chapter, by=by(people[n % 3]), content="t")
            comment_create(work=work, chapter=chapter, by=by(creator), parent=top, content="r")

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert viewer.get(f"/works/{work.pk}").status_code == 200
        return len(captured)

    add(2)
    viewer.get(f"/works/{work.pk}")  # the first visit writes the hit and the history
    few = queries()
    add(12)
    assert queries() == few
