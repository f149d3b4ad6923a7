"""Comments: who may comment (the work's setting, moderation, blocking, muting), rate limits,
and the pages around them."""

import uuid

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import IntegrityError, transaction
from django.test import Client

from fanworks.core.models import RateLimitCounter
from fanworks.core.testing import make_user, make_work
from fanworks.engagement.comment_actions import (
    comment_approve,
    comment_create,
)
from fanworks.engagement.models import Comment, CommentState
from fanworks.engagement.tests.comment_helpers import (
    by,
    counted,
    established,
    logged_in,
    post,
    reply,
    snapshot,
)
from fanworks.works.actions import ChapterData, chapter_create
from fanworks.works.models import CommentPermission, Work

pytestmark = pytest.mark.django_db

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
