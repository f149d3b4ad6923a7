"""Comments reach the inbox: the creators hear of every comment on their work, a commenter of
every reply to their comment, each once, and by e-mail at once when they want it."""

from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from fanworks.accounts.actions import mute_user
from fanworks.accounts.models import User
from fanworks.core.testing import make_user, make_work
from fanworks.engagement.comment_actions import Commenter, comment_approve, comment_create
from fanworks.engagement.models import Comment, Notification, NotificationKind
from fanworks.works.models import Work

pytestmark = pytest.mark.django_db


def established(name: str) -> User:
    user = make_user(name)
    User.objects.filter(pk=user.pk).update(date_joined=timezone.now() - timedelta(days=30))
    user.refresh_from_db()
    return user


def by(user: User) -> Commenter:
    return Commenter(user=user, pseud=user.pseuds.get(is_default=True))


def first_chapter(work: Work):
    return work.chapters.order_by("position")[0]


def inbox(user: User) -> list[tuple[str, str]]:
    rows = Notification.objects.filter(recipient=user).order_by("pk")
    return [(row.kind, row.text) for row in rows]


def test_a_comment_reaches_the_creator_and_a_reply_the_commenter(
    django_capture_on_commit_callbacks,
) -> None:
    creator, reader, other = established("quill"), established("wren"), established("finch")
    work = make_work(creator, title="Salt and Lanterns")
    chapter = first_chapter(work)

    with django_capture_on_commit_callbacks(execute=True):
        comment = comment_create(work=work, chapter=chapter, by=by(reader), content="Lovely!")
    assert [kind for kind, _ in inbox(creator)] == [NotificationKind.COMMENT]
    assert "wren commented on" in inbox(creator)[0][1]
    assert inbox(reader) == []  # nobody hears of their own comment
    assert [message.to for message in mail.outbox] == [[creator.email]]

    with django_capture_on_commit_callbacks(execute=True):
        comment_create(work=work, chapter=chapter, by=by(other), content="Agreed", parent=comment)
    assert [kind for kind, _ in inbox(reader)] == [NotificationKind.REPLY]
    assert "finch replied to your comment" in inbox(reader)[0][1]
    # The creator hears of the reply too, as a comment on their work.
    assert [kind for kind, _ in inbox(creator)] == [NotificationKind.COMMENT] * 2


def test_the_creator_replying_is_not_told_of_their_own_reply(
    django_capture_on_commit_callbacks,
) -> None:
    creator, reader = established("quill"), established("wren")
    work = make_work(creator)
    with django_capture_on_commit_callbacks(execute=True):
        comment = comment_create(
            work=work, chapter=first_chapter(work), by=by(reader), content="Hello"
        )
        comment_create(
            work=work, chapter=first_chapter(work), by=by(creator), content="Hi!", parent=comment
        )
    assert [kind for kind, _ in inbox(creator)] == [NotificationKind.COMMENT]
    assert [kind for kind, _ in inbox(reader)] == [NotificationKind.REPLY]


def test_a_reply_to_the_creators_own_comment_makes_one_entry(
    django_capture_on_commit_callbacks,
) -> None:
    creator, reader = established("quill"), established("wren")
    work = make_work(creator)
    with django_capture_on_commit_callbacks(execute=True):
        note = comment_create(
            work=work, chapter=first_chapter(work), by=by(creator), content="Author's note"
        )
        comment_create(
            work=work, chapter=first_chapter(work), by=by(reader), content="Thanks", parent=note
        )
    assert [kind for kind, _ in inbox(creator)] == [NotificationKind.REPLY]


def test_guest_comments_name_the_guest_and_muted_commenters_stay_out(
    django_capture_on_commit_callbacks,
) -> None:
    creator, pest = established("quill"), established("pest")
    mute_user(muter=creator, muted=pest)
    work = make_work(creator)
    guest = Commenter(user=None, pseud=None, guest_name="Harbour Fan", guest_email="h@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        comment_create(work=work, chapter=first_chapter(work), by=guest, content="Wonderful")
        comment_create(work=work, chapter=first_chapter(work), by=by(pest), content="Meh")
    texts = [text for _, text in inbox(creator)]
    assert len(texts) == 1 and "Harbour Fan commented on" in texts[0]


def test_a_moderated_reply_reaches_the_commenter_only_once_approved(
    django_capture_on_commit_callbacks,
) -> None:
    creator, reader, other = established("quill"), established("wren"), established("finch")
    work = make_work(creator)
    Work.objects.filter(pk=work.pk).update(moderate_comments=True)
    work.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        comment = comment_create(
            work=work, chapter=first_chapter(work), by=by(reader), content="First"
        )
        comment_approve(comment=comment)
        answer = comment_create(
            work=work, chapter=first_chapter(work), by=by(other), content="Reply", parent=comment
        )
    # The creator hears of both at once (they have to approve them); the commenter not yet.
    assert len(inbox(creator)) == 2
    assert inbox(reader) == []

    with django_capture_on_commit_callbacks(execute=True):
        comment_approve(comment=answer)
        comment_approve(comment=answer)  # twice: still one entry
    assert [kind for kind, _ in inbox(reader)] == [NotificationKind.REPLY]
    assert len(inbox(creator)) == 2


def test_through_the_pages_a_comment_lands_in_the_creators_inbox() -> None:
    creator, reader = established("quill"), established("wren")
    work = make_work(creator, title="Salt and Lanterns")
    client = Client()
    client.force_login(reader)
    response = client.post(
        f"/chapters/{first_chapter(work).pk}/comments",
        {"comment[comment_content]": "What a chapter."},
    )
    assert response.status_code == 302
    assert Comment.objects.count() == 1
    owner = Client()
    owner.force_login(creator)
    page = owner.get(f"/users/{creator.username}/inbox").content.decode()
    assert "wren commented on" in page
    assert "Salt and Lanterns" in page
